// upstream::Backend: one app server, resolved once at start-up.
//
// Invariant: `endpoint` is a concrete address; selection and pools refer to backends by index
// into the vector that resolve_backends() returns, which never changes while the daemon runs.
// Every Backend of that vector points to the same Cluster (health table, connection gate,
// health checker), which is how the state shared by all workers reaches them.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/upstream/cluster.hpp"

namespace larder::upstream {

struct Backend {
    std::string name;  // "host:port" as configured, for logs
    boost::asio::ip::tcp::endpoint endpoint;
    unsigned weight = 1;
    std::shared_ptr<Cluster> cluster;
};

// Resolves every configured server and starts the shared Cluster (with its checker thread).
// Throws std::runtime_error naming the server that fails.
std::vector<Backend> resolve_backends(const config::UpstreamConfig& upstream);

}  // namespace larder::upstream
