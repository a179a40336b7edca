#include "larder/upstream/pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

namespace larder::upstream {

namespace {
// The previous pool's list for `server`, if it has one.
std::shared_ptr<IdleList> list_for(const BackendState& server,
                                   const std::vector<std::shared_ptr<IdleList>>& lists) {
    for (const auto& list : lists)
        if (&list->server() == &server) return list;
    return nullptr;
}
}  // namespace

Pool::Pool(boost::asio::any_io_executor executor, const std::vector<Backend>& backends,
           const config::UpstreamConfig& config, Pool* previous)
    : executor_(std::move(executor)),
      backends_(backends),
      config_(config),
      cluster_(backends.front().cluster),
      selector_(cluster_->health(), config.balance, std::random_device{}()) {
    const HealthTable& table = cluster_->health();
    for (std::size_t i = 0; i < backends_.size(); ++i) {
        auto shared = previous ? list_for(table.backend(i), previous->idle_) : nullptr;
        idle_.push_back(shared ? std::move(shared)
                               : std::make_shared<IdleList>(table.shared_backend(i)));
    }
    if (!previous) return;
    for (auto& list : previous->idle_)
        if (std::none_of(idle_.begin(), idle_.end(), [&](auto& l) { return l == list; }))
            list->retire();
}

Pool::~Pool() = default;

std::optional<std::size_t> Pool::pick(std::string_view hash_key, const std::vector<bool>& tried) {
    return selector_.pick(std::chrono::steady_clock::now(), hash_key, tried);
}

bool Pool::quiet(Connection& c, std::size_t backend, const char* when) const {
    std::size_t unread = 0;
    switch (c.idle_state(&unread)) {
        case Connection::IdleState::Quiet:
            return true;
        case Connection::IdleState::Closed:  // an idle close by the server: routine
            return false;
        case Connection::IdleState::Unread:
            spdlog::warn("upstream {}: {} unexpected bytes {}; connection closed, not reused",
                         backends_[backend].name, unread, when);
            return false;
    }
    return false;
}

std::unique_ptr<Connection> Pool::take_idle(std::size_t backend) {
    IdleList& idle = *idle_[backend];
    auto now = std::chrono::steady_clock::now();
    while (auto c = idle.take_newest()) {
        c->backend = backend;  // it may have been pooled by another generation's pool
        // Checked right before reuse: whatever arrived while it was idle (stray bytes, a close)
        // must not meet the next request.
        if (now - c->idle_since < config_.idle_timeout &&
            quiet(*c, backend, "on an idle connection"))
            return c;
    }
    return nullptr;
}

void Pool::close_stale(std::chrono::steady_clock::time_point now) {
    for (std::size_t backend = 0; backend < idle_.size(); ++backend) {
        idle_[backend]->drop_if([&](Connection& c) {
            return now - c.idle_since >= config_.idle_timeout ||
                   !quiet(c, backend, "on an idle connection");
        });
    }
}

std::unique_ptr<Connection> Pool::make(std::size_t backend) {
    return std::make_unique<Connection>(executor_, backend);
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
    const std::size_t backend = connection->backend;
    IdleList& idle = *idle_[backend];
    if (config_.max_idle_per_server == 0 || idle.retired()) return;  // the connection closes
    // Bytes after a complete response (a body after a 204, 304 or HEAD answer, more than
    // Content-Length said) are no answer to anything: the connection cannot be trusted. Those
    // already read are in its buffer; those still on the socket are found by the look before
    // reuse (take_idle) or by the sweep, so giving back costs no system call.
    if (!connection->stream.socket().is_open()) return;
    if (const std::size_t unread = connection->buffer.size(); unread > 0) {
        spdlog::warn(
            "upstream {}: {} unexpected bytes after a complete response; connection "
            "closed, not reused",
            backends_[backend].name, unread);
        return;
    }
    while (idle.size() >= config_.max_idle_per_server) idle.drop_oldest();
    connection->idle_since = std::chrono::steady_clock::now();
    connection->stream.expires_never();
    idle.push(std::move(connection));
}

}  // namespace larder::upstream
