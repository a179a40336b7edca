// upstream::Exchange: one request sent to an app server and its response read, over a pooled
// keep-alive connection (Boost.Beast).
//
// start() picks a server, takes an idle connection or opens one, sends the request and reads
// the response header. It sends a request a second time only when that is safe: the request is
// idempotent and a reused connection closed before any response byte arrived (the app server
// had timed it out while idle); a failed connect tries the next server when there is one.
// read_body() then reads the body in pieces, so the caller decides how much to buffer. finish()
// returns the connection to the pool only when the response was read to its end and the server
// keeps it alive; any other ending closes it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "larder/config/config.hpp"
#include "larder/http/headers.hpp"
#include "larder/obs/counters.hpp"
#include "larder/upstream/error.hpp"
#include "larder/upstream/pool.hpp"

namespace larder::upstream {

struct OutgoingRequest {
    std::string_view head;  // request line and header fields, ending with the blank line
    std::string_view body;
    bool idempotent = true;
    bool head_request = false;  // a HEAD: the response has no body whatever its headers say
};

class Exchange {
public:
    Exchange(Pool& pool, const config::ServerConfig& timeouts, obs::Counters& counters);
    ~Exchange();

    boost::asio::awaitable<UpstreamError> start(const OutgoingRequest& request);

    int status() const;
    std::string_view reason() const;
    // The response's header fields (views valid until the Exchange is destroyed).
    const http::HeaderList& headers() const { return headers_; }
    std::optional<std::uint64_t> content_length() const;
    bool body_done() const;
    std::string_view backend_name() const;

    // Appends body bytes to `out` until the body is complete or `out` holds at least `limit`
    // bytes.
    boost::asio::awaitable<UpstreamError> read_body(std::string& out, std::size_t limit);
    // Hands the connection back to the pool when the exchange ended cleanly.
    void finish();

private:
    using Parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;
    enum class Attempt { Done, Retry };

    boost::asio::awaitable<UpstreamError> connect(Connection& c);
    boost::asio::awaitable<UpstreamError> send_and_read_header(const OutgoingRequest& request,
                                                                bool reused, bool& retry);

    Pool& pool_;
    const config::ServerConfig& timeouts_;
    obs::Counters& counters_;
    std::unique_ptr<Connection> connection_;
    std::optional<Parser> parser_;
    http::HeaderList headers_;
    bool failed_ = false;
};

}  // namespace larder::upstream
