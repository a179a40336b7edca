#include "larder/upstream/connection.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace larder::upstream {

Connection::IdleState Connection::idle_state(std::size_t* unread) {
    auto& socket = stream.socket();
    std::size_t buffered = buffer.size();
    if (unread) *unread = buffered;
    if (!socket.is_open()) return IdleState::Closed;
    char byte;
    ssize_t n;
    do {
        n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        boost::system::error_code ec;
        std::size_t waiting = socket.available(ec);
        if (unread) *unread = buffered + (ec ? 1 : std::max<std::size_t>(waiting, 1));
        return IdleState::Unread;
    }
    if (buffered > 0) return IdleState::Unread;  // the bytes read too far decide, EOF or not
    if (n == 0) return IdleState::Closed;        // end of stream: closed by the server
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IdleState::Quiet;
    return IdleState::Closed;  // ECONNRESET and the like
}

}  // namespace larder::upstream
