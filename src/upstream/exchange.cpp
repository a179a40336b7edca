#include "larder/upstream/exchange.hpp"

#include "larder/upstream/request_writer.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <limits>

#include "larder/upstream/response_head.hpp"

namespace larder::upstream {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {
static_assert(kUpstreamErrorCount == obs::kUpstreamErrorCount);
static_assert(static_cast<std::size_t>(UpstreamError::QueueTimeout) + 1 == kUpstreamErrorCount);

bool is_timeout(const error_code& ec) {
    return ec == beast::error::timeout;
}

// A head read takes what the buffer has free, and at least this much.
constexpr std::size_t kMinHeadRead = 4096;

const char* buffered(const Connection& c) {
    return static_cast<const char*>(c.buffer.data().data());
}
}  // namespace

Exchange::Exchange(Pool& pool, const config::ServerConfig& timeouts, obs::Counters& counters)
    : pool_(pool), timeouts_(timeouts), counters_(counters), parser_(&head_memory_) {}

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
    counters_.count_upstream_failure(server, static_cast<std::size_t>(e));
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
        c.stream.socket().non_blocking(true);  // write_request() sends without blocking
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
        counters_.count_upstream_failure(obs::Counters::kNoBackend,
                                         static_cast<std::size_t>(UpstreamError::NoHealthyServer));
        co_return UpstreamError::NoHealthyServer;
    }
    std::size_t backend = *first;
    bool allow_idle = true;
    for (;;) {
        if (!slot_ && pool_.cluster().gate().try_acquire(backend)) slot_ = backend;  // no frame
        if (!slot_) {
            UpstreamError e = co_await acquire_slot(backend);
            if (e != UpstreamError::None) {
                failed_ = true;
                counters_.count_upstream_failure(backend, static_cast<std::size_t>(e));
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
            auto latency =
                std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - sent);
            pool_.cluster().health().record_success(backend, latency);
            counters_.observe_upstream_latency(backend, latency);
            co_return e;
        }
        connection_.reset();
        if (retry && !fresh_retry_done) {
            fresh_retry_done = true;
            obs::Counters::bump(counters_.upstream_retries);
            allow_idle = false;  // the second try always gets a fresh connection
            continue;
        }
        // A reused connection closed by the server while idle says nothing about its health,
        // nor does a spooled body Larder could not read back.
        bool servers_fault = !(reused && e == UpstreamError::ResetBeforeResponse) &&
                             e != UpstreamError::BodyUnreadable;
        if (servers_fault) note_failure(backend, e);
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
    arm(Phase::Head);
    WriteResult written = co_await write_request(c.stream, request.head, request.body);
    charge();
    if (written == WriteResult::BodyUnreadable) co_return UpstreamError::BodyUnreadable;
    if (written != WriteResult::Sent) {
        retry = reused && request.idempotent;  // the body is re-read from its start
        co_return written == WriteResult::Timeout ? timeout_error()
                                                  : UpstreamError::ResetBeforeResponse;
    }
    for (;;) {  // skip interim 1xx responses
        parser_.start(request.head_request);
        // Bytes after an interim head may already hold the next head.
        auto state = parser_.parse_head(buffered(c), c.buffer.size());
        while (state == ResponseParser::State::Head) {
            if (budget_left_ <= SteadyClock::duration::zero())
                co_return UpstreamError::ResponseTimeout;
            arm(Phase::Head);
            auto [ec, n] = co_await c.stream.async_read_some(
                c.buffer.prepare(std::max(c.buffer.capacity() - c.buffer.size(), kMinHeadRead)),
                nothrow);
            charge();
            c.buffer.commit(n);
            if (ec) {
                if (is_timeout(ec)) co_return timeout_error();
                bool nothing_received = c.buffer.size() == 0;
                retry = nothing_received && reused && request.idempotent;
                co_return nothing_received ? UpstreamError::ResetBeforeResponse
                                           : UpstreamError::MalformedResponse;
            }
            state = parser_.parse_head(buffered(c), c.buffer.size());
        }
        if (state == ResponseParser::State::Error) co_return UpstreamError::MalformedResponse;
        HeadCheck check = check_head(parser_.status());
        if (check == HeadCheck::Interim) {
            // Its bytes go before anything else: the next head starts at the buffer's front.
            std::string head = request.interim ? interim_head(parser_) : std::string();
            c.buffer.consume(parser_.consumed());
            if (request.interim)  // the client's time, not the app's (charged above)
                co_await request.interim->interim(parser_.status(), head);
            continue;
        }
        if (check != HeadCheck::Final) co_return UpstreamError::MalformedResponse;
        break;
    }
    keep_head(c);
    co_return UpstreamError::None;
}

void Exchange::keep_head(Connection& c) {
    head_bytes_.assign(buffered(c), parser_.consumed());
    parser_.rebase(head_bytes_.data());
    c.buffer.consume(parser_.consumed());
}

int Exchange::status() const {
    return parser_.status();
}

std::string_view Exchange::reason() const {
    return parser_.reason();
}

std::optional<std::uint64_t> Exchange::content_length() const {
    return parser_.content_length();
}

bool Exchange::body_done() const {
    return parser_.state() == ResponseParser::State::Complete;
}

std::string_view Exchange::backend_name() const {
    return connection_ ? std::string_view(pool_.backend(connection_->backend).name) : "";
}

asio::awaitable<UpstreamError> Exchange::read_body(std::string& out, std::size_t limit) {
    Connection& c = *connection_;
    while (parser_.state() == ResponseParser::State::Body && out.size() < limit) {
        UpstreamError e = UpstreamError::None;
        if (c.buffer.size() == 0) {
            // Grow by what is still to come, or by a doubling piece (response_head.hpp); one
            // read at a time (not a composed read that fills the piece), so the read limit
            // measures the app's silence, not how long a piece takes to fill.
            const std::size_t piece = body_piece_size(parser_, out.size());
            out.reserve(out.size() + piece);
            if (budget_left_ > SteadyClock::duration::zero()) {
                arm(Phase::Body);
                auto [ec, n] = co_await c.stream.async_read_some(c.buffer.prepare(piece), nothrow);
                charge();
                c.buffer.commit(n);
                if (ec == asio::error::eof && parser_.finish() == ResponseParser::State::Complete)
                    break;  // a body read until the server closes
                if (ec) e = is_timeout(ec) ? timeout_error() : UpstreamError::ClosedMidResponse;
            } else {
                e = UpstreamError::ResponseTimeout;
            }
        }
        if (e == UpstreamError::None) {
            c.buffer.consume(parser_.parse_body(buffered(c), c.buffer.size(), out));
            if (parser_.state() == ResponseParser::State::Error)
                e = UpstreamError::ClosedMidResponse;  // chunk syntax, trailers too large
        }
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
    if (!failed_ && body_done() && parser_.keep_alive()) pool_.give_back(std::move(connection_));
    connection_.reset();
    release_slot();
}

}  // namespace larder::upstream
