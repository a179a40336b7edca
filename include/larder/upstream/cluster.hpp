// upstream::Cluster: one generation's [upstream] as all workers share it: the health table,
// the connection gate (max_connections and its queue) and the health checker thread.
//
// resolve_backends() creates one Cluster per generation whose [upstream] changed, and every
// Backend it returns points to it; the Cluster lives as long as that vector (as long as the
// generation, proxy::Upstreams) and its destructor stops the checker thread before the table
// goes away. The state behind the table and the gate is per server (BackendState), shared
// with the previous generation's Cluster for the servers both list, so a reload keeps it.
// start() runs when the generation is published (proxy::CurrentGeneration): it makes this
// Cluster the prober of its servers (an older generation's checker stops probing them),
// reconciles carried-over state with this generation's checks (HealthTable::adopt) and starts
// the checker. Workers keep only per-thread state (their Selector and idle connections, in
// Pool).
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
    // `states`: see HealthTable (empty: all new).
    Cluster(const config::UpstreamConfig& config, std::vector<ServerInfo> servers,
            std::vector<boost::asio::ip::tcp::endpoint> endpoints,
            std::vector<std::shared_ptr<BackendState>> states = {});
    ~Cluster();

    // Takes over probing its servers, reinstates the ones this generation's checks could never
    // bring back, and starts the checker thread (active probes, recovery notices, the periodic
    // state line). Once, when the generation is published; later calls do nothing.
    void start();
    // Whether this Cluster's checker probes server `i` (no newer published generation lists it).
    bool probes(std::size_t i) const;

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
