// upstream::Pool: one worker's keep-alive connections to the app servers, and server selection.
//
// A Pool belongs to one worker thread and is never shared, so it needs no locks. Idle
// connections are kept per backend (at most max_idle_per_server, newest reused first); one idle
// longer than idle_timeout is closed instead of reused, and close_stale(), which the worker runs
// every sweep, closes those and the ones the server closed, so an idle pool holds no file
// descriptor for longer than idle_timeout plus a sweep. Selection is this worker's Selector
// (selector.hpp) reading the Cluster's shared health table; the idle counts are mirrored into
// that table so the periodic state line and the admin API see every worker's.
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
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/upstream/backend.hpp"
#include "larder/upstream/selector.hpp"

namespace larder::upstream {

struct Connection {
    // What is waiting on a connection between two exchanges.
    enum class IdleState {
        Quiet,   // nothing: it may carry the next request
        Unread,  // bytes no request asked for (in `buffer` or on the socket)
        Closed,  // the server closed or reset it (or it is not open)
    };

    // Room for a typical head and page in one read: Beast reads into what the buffer has free
    // (at least 512 bytes), so an unreserved buffer took three reads for a 1 KiB page.
    static constexpr std::size_t kReadBufferSize = 16 * 1024;

    explicit Connection(boost::asio::any_io_executor ex, std::size_t backend_index)
        : stream(ex), backend(backend_index) {
        buffer.reserve(kReadBufferSize);
    }

    // Looks without blocking (a non-blocking MSG_PEEK recv) and consumes nothing. `unread`, when
    // given, gets how many bytes are waiting (buffered plus readable on the socket).
    IdleState idle_state(std::size_t* unread = nullptr);

    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
    std::size_t backend;
    std::chrono::steady_clock::time_point idle_since{};
    std::uint64_t requests = 0;
};

class Pool {
  public:
    Pool(boost::asio::any_io_executor executor, const std::vector<Backend>& backends,
         const config::UpstreamConfig& config);

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
    std::size_t idle_count(std::size_t backend) const { return idle_[backend].size(); }
    Cluster& cluster() { return *cluster_; }
    const config::UpstreamConfig& config() const { return config_; }
    const boost::asio::any_io_executor& executor() const { return executor_; }

  private:
    // Whether `c` may be pooled or reused; logs a connection dropped for unread bytes.
    bool quiet(Connection& c, const char* when) const;

    boost::asio::any_io_executor executor_;
    const std::vector<Backend>& backends_;
    const config::UpstreamConfig& config_;
    std::shared_ptr<Cluster> cluster_;
    Selector selector_;
    std::vector<std::vector<std::unique_ptr<Connection>>> idle_;
};

}  // namespace larder::upstream
