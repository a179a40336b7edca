#include "larder/upstream/exchange.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
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

bool is_timeout(const error_code& ec) { return ec == beast::error::timeout; }
}  // namespace

Exchange::Exchange(Pool& pool, const config::ServerConfig& timeouts, obs::Counters& counters)
    : pool_(pool), timeouts_(timeouts), counters_(counters) {}

Exchange::~Exchange() = default;

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
    std::size_t backend = pool_.pick();
    bool allow_idle = true;
    for (int attempt = 0; attempt < 2; ++attempt) {
        connection_ = allow_idle ? pool_.take_idle(backend) : nullptr;
        bool reused = connection_ != nullptr;
        if (reused) {
            obs::Counters::bump(counters_.upstream_reuses);
        } else {
            connection_ = pool_.make(backend);
            UpstreamError e = co_await connect(*connection_);
            if (e != UpstreamError::None) {
                connection_.reset();
                if (attempt == 0 && pool_.size() > 1) {  // try the next server once
                    obs::Counters::bump(counters_.upstream_retries);
                    backend = pool_.pick();
                    continue;
                }
                failed_ = true;
                co_return e;
            }
        }
        bool retry = false;
        UpstreamError e = co_await send_and_read_header(request, reused, retry);
        if (e == UpstreamError::None) co_return e;
        connection_.reset();
        if (retry && attempt == 0) {
            obs::Counters::bump(counters_.upstream_retries);
            allow_idle = false;  // the second try always gets a fresh connection
            continue;
        }
        failed_ = true;
        co_return e;
    }
    failed_ = true;
    co_return UpstreamError::ConnectFailed;
}

asio::awaitable<UpstreamError> Exchange::send_and_read_header(const OutgoingRequest& request,
                                                              bool reused, bool& retry) {
    Connection& c = *connection_;
    ++c.requests;
    c.buffer.clear();
    std::array<asio::const_buffer, 2> out{asio::buffer(request.head), asio::buffer(request.body)};
    c.stream.expires_after(timeouts_.upstream_timeout);
    auto [wec, written] = co_await asio::async_write(c.stream, out, nothrow);
    if (wec) {
        retry = reused && request.idempotent;
        co_return is_timeout(wec) ? UpstreamError::ResponseTimeout
                                  : UpstreamError::ResetBeforeResponse;
    }
    for (;;) {  // skip interim 1xx responses
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        if (request.head_request) parser_->skip(true);
        auto [ec, n] = co_await beast::http::async_read_header(c.stream, c.buffer, *parser_, nothrow);
        if (ec) {
            if (is_timeout(ec)) co_return UpstreamError::ResponseTimeout;
            bool nothing_received = !parser_->got_some() && c.buffer.size() == 0;
            retry = nothing_received && reused && request.idempotent;
            co_return nothing_received ? UpstreamError::ResetBeforeResponse
                                       : UpstreamError::MalformedResponse;
        }
        unsigned status = parser_->get().result_int();
        if (status >= 100 && status < 200 && status != 101) continue;
        break;
    }
    headers_.clear();
    for (const auto& field : parser_->get())
        headers_.add(std::string_view(field.name_string().data(), field.name_string().size()),
                     std::string_view(field.value().data(), field.value().size()));
    co_return UpstreamError::None;
}

int Exchange::status() const { return static_cast<int>(parser_->get().result_int()); }

std::string_view Exchange::reason() const {
    auto r = parser_->get().reason();
    return {r.data(), r.size()};
}

std::optional<std::uint64_t> Exchange::content_length() const {
    auto n = parser_->content_length();
    return n ? std::optional<std::uint64_t>(*n) : std::nullopt;
}

bool Exchange::body_done() const { return parser_ && parser_->is_done(); }

std::string_view Exchange::backend_name() const {
    return connection_ ? std::string_view(pool_.backend(connection_->backend).name) : "";
}

asio::awaitable<UpstreamError> Exchange::read_body(std::string& out, std::size_t limit) {
    Connection& c = *connection_;
    while (!parser_->is_done() && out.size() < limit) {
        std::size_t old = out.size();
        out.resize(old + kReadChunk);
        auto& body = parser_->get().body();
        body.data = out.data() + old;
        body.size = kReadChunk;
        c.stream.expires_after(timeouts_.upstream_timeout);
        auto [ec, n] = co_await beast::http::async_read(c.stream, c.buffer, *parser_, nothrow);
        out.resize(old + (kReadChunk - body.size));
        if (ec && ec != beast::http::error::need_buffer) {
            failed_ = true;
            co_return is_timeout(ec) ? UpstreamError::ResponseTimeout
                                     : UpstreamError::ClosedMidResponse;
        }
    }
    co_return UpstreamError::None;
}

void Exchange::finish() {
    if (!connection_) return;
    if (!failed_ && parser_ && parser_->is_done() && parser_->keep_alive())
        pool_.give_back(std::move(connection_));
    connection_.reset();
}

}  // namespace larder::upstream
