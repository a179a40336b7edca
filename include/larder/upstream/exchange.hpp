// upstream::Exchange: one request sent to an app server and its response read, over a pooled
// keep-alive connection (Asio; the response read by upstream::ResponseParser, llhttp).
//
// start() picks a server (the worker's Selector over the shared health table; none available:
// NoHealthyServer at once), takes one of its max_connections slots (waiting in the server's
// bounded queue up to queue_timeout when it is full: QueueFull / QueueTimeout), takes an idle
// connection or opens one, sends the request and reads the response header. It sends a request
// a second time only when that is safe: a connect that failed or timed out (nothing was sent)
// tries another server, up to `retries` times, whatever the method; an idempotent request whose
// reused connection closed before any response byte (the app server had timed it out while
// idle) is sent once more on a fresh connection. A request that may have reached the app is
// never sent again otherwise. The body goes out through write_request() (request_writer.hpp),
// from memory or from its spool file, re-read from its start for that second try.
// Failures other than that idle-close race count towards the
// server's passive ejection (max_fails); successes feed its latency EWMA.
// The slot is held from start() until finish() or destruction.
// Two limits bound how long the app may take (exchange.cpp arms one per socket operation):
// upstream_timeout is the app's whole time for the response, from sending the request to the
// last byte read, counting only time spent waiting on the app (a relay paused because its
// client reads slowly does not use it up), so a trickled response cannot last forever;
// upstream_read_timeout is the longest silence once the head has arrived (each read of the body
// waits at most that long). Whichever fires, the exchange fails (ResponseTimeout, ReadTimeout)
// and its connection is closed: a response cut short is never complete, so never stored.
// Interim 1xx responses go to the request's InterimSink (source.hpp) and are never part of the
// response; a 101 (Larder never asks for an upgrade) and a status
// outside 100-599 are a MalformedResponse, and their connection is closed. Those checks and the
// body's piece sizes are pure functions in response_head.hpp, the framing and limits the
// parser's (response_parser.hpp); both are fuzzed by tests/fuzz/origin_response_fuzz.cpp.
// A head the parser refuses is a MalformedResponse; a body it refuses (chunk syntax, trailers
// too large) or cut short by a close, ClosedMidResponse.
// read_body() then reads the body in pieces, so the caller decides how much to buffer. finish()
// returns the connection to the pool only when the response was read to its end, the server
// keeps it alive and nothing follows the response (Pool::give_back checks); any other ending
// closes it. A pooled connection is taken again only if nothing arrived on it meanwhile (no
// stray bytes, no close by the server), so a POST is never sent on a connection the server has
// already closed while idle.
// Memory: one Exchange is one allocation for the common response, plus its field list; the
// final head's bytes are copied out of the connection's read buffer into a buffer inside it (the
// heap only for heads larger than that), and its fields are views of them.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>

#include "larder/config/config.hpp"
#include "larder/http/headers.hpp"
#include "larder/obs/counters.hpp"
#include "larder/upstream/error.hpp"
#include "larder/upstream/pool.hpp"
#include "larder/upstream/response_parser.hpp"
#include "larder/upstream/source.hpp"

namespace larder::upstream {

class Exchange final : public SourceExchange {
  public:
    Exchange(Pool& pool, const config::ServerConfig& timeouts, obs::Counters& counters);
    ~Exchange() override;

    boost::asio::awaitable<UpstreamError> start(const OutgoingRequest& request) override;

    int status() const override;
    std::string_view reason() const override;
    // The response's header fields (views valid until the Exchange is destroyed).
    const http::HeaderList& headers() const override { return parser_.headers(); }
    std::optional<std::uint64_t> content_length() const override;
    bool body_done() const override;
    std::string_view backend_name() const override;

    // Appends body bytes to `out` until the body is complete or `out` holds at least `limit`
    // bytes.
    boost::asio::awaitable<UpstreamError> read_body(std::string& out, std::size_t limit) override;
    // Hands the connection back to the pool when the exchange ended cleanly.
    void finish() override;

  private:
    enum class Phase { Head, Body };  // sending and reading the head; reading the body

    boost::asio::awaitable<UpstreamError> connect(Connection& c);
    // Takes a max_connections slot of `server`, queueing when it is full.
    boost::asio::awaitable<UpstreamError> acquire_slot(std::size_t server);
    void release_slot();
    void note_failure(std::size_t server, UpstreamError e);
    boost::asio::awaitable<UpstreamError> send_and_read_header(const OutgoingRequest& request,
                                                               bool reused, bool& retry);
    // The final head's bytes: moved out of the connection's buffer into head_bytes_.
    void keep_head(Connection& c);
    // Sets the deadline of the next socket operation: the budget left, and at most
    // upstream_read_timeout when reading the body.
    void arm(Phase phase);
    // Charges the time the operation took to the budget.
    void charge();
    // What a timeout of the operation last armed means.
    UpstreamError timeout_error() const;

    Pool& pool_;
    const config::ServerConfig& timeouts_;
    obs::Counters& counters_;
    std::unique_ptr<Connection> connection_;
    // The final head's bytes and the parser's field offsets are kept here (heap only beyond
    // it); the parser's views point into head_bytes_.
    alignas(std::max_align_t) std::array<std::byte, 2048> head_buffer_;
    std::pmr::monotonic_buffer_resource head_memory_{head_buffer_.data(), head_buffer_.size()};
    std::pmr::string head_bytes_{&head_memory_};
    ResponseParser parser_;
    std::optional<std::size_t> slot_;  // the server whose slot this exchange holds
    // upstream_timeout less the time spent waiting on the app since the request was sent.
    SteadyClock::duration budget_left_{};
    SteadyClock::time_point armed_at_{};
    bool read_limit_armed_ = false;  // the operation's deadline is upstream_read_timeout's
    bool failed_ = false;
};

}  // namespace larder::upstream

namespace larder::upstream {

// The daemon's Source: exchanges over one worker's pool.
class PoolSource final : public Source {
  public:
    PoolSource(Pool& pool, const config::ServerConfig& timeouts, obs::Counters& counters)
        : pool_(pool), timeouts_(timeouts), counters_(counters) {}
    std::unique_ptr<SourceExchange> open() override {
        return std::make_unique<Exchange>(pool_, timeouts_, counters_);
    }

  private:
    Pool& pool_;
    const config::ServerConfig& timeouts_;
    obs::Counters& counters_;
};

}  // namespace larder::upstream
