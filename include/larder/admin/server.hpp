// admin::AdminServer: the admin listener ([admin] listen), served by one thread of its own.
//
// Why a thread of its own: nothing the admin API does (rendering metrics, a purge walking the
// store, a slow admin client) runs on a worker's io_context, so the proxy's event loops never
// wait for it; the router's handlers (router.hpp) run here, one at a time. The I/O is Beast's
// HTTP/1.1 (keep-alive, one request at a time per connection); each request becomes an
// AdminRequest, Router::serve() answers it, and the answer goes back with Content-Length,
// Cache-Control: no-store and X-Content-Type-Options: nosniff.
//
// Bounds, whatever a client sends: request head 16 KiB (431), body 1 MiB (413), a malformed
// request or target gets 400 and the connection closes; every read and write has a 10 s
// deadline; at most 64 connections at once (more are closed on accept). bind() runs before any
// thread starts (the ready file names the real ports, port 0 included); stop() closes the
// listeners and joins the thread, dropping connections still open. The daemon stops it after
// the workers drained, so /healthz answers 503 for the whole drain.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "larder/admin/access.hpp"
#include "larder/admin/router.hpp"
#include "larder/config/config.hpp"

namespace larder::admin {

class AdminServer {
  public:
    static constexpr std::size_t kMaxConnections = 64;
    static constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
    static constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
    static constexpr std::chrono::seconds kTimeout{10};

    // `router` must not change once start() ran, and outlives this.
    AdminServer(const config::AdminConfig& config, const Router& router);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    // Binds every [admin] listen address; returns them as "host:port" with the real ports.
    // Throws std::runtime_error naming the address that cannot be bound.
    std::vector<std::string> bind();
    void start();
    void stop();

  private:
    boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor);
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

    const config::AdminConfig& config_;
    const Router& router_;
    AccessPolicy access_;
    std::size_t sessions_ = 0;  // the admin thread's alone; outlives io_ (session frames count)
    boost::asio::io_context io_{1};
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    std::thread thread_;
};

}  // namespace larder::admin
