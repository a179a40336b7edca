#include "larder/upstream/exchange.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>

namespace larder::upstream {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {
constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

bool is_timeout(const error_code& ec) {
    return ec == beast::error::timeout;
}
}  // namespace

Exchange::Exchange(Pool& pool, const config::ServerConfig& timeouts, obs::Counters& counters)
    : pool_(pool), timeouts_(timeouts), counters_(counters) {}

Exchange::~Exchange() {
    connection_.reset();
    release_slot();
}

void Exchange::release_slot() {
    if (!slot_) return;
    pool_.cluster().gate().release(*slot_);
    slot_.reset();
}

void Exchange::note_failure(std::size_t server, UpstreamError e) {
    auto& cluster = pool_.cluster();
    HealthEvent event = cluster.health().record_failure(server, SteadyClock::now());
    if (event != HealthEvent::None) cluster.log_event(server, event, to_string(e));
}

asio::awaitable<UpstreamError> Exchange::acquire_slot(std::size_t server) {
    ConnectionGate& gate = pool_.cluster().gate();
    if (gate.try_acquire(server)) {
        slot_ = server;
        co_return UpstreamError::None;
    }
    auto timer = std::make_shared<asio::steady_timer>(pool_.executor());
    auto waiter = std::make_shared<ConnectionGate::Waiter>();
    waiter->server = server;
    // Runs on the releasing worker's thread, under the gate's lock: only schedules the cancel
    // on this worker's executor (a timer belongs to its own thread).
    waiter->wake = [ex = pool_.executor(), weak = std::weak_ptr<asio::steady_timer>(timer)] {
        asio::post(ex, [weak] {
            if (auto t = weak.lock()) t->cancel();
        });
    };
    switch (gate.enqueue(waiter)) {
        case ConnectionGate::Enqueue::Acquired:
            slot_ = server;
            co_return UpstreamError::None;
        case ConnectionGate::Enqueue::Full:
            co_return UpstreamError::QueueFull;
        case ConnectionGate::Enqueue::Queued:
            break;
    }
    // Should this coroutine be destroyed while it waits (the client went away, shutdown), its
    // place is given up, or the slot handed to it meanwhile passed on.
    struct Abandon {
        ConnectionGate& gate;
        ConnectionGate::Waiter& waiter;
        bool armed = true;
        ~Abandon() {
            if (armed && gate.finish_wait(waiter)) gate.release(waiter.server);
        }
    } abandon{gate, *waiter};
    timer->expires_after(pool_.config().queue_timeout);
    co_await timer->async_wait(nothrow);  // ends on timeout, or cancelled by a release
    abandon.armed = false;
    if (gate.finish_wait(*waiter)) {
        slot_ = server;
        co_return UpstreamError::None;
    }
    co_return UpstreamError::QueueTimeout;
}

asio::awaitable<UpstreamError> Exchange::connect(Connection& c) {
    obs::Counters::bump(counters_.upstream_connects);
    c.stream.expires_after(timeouts_.upstream_connect_timeout);
    auto [ec] = co_await c.stream.async_connect(pool_.backend(c.backend).endpoint, nothrow);
    if (!ec) {
        c.stream.socket().set_option(asio::ip::tcp::no_delay(true));
        co_return UpstreamError::None;
    }
    co_return is_timeout(ec) ? UpstreamError::ConnectTimeout : UpstreamError::ConnectFailed;
}

asio::awaitable<UpstreamError> Exchange::start(const OutgoingRequest& request) {
    obs::Counters::bump(counters_.upstream_requests);
    std::vector<bool> tried(pool_.size(), false);
    unsigned retries_left = pool_.config().retries;
    bool fresh_retry_done = false;
    auto first = pool_.pick(request.hash_key, tried);
    if (!first) {
        failed_ = true;
        co_return UpstreamError::NoHealthyServer;
    }
    std::size_t backend = *first;
    bool allow_idle = true;
    for (;;) {
        if (!slot_) {
            UpstreamError e = co_await acquire_slot(backend);
            if (e != UpstreamError::None) {
                failed_ = true;
                co_return e;
            }
        }
        connection_ = allow_idle ? pool_.take_idle(backend) : nullptr;
        bool reused = connection_ != nullptr;
        if (reused) {
            obs::Counters::bump(counters_.upstream_reuses);
        } else {
            connection_ = pool_.make(backend);
            UpstreamError e = co_await connect(*connection_);
            if (e != UpstreamError::None) {
                connection_.reset();
                release_slot();
                note_failure(backend, e);
                tried[backend] = true;
                // Nothing was sent: any request may go to another server.
                auto other = retries_left > 0 ? pool_.pick(request.hash_key, tried) : std::nullopt;
                if (other) {
                    --retries_left;
                    obs::Counters::bump(counters_.upstream_retries);
                    backend = *other;
                    allow_idle = true;
                    continue;
                }
                failed_ = true;
                co_return e;
            }
        }
        bool retry = false;
        auto sent = SteadyClock::now();
        UpstreamError e = co_await send_and_read_header(request, reused, retry);
        if (e == UpstreamError::None) {
            pool_.cluster().health().record_success(
                backend,
                std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - sent));
            co_return e;
        }
        connection_.reset();
        if (retry && !fresh_retry_done) {
            fresh_retry_done = true;
            obs::Counters::bump(counters_.upstream_retries);
            allow_idle = false;  // the second try always gets a fresh connection
            continue;
        }
        // A reused connection closed by the server while idle says nothing about its health.
        if (!(reused && e == UpstreamError::ResetBeforeResponse)) note_failure(backend, e);
        failed_ = true;
        co_return e;
    }
}

