// upstream::Connection: one keep-alive connection to an app server, on one worker's executor.
//
// It is used by one exchange at a time, and sits in its worker's IdleList for its server
// between exchanges (idle_list.hpp, pool.hpp). idle_state() is how the pool keeps its
// invariant that a pooled connection has nothing to read.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace larder::upstream {

struct Connection {
    // What is waiting on a connection between two exchanges.
    enum class IdleState {
        Quiet,   // nothing: it may carry the next request
        Unread,  // bytes no request asked for (in `buffer` or on the socket)
        Closed,  // the server closed or reset it (or it is not open)
    };

    // Room for a typical head and page in one read: the exchange reads the head into what the
    // buffer has free, so an unreserved buffer would take several reads for a 1 KiB page.
    static constexpr std::size_t kReadBufferSize = 16 * 1024;

    explicit Connection(boost::asio::any_io_executor ex, std::size_t backend_index)
        : stream(ex), backend(backend_index) {
        buffer.reserve(kReadBufferSize);
    }

    // Looks without blocking (a non-blocking MSG_PEEK recv) and consumes nothing. `unread`, when
    // given, gets how many bytes are waiting (buffered plus readable on the socket).
    IdleState idle_state(std::size_t* unread = nullptr);

    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
    // Index of its server in the backends of the pool that last took or made it (a reload may
    // renumber the servers: Pool::take_idle sets it for its own generation).
    std::size_t backend;
    std::chrono::steady_clock::time_point idle_since{};
    std::uint64_t requests = 0;
};

}  // namespace larder::upstream
