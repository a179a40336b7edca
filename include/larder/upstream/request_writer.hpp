// upstream::write_request: sends a request's head and body on an app server connection with
// bounded memory, whether the body is in memory or spooled to a file.
//
// A body in memory goes out with the head in one gather write, sent at once when the socket
// takes it (http::write_now; the connection's socket is non-blocking), else waited for. A spooled
// body is read back in pieces of kBodyPiece bytes (positional reads, so a second call — a retry on
// a fresh connection — sends it again from the start) into one buffer allocated for this call; the
// first piece rides with the head. The caller sets the stream's deadline before the call; it bounds
// the whole send.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstddef>
#include <string_view>

#include "larder/http/body.hpp"

namespace larder::upstream {

inline constexpr std::size_t kBodyPiece = 64 * 1024;

enum class WriteResult {
    Sent,
    Timeout,         // the stream's deadline passed
    Failed,          // the connection broke (closed or reset by the peer)
    BodyUnreadable,  // the spool file could not be read: a local failure, not the server's
};

boost::asio::awaitable<WriteResult> write_request(boost::beast::tcp_stream& stream,
                                                  std::string_view head,
                                                  const http::BodyView& body);

}  // namespace larder::upstream