asio::awaitable<UpstreamError> Exchange::send_and_read_header(const OutgoingRequest& request,
                                                              bool reused, bool& retry) {
    Connection& c = *connection_;
    ++c.requests;
    c.buffer.clear();
    budget_left_ = timeouts_.upstream_timeout;  // the app's time starts with the request
    std::array<asio::const_buffer, 2> out{asio::buffer(request.head), asio::buffer(request.body)};
    arm(Phase::Head);
    auto [wec, written] = co_await asio::async_write(c.stream, out, nothrow);
    charge();
    if (wec) {
        retry = reused && request.idempotent;
        co_return is_timeout(wec) ? timeout_error() : UpstreamError::ResetBeforeResponse;
    }
    for (;;) {  // skip interim 1xx responses
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        if (request.head_request) parser_->skip(true);
        if (budget_left_ <= SteadyClock::duration::zero()) co_return UpstreamError::ResponseTimeout;
        arm(Phase::Head);
        auto [ec, n] =
            co_await beast::http::async_read_header(c.stream, c.buffer, *parser_, nothrow);
        charge();
        if (ec) {
            if (is_timeout(ec)) co_return timeout_error();
            bool nothing_received = !parser_->got_some() && c.buffer.size() == 0;
            retry = nothing_received && reused && request.idempotent;
            co_return nothing_received ? UpstreamError::ResetBeforeResponse
                                       : UpstreamError::MalformedResponse;
        }
        unsigned status = parser_->get().result_int();
        // Not a status code (RFC 9110 section 15: 100 to 599).
        if (status < 100 || status > 599) co_return UpstreamError::MalformedResponse;
        // Larder never asks for a protocol switch (Upgrade is hop-by-hop and not forwarded): a
        // 101 is no answer to this request, and what follows it is not HTTP. Relayed, it would
        // end the client's request as "switched"; pooled, its connection would answer the next.
        if (status == 101) co_return UpstreamError::MalformedResponse;
        if (status < 200) continue;  // interim: 100, 102, 103
        break;
    }
    headers_.clear();
    for (const auto& field : parser_->get())
        headers_.add(std::string_view(field.name_string().data(), field.name_string().size()),
                     std::string_view(field.value().data(), field.value().size()));
    co_return UpstreamError::None;
}

int Exchange::status() const {
    return static_cast<int>(parser_->get().result_int());
}

std::string_view Exchange::reason() const {
    auto r = parser_->get().reason();
    return {r.data(), r.size()};
}

std::optional<std::uint64_t> Exchange::content_length() const {
    auto n = parser_->content_length();
    return n ? std::optional<std::uint64_t>(*n) : std::nullopt;
}

bool Exchange::body_done() const {
    return parser_ && parser_->is_done();
}

std::string_view Exchange::backend_name() const {
    return connection_ ? std::string_view(pool_.backend(connection_->backend).name) : "";
}

asio::awaitable<UpstreamError> Exchange::read_body(std::string& out, std::size_t limit) {
    Connection& c = *connection_;
    while (!parser_->is_done() && out.size() < limit) {
        // Grow by what is still to come when the length is known (a 1 KiB page costs 1 KiB, not
        // a zero-filled 64 KiB chunk), else by a chunk that doubles up to kReadChunk.
        std::size_t chunk = std::clamp<std::size_t>(out.size(), 4096, kReadChunk);
        if (auto remaining = parser_->content_length_remaining())
            chunk = std::clamp<std::size_t>(*remaining, 1, kReadChunk);
        std::size_t old = out.size();
        out.resize(old + chunk);
        auto& body = parser_->get().body();
        body.data = out.data() + old;
        body.size = chunk;
        // One read at a time (not a composed read that fills the chunk), so the read limit
        // measures the app's silence, not how long a chunk takes to fill.
        UpstreamError e = UpstreamError::None;
        if (budget_left_ > SteadyClock::duration::zero()) {
            arm(Phase::Body);
            auto [ec, n] =
                co_await beast::http::async_read_some(c.stream, c.buffer, *parser_, nothrow);
            charge();
            if (ec && ec != beast::http::error::need_buffer)
                e = is_timeout(ec) ? timeout_error() : UpstreamError::ClosedMidResponse;
        } else {
            e = UpstreamError::ResponseTimeout;
        }
        out.resize(old + (chunk - body.size));
        if (e != UpstreamError::None) {
            failed_ = true;
            note_failure(c.backend, e);
            co_return e;
        }
    }
    co_return UpstreamError::None;
}

void Exchange::arm(Phase phase) {
    armed_at_ = SteadyClock::now();
    SteadyClock::duration limit = budget_left_;
    read_limit_armed_ = phase == Phase::Body && timeouts_.upstream_read_timeout < limit;
    if (read_limit_armed_) limit = timeouts_.upstream_read_timeout;
    connection_->stream.expires_after(limit);
}

void Exchange::charge() {
    budget_left_ -= SteadyClock::now() - armed_at_;
    connection_->stream.expires_never();
}

UpstreamError Exchange::timeout_error() const {
    return read_limit_armed_ ? UpstreamError::ReadTimeout : UpstreamError::ResponseTimeout;
}

void Exchange::finish() {
    if (!connection_) {
        release_slot();
        return;
    }
    // give_back() also refuses a connection with bytes beyond the end of this response.
    if (!failed_ && parser_ && parser_->is_done() && parser_->keep_alive())
        pool_.give_back(std::move(connection_));
    connection_.reset();
    release_slot();
}

}  // namespace larder::upstream
