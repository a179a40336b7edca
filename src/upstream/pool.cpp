#include "larder/upstream/pool.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <random>

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

Pool::Pool(boost::asio::any_io_executor executor, const std::vector<Backend>& backends,
           const config::UpstreamConfig& config)
    : executor_(std::move(executor)),
      backends_(backends),
      config_(config),
      cluster_(backends.front().cluster),
      selector_(cluster_->health(), config.balance, std::random_device{}()),
      idle_(backends.size()) {}

Pool::~Pool() {
    for (std::size_t i = 0; i < idle_.size(); ++i)
        cluster_->health().add_idle(i, -static_cast<int>(idle_[i].size()));
}

std::optional<std::size_t> Pool::pick(std::string_view hash_key, const std::vector<bool>& tried) {
    return selector_.pick(std::chrono::steady_clock::now(), hash_key, tried);
}

bool Pool::quiet(Connection& c, const char* when) const {
    std::size_t unread = 0;
    switch (c.idle_state(&unread)) {
        case Connection::IdleState::Quiet:
            return true;
        case Connection::IdleState::Closed:  // an idle close by the server: routine
            return false;
        case Connection::IdleState::Unread:
            spdlog::warn("upstream {}: {} unexpected bytes {}; connection closed, not reused",
                         backends_[c.backend].name, unread, when);
            return false;
    }
    return false;
}

std::unique_ptr<Connection> Pool::take_idle(std::size_t backend) {
    auto& idle = idle_[backend];
    auto now = std::chrono::steady_clock::now();
    while (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        cluster_->health().add_idle(backend, -1);
        // Checked right before reuse: whatever arrived while it was idle (stray bytes, a close)
        // must not meet the next request.
        if (now - c->idle_since < config_.idle_timeout && quiet(*c, "on an idle connection"))
            return c;
    }
    return nullptr;
}

void Pool::close_stale(std::chrono::steady_clock::time_point now) {
    for (std::size_t backend = 0; backend < idle_.size(); ++backend) {
        auto& idle = idle_[backend];
        auto kept = std::remove_if(idle.begin(), idle.end(), [&](std::unique_ptr<Connection>& c) {
            return now - c->idle_since >= config_.idle_timeout ||
                   !quiet(*c, "on an idle connection");
        });
        auto closed = static_cast<int>(idle.end() - kept);
        if (closed == 0) continue;
        idle.erase(kept, idle.end());
        cluster_->health().add_idle(backend, -closed);
    }
}

std::unique_ptr<Connection> Pool::make(std::size_t backend) {
    return std::make_unique<Connection>(executor_, backend);
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
    auto& idle = idle_[connection->backend];
    if (config_.max_idle_per_server == 0) return;  // pooling off: the connection closes
    // Bytes after a complete response (a body after a 204, 304 or HEAD answer, more than
    // Content-Length said) are no answer to anything: the connection cannot be trusted. Those
    // already read are in its buffer; those still on the socket are found by the look before
    // reuse (take_idle) or by the sweep, so giving back costs no system call.
    if (!connection->stream.socket().is_open()) return;
    if (const std::size_t unread = connection->buffer.size(); unread > 0) {
        spdlog::warn("upstream {}: {} unexpected bytes after a complete response; connection "
                     "closed, not reused",
                     backends_[connection->backend].name, unread);
        return;
    }
    if (idle.size() >= config_.max_idle_per_server) {  // drop the oldest
        idle.erase(idle.begin());
        cluster_->health().add_idle(connection->backend, -1);
    }
    connection->idle_since = std::chrono::steady_clock::now();
    connection->stream.expires_never();
    cluster_->health().add_idle(connection->backend, 1);
    idle.push_back(std::move(connection));
}

}  // namespace larder::upstream
