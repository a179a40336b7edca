// upstream::Pool: one worker's keep-alive connections to the app servers, and server selection.
//
// A Pool belongs to one worker thread and one configuration generation and is never shared
// with another thread, so it needs no locks. Idle connections are kept per backend in an
// IdleList (at most max_idle_per_server, newest reused first); one idle longer than
// idle_timeout is closed instead of reused, and close_stale(), which the worker runs every sweep
// on its newest pool, closes those and the ones the server closed, so an idle pool holds no
// file descriptor for longer than idle_timeout plus a sweep. Selection is this worker's Selector
// (selector.hpp) reading the Cluster's shared health table; the idle counts are mirrored into
// that table so the periodic state line and the admin API see every worker's.
//
// Across a reload: the worker's pool for the new generation is made from its previous one,
// whose IdleLists it shares for the servers both list (same BackendState), so pooled
// connections to unchanged servers are reused, including those the old generation's requests
// in flight give back. The previous pool's lists for servers the new generation dropped are
// retired at once: their idle connections close, and so does each connection a request in
// flight gives back to them.
//
// Invariant: a pooled connection has nothing to read. Any byte an app server sends on a
// connection with no request outstanding (left over after a response, or sent while it sat idle)
// would otherwise be read as the answer to the next request, from another client, and could be
// cached; an end of stream means the server closed it while idle. So a connection given back
// with bytes in its buffer is closed, and right before a pooled connection is reused (and at
// every sweep) it is checked without blocking (Connection::idle_state: buffer and socket); one
// that is not Quiet is closed, never reused. (One look per request: the socket is not peeked at
// give-back too, since anything there then is still there at reuse.)
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/upstream/backend.hpp"
#include "larder/upstream/connection.hpp"
#include "larder/upstream/idle_list.hpp"
#include "larder/upstream/selector.hpp"

namespace larder::upstream {

class Pool {
  public:
    // `previous`: this worker's pool of the generation it ran before, or null. The new pool
    // shares its idle connections to the servers both list and retires its others.
    Pool(boost::asio::any_io_executor executor, const std::vector<Backend>& backends,
         const config::UpstreamConfig& config, Pool* previous = nullptr);

    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // The backend the next request should go to, skipping those marked in `tried`; nullopt
    // when no server is available.
    std::optional<std::size_t> pick(std::string_view hash_key, const std::vector<bool>& tried);
    // An idle keep-alive connection to `backend` that is still Quiet, or nullptr. Those found
    // expired, closed by the server or holding unread bytes are closed on the way.
    std::unique_ptr<Connection> take_idle(std::size_t backend);
    // Closes the idle connections unused for idle_timeout, closed by the server or holding
    // unread bytes.
    void close_stale(std::chrono::steady_clock::time_point now);
    // A new, unconnected connection to `backend`.
    std::unique_ptr<Connection> make(std::size_t backend);
    // Returns a connection whose last response was complete and kept alive; it is pooled only
    // when Quiet (bytes beyond the end of the response, or a close, and it is closed instead).
    void give_back(std::unique_ptr<Connection> connection);

    const Backend& backend(std::size_t index) const { return backends_[index]; }
    std::size_t size() const { return backends_.size(); }
    std::size_t idle_count(std::size_t backend) const { return idle_[backend]->size(); }
    Cluster& cluster() { return *cluster_; }
    const config::UpstreamConfig& config() const { return config_; }
    const boost::asio::any_io_executor& executor() const { return executor_; }

  private:
    // Whether `c` may be pooled or reused; logs a connection to `backend` dropped for unread
    // bytes.
    bool quiet(Connection& c, std::size_t backend, const char* when) const;

    boost::asio::any_io_executor executor_;
    const std::vector<Backend>& backends_;
    const config::UpstreamConfig& config_;
    std::shared_ptr<Cluster> cluster_;
    Selector selector_;
    std::vector<std::shared_ptr<IdleList>> idle_;  // by backend index
};

}  // namespace larder::upstream
