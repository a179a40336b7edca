// proxy::ResponseWriter: how the pipeline sends bytes to its client without knowing the socket.
//
// The server's session implements it (with its send timeout); tests can implement it in memory.
// write() returns false when the client is gone or too slow; the pipeline then stops sending.
// abort() ends a response that cannot be completed and whose framing cannot say so (a body
// delimited by the close): the connection is reset, so the client sees an error, never a short
// body that looks whole.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <span>

namespace larder::proxy {

class ResponseWriter {
  public:
    virtual ~ResponseWriter() = default;
    virtual boost::asio::awaitable<bool> write(std::span<const boost::asio::const_buffer> data) = 0;
    virtual void abort() = 0;
};

}  // namespace larder::proxy
