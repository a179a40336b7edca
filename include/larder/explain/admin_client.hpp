// explain::ask_admin: `larder explain --admin`'s one request to a running daemon's admin API
// (GET /explain?<query>), over plain HTTP/1.1 with Connection: close, bounded in time and size.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

namespace larder::explain {

class AdminError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// `address` is "host:port". Returns the answer's JSON (an {"error": ...} answer included, with
// its HTTP status folded in as "status"). Throws AdminError when the daemon cannot be reached,
// times out, refuses (401/403) or does not answer JSON.
boost::json::value ask_admin(const std::string& address, const std::string& query,
                             const std::string& token,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace larder::explain
