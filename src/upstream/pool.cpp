#include "larder/upstream/pool.hpp"

namespace larder::upstream {

Pool::Pool(boost::asio::any_io_executor executor, const std::vector<Backend>& backends,
           const config::UpstreamConfig& config)
    : executor_(std::move(executor)),
      backends_(backends),
      config_(config),
      idle_(backends.size()),
      current_weight_(backends.size(), 0) {}

std::size_t Pool::pick() {
    // Smooth weighted round robin: every pick adds each weight to its server's current weight,
    // takes the largest, and subtracts the total from it. Weights 3:1 give a b a a, a b a a, ...
    if (backends_.size() == 1) return 0;
    long total = 0;
    std::size_t best = 0;
    for (std::size_t i = 0; i < backends_.size(); ++i) {
        current_weight_[i] += backends_[i].weight;
        total += backends_[i].weight;
        if (current_weight_[i] > current_weight_[best]) best = i;
    }
    current_weight_[best] -= total;
    return best;
}

std::unique_ptr<Connection> Pool::take_idle(std::size_t backend) {
    auto& idle = idle_[backend];
    auto now = std::chrono::steady_clock::now();
    while (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        if (now - c->idle_since < config_.idle_timeout && c->stream.socket().is_open()) return c;
    }
    return nullptr;
}

std::unique_ptr<Connection> Pool::make(std::size_t backend) {
    return std::make_unique<Connection>(executor_, backend);
}

void Pool::give_back(std::unique_ptr<Connection> connection) {
    auto& idle = idle_[connection->backend];
    if (idle.size() >= config_.max_idle_per_server) idle.erase(idle.begin());  // drop the oldest
    connection->idle_since = std::chrono::steady_clock::now();
    connection->stream.expires_never();
    idle.push_back(std::move(connection));
}

}  // namespace larder::upstream
