// server::Server: the workers, their listeners, and an orderly stop.
//
// bind() opens every listen address on every worker before any thread starts (so the ready
// file can name the ports actually bound, port 0 included); start() runs one thread per worker;
// drain() stops accepting, lets in-flight requests finish for up to drain_timeout, then stops.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "larder/server/worker.hpp"

namespace larder::server {

class Server {
  public:
    Server(const proxy::Shared& shared, const std::vector<upstream::Backend>& backends);
    ~Server();

    // Binds every configured address; returns them as "host:port" with the real ports.
    // Throws std::runtime_error naming the address that cannot be bound.
    std::vector<std::string> bind();
    void start();
    // Blocks until every connection closed or `timeout` passed; returns the connections cut.
    std::size_t drain(std::chrono::milliseconds timeout);

    std::size_t workers() const { return workers_.size(); }
    // Every worker's counter block, for the admin API (summed at scrape time, relaxed loads).
    std::vector<const obs::Counters*> counters() const;
    // Open client connections and the draining flag, for the admin API.
    const ServerState& state() const { return state_; }
    std::size_t active_connections() const { return state_.active_connections.load(); }
    // Set once drain() starts; the pipeline reads it to say "Connection: close" on responses
    // still in flight.
    const std::atomic<bool>& draining() const { return state_.draining; }

  private:
    const proxy::Shared& shared_;
    ServerState state_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
};

}  // namespace larder::server
