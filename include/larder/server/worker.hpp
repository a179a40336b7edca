// server::Worker: one event-loop thread with its own io_context, acceptors, sessions, upstream
// pool, pipeline and counters.
//
// Nothing in a worker is touched by another thread except through post() to its io_context
// (drain, listeners added or closed by a reload) and the relaxed reads of its counters. Each
// worker has its own SO_REUSEPORT acceptor on every listen address, so the kernel spreads
// connections over workers without a lock; the first acceptor of an address is bound with
// SO_REUSEPORT off and switched on before listen() (listen_first), so an address another process
// already holds cannot be joined (one instance per address, docs/operations.md).
// Configuration comes from the current proxy::Generation: current() hands out this worker's
// WorkerGeneration, rebuilt when a reload published a new generation (checked with one relaxed
// load), and every request pins the one it starts on.
// A sweeper timer enforces session deadlines at a fraction of the shortest client timeout, and
// closes pooled upstream connections idle past idle_timeout (or closed by the app); worker 0's
// also retires purges past their window (cache::Store::retire_purges).
// max_connections holds over all workers exactly: a worker accepts only when a client waits in
// its backlog and it has reserved a slot (compare-and-swap on active_connections), so no worker
// parked in accept can admit one too many. With none free, the waiting client has the daemon's
// oldest idle keep-alive connection closed (IdleConnections, on whichever worker holds it) and
// is accepted once that one is gone; with no idle connection anywhere it waits in the backlog
// until some connection ends.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "larder/obs/counters.hpp"
#include "larder/proxy/generation.hpp"
#include "larder/proxy/pipeline.hpp"
#include "larder/server/idle_connections.hpp"
#include "larder/server/worker_generation.hpp"

namespace larder::server {

class Session;
class Worker;

// Daemon-wide state every worker reads.
struct ServerState {
    // Client connections open or being accepted: a slot is reserved before accept
    // (Worker::reserve_connection) and given back when the session ends (Worker::detach).
    std::atomic<std::size_t> active_connections{0};
    // Idle connections asked to close for a new client that have not closed yet: they no longer
    // count against max_connections when deciding to ask for another.
    std::atomic<std::size_t> closing_for_room{0};
    std::atomic<bool> draining{false};
    std::vector<Worker*> workers;  // set before any worker thread starts; read-only after
};

class Worker {
  public:
    Worker(unsigned id, const proxy::CurrentGeneration& generations, obs::CounterShape shape,
           ServerState& state);
    ~Worker();

    // Binds an acceptor on `endpoint` for listener `listener` (SO_REUSEPORT); returns the port
    // actually bound. listen_first() binds with SO_REUSEPORT off (it fails when anything else
    // holds the address) and turns it on before listening, so this daemon's other workers can
    // join. Before run(), or on this worker's thread.
    std::uint16_t listen(const boost::asio::ip::tcp::endpoint& endpoint, std::size_t listener);
    std::uint16_t listen_first(const boost::asio::ip::tcp::endpoint& endpoint,
                               std::size_t listener);
    // Closes this worker's acceptors of `listener` (connections stay open). Before run(), or
    // on this worker's thread.
    void close_listener(std::size_t listener);
    // This worker's pipeline, pool and config for requests starting now. Worker thread only.
    const WorkerGenerationPtr& current();
    void run();  // the thread body; returns when the io_context stops
    void stop() { io_.stop(); }
    // Thread-safe: stop accepting and close idle sessions; busy ones close after their response.
    void begin_drain();

    boost::asio::io_context& io() { return io_; }
    obs::Counters& counters() { return counters_; }
    ServerState& state() { return state_; }
    unsigned id() const { return id_; }

    void attach(Session* s);
    void detach(Session* s);
    IdleConnections& idle_connections() { return idle_; }

  private:
    struct Acceptor {
        std::size_t listener;
        std::unique_ptr<boost::asio::ip::tcp::acceptor> socket;
    };

    std::uint16_t start_accepting(std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor,
                                  std::size_t listener);
    boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor);
    // Takes one of the max_connections slots; false when all are taken.
    bool reserve_connection(std::size_t max_connections);
    boost::asio::awaitable<void> sweep_loop();
    // At max_connections with a client waiting: has the daemon's oldest idle connection closed.
    void make_room();
    // On this worker's thread: closes its oldest idle connection. False when it has none, or when
    // that one has a request arriving (it leaves the list as soon as its session reads it): a
    // newer one here is then not closed in its place, because an older idle connection may live
    // on another worker; make_room() looks daemon-wide again at its next tick.
    bool close_oldest_idle();

    unsigned id_;
    const proxy::CurrentGeneration& generations_;
    ServerState& state_;
    boost::asio::io_context io_{1};
    // Closed ones stay until the worker ends (their accept loop may still refer to them).
    std::vector<Acceptor> acceptors_;
    boost::asio::steady_timer sweeper_{io_};
    obs::Counters counters_;
    WorkerGenerationPtr current_;
    Session* sessions_ = nullptr;
    IdleConnections idle_;
    std::chrono::steady_clock::time_point last_room_log_{};
};

}  // namespace larder::server
