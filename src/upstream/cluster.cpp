#include "larder/upstream/cluster.hpp"

#include <spdlog/spdlog.h>

#include "larder/upstream/checker.hpp"

namespace larder::upstream {

namespace {
HealthParams params_of(const config::UpstreamConfig& c) {
    return {.rise = c.health.rise,
            .fall = c.health.fall,
            .max_fails = c.health.max_fails,
            .fail_timeout = c.health.fail_timeout,
            .slow_start = c.slow_start,
            .active_checks = !c.health.path.empty()};
}
}  // namespace

Cluster::Cluster(const config::UpstreamConfig& config, std::vector<ServerInfo> servers,
                 std::vector<boost::asio::ip::tcp::endpoint> endpoints,
                 std::vector<std::shared_ptr<BackendState>> states)
    : config_(config),
      endpoints_(std::move(endpoints)),
      health_(std::move(servers), params_of(config), std::move(states)),
      gate_(health_, config.queue) {}

Cluster::~Cluster() {
    checker_.reset();
}

void Cluster::start() {
    if (checker_) return;
    const auto now = SteadyClock::now();
    for (std::size_t i = 0; i < health_.size(); ++i) {
        health_.backend(i).prober.store(this, std::memory_order_relaxed);
        log_event(i, health_.adopt(i, now), "");
    }
    checker_ = std::make_unique<HealthChecker>(*this);
}

bool Cluster::probes(std::size_t i) const {
    return health_.backend(i).prober.load(std::memory_order_relaxed) == this;
}

void Cluster::log_event(std::size_t server, HealthEvent event, std::string_view why) const {
    const std::string& name = health_.info(server).name;
    auto ramp = config_.slow_start.count();
    switch (event) {
        case HealthEvent::None:
            return;
        case HealthEvent::WentDown:
            spdlog::warn("upstream {} is down after {} failed health checks ({})", name,
                         config_.health.fall, why);
            return;
        case HealthEvent::CameUp:
            spdlog::info("upstream {} is up after {} good health checks; slow start over {} ms",
                         name, config_.health.rise, ramp);
            return;
        case HealthEvent::Ejected:
            spdlog::warn("upstream {} ejected for {} ms after {} failed requests ({})", name,
                         config_.health.fail_timeout.count(), config_.health.max_fails, why);
            return;
        case HealthEvent::Recovered:
            spdlog::info("upstream {} recovered ({}); slow start over {} ms", name, why, ramp);
            return;
        case HealthEvent::Reinstated:
            spdlog::info(
                "upstream {} is back in use: the reloaded [upstream] has no check that could "
                "bring it back (health.path unset, or passive checks off); slow start over {} ms",
                name, ramp);
            return;
    }
}

}  // namespace larder::upstream
