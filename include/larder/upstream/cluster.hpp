// upstream::Cluster: the part of the upstream module that all workers share: the health table,
// the connection gate (max_connections and its queue) and the health checker thread.
//
// resolve_backends() creates one Cluster and every Backend it returns points to it, so the
// backend vector that main() hands to the server and its workers carries the shared state with
// it; the Cluster lives as long as that vector (until the daemon exits) and its destructor stops
// the checker thread before the table goes away. Workers keep only per-thread state (their
// Selector and idle connections, in Pool).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/upstream/gate.hpp"
#include "larder/upstream/health.hpp"

namespace larder::upstream {

class HealthChecker;

class Cluster {
  public:
    Cluster(const config::UpstreamConfig& config, std::vector<ServerInfo> servers,
            std::vector<boost::asio::ip::tcp::endpoint> endpoints);
    ~Cluster();

    // Starts the checker thread (active probes, recovery notices, the periodic state line).
    void start();

    HealthTable& health() { return health_; }
    ConnectionGate& gate() { return gate_; }
    const config::UpstreamConfig& config() const { return config_; }
    const boost::asio::ip::tcp::endpoint& endpoint(std::size_t i) const { return endpoints_[i]; }

    // Logs what a write to the health table changed (info when a server comes back, warn when
    // one goes away).
    void log_event(std::size_t server, HealthEvent event, std::string_view why) const;

  private:
    config::UpstreamConfig config_;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
    HealthTable health_;
    ConnectionGate gate_;
    std::unique_ptr<HealthChecker> checker_;
};

}  // namespace larder::upstream
