// server::Server: the workers, their listeners, and an orderly stop.
//
// bind() opens every listen address on every worker before any thread starts (so the ready
// file can name the ports actually bound, port 0 included); start() runs one thread per worker;
// drain() stops accepting, lets in-flight requests finish for up to drain_timeout, then stops.
// Each address is bound first by worker 0 with SO_REUSEPORT off (Worker::listen_first), so an
// address that another process (another Larder) already serves fails with "address already in
// use" instead of silently sharing its traffic; the other workers then join with SO_REUSEPORT.
// rebind() (a reload) opens the addresses that are new and closes the acceptors of those that
// are gone; listeners on unchanged addresses, and every open connection, are untouched.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "larder/server/worker.hpp"

namespace larder::server {

class Server {
  public:
    Server(const proxy::CurrentGeneration& generations, obs::CounterShape shape);
    ~Server();

    // Binds every configured address; returns them as "host:port" with the real ports.
    // Throws std::runtime_error naming the address that cannot be bound.
    std::vector<std::string> bind();
    // Makes the listeners those of `listen`: binds the new addresses (on every worker), then
    // closes the ones no longer listed. Returns every address as bind() does. When a new address
    // cannot be bound, closes what it opened, changes nothing and throws std::runtime_error
    // naming it. Call from one thread at a time (the reload), after start().
    std::vector<std::string> rebind(const std::vector<config::HostPort>& listen);
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
    struct Listener {
        config::HostPort configured;
        std::string bound;  // "host:port", the real port
        std::size_t id;
    };

    // Binds `address` on every worker (on their threads once started); returns the listener.
    Listener open(const config::HostPort& address);
    // Closes `listener`'s acceptors; returns once every worker has.
    void close(const Listener& listener);
    void close_on(Worker& worker, std::size_t listener);

    const proxy::CurrentGeneration& generations_;
    ServerState state_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
    std::vector<Listener> listeners_;
    std::size_t next_listener_ = 0;
    bool started_ = false;
};

}  // namespace larder::server
