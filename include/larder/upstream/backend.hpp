// upstream::Backend: one app server as one configuration generation runs it, resolved when
// the generation is built.
//
// Invariant: `endpoint` is a concrete address; selection and pools refer to backends by index
// into the vector that resolve_backends() returns, which never changes while its generation
// lives (a reload builds a new vector). Every Backend of that vector points to the same Cluster
// (health table, connection gate, health checker), which is how the state shared by all
// workers reaches them; the per-server state behind it (BackendState) is carried over from the
// running generation's servers with the same identity.
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

// Resolves every configured server and makes the shared Cluster, whose servers carry over the
// state of `running`'s servers with the same identity (carry_over(); `running` may be empty).
// The Cluster is started (checker thread) when its generation is published. Throws
// std::runtime_error naming the server that fails.
std::vector<Backend> resolve_backends(const config::UpstreamConfig& upstream,
                                      const std::vector<Backend>& running = {});

}  // namespace larder::upstream
