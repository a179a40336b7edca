#include "larder/upstream/pool.hpp"

#include <random>

namespace larder::upstream {

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

std::unique_ptr<Connection> Pool::take_idle(std::size_t backend) {
    auto& idle = idle_[backend];
    auto now = std::chrono::steady_clock::now();
    while (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        cluster_->health().add_idle(backend, -1);
        if (now - c->idle_since < config_.idle_timeout && c->stream.socket().is_open()) return c;
    }
    return nullptr;
}

std::unique_ptr<Connection> Pool::make(std::size_t backend) {
    return std::make_unique<Connection>(executor_, backend);
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
    auto& idle = idle_[connection->backend];
    if (config_.max_idle_per_server == 0) return;      // pooling off: the connection closes
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
