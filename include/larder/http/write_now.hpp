// http::write_now: the part of a gather write that a socket takes at once, written without a
// trip through the event loop.
//
// Most responses and requests fit in a socket's send buffer. An async_write that the kernel
// completes at once still posts its completion and costs a round of the event loop (with its
// non-blocking epoll_wait); writing first with one non-blocking send and waiting only for the
// rest saves that on nearly every message. The socket must be in non-blocking mode
// (`socket.non_blocking(true)`): the send never blocks the worker. Would-block is not an error
// (0 bytes taken); any other error is returned in `ec`, for the caller to treat exactly as its
// async write's failure. With what is left, the caller async_writes a buffers_suffix consumed
// by the returned count.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>

namespace larder::http {

template <class Socket, class ConstBufferSequence>
std::size_t write_now(Socket& socket, const ConstBufferSequence& buffers,
                      boost::system::error_code& ec) {
    const std::size_t n = socket.write_some(buffers, ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
        ec = {};
        return 0;
    }
    return ec ? 0 : n;
}

}  // namespace larder::http
