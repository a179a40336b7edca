// upstream::Backend: one app server, resolved once at start-up.
//
// Invariant: `endpoint` is a concrete address; selection and pools refer to backends by index
// into the vector that resolve_backends() returns, which never changes while the daemon runs.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <vector>

#include "larder/config/config.hpp"

namespace larder::upstream {

struct Backend {
    std::string name;  // "host:port" as configured, for logs
    boost::asio::ip::tcp::endpoint endpoint;
    unsigned weight = 1;
};

// Resolves every configured server. Throws std::runtime_error naming the server that fails.
std::vector<Backend> resolve_backends(const config::UpstreamConfig& upstream);

}  // namespace larder::upstream
