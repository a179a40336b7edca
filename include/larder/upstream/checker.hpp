// upstream::HealthChecker: active health checks and the periodic state line, on a thread of
// its own with its own io_context.
//
// Why its own thread rather than a coroutine on one worker's io_context: a probe measures the
// app server, and on a busy worker its timers and reads would fire late by however long that
// worker's queue is, turning the worker's load into false "slow server" verdicts; it also keeps
// the checker independent of which workers exist and of their drain order (main and the server
// never need to know it exists: the Cluster starts and stops it). The cost is one thread that
// sleeps almost all the time.
//
// For every server, every `interval`: connect, send `GET path` with Connection: close, read the
// status line and headers within `timeout`; a status in expect_status is a good probe, anything
// else (including a timeout or refused connect) a bad one. Results go to HealthTable::record_probe
// (rise/fall). Once a second it reports passive ejections that have ended, and every
// kStateLogPeriod it writes each server's state at debug level. No checks are sent when `path`
// is empty. A server a newer published generation also lists is probed by that generation's
// checker only (Cluster::probes): this one stops its probe loop, so a server is never probed
// with two configurations at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>

namespace larder::upstream {

class Cluster;

class HealthChecker {
  public:
    static constexpr std::chrono::seconds kStateLogPeriod{10};

    explicit HealthChecker(Cluster& cluster);
    ~HealthChecker();  // stops and joins the thread

    // Formats one server's state as the periodic line shows it.
    static std::string describe(Cluster& cluster, std::size_t server);

  private:
    boost::asio::awaitable<void> probe_loop(std::size_t server);
    boost::asio::awaitable<bool> probe(std::size_t server, std::string& why);
    boost::asio::awaitable<void> housekeeping();

    Cluster& cluster_;
    boost::asio::io_context io_;
    std::thread thread_;
};

}  // namespace larder::upstream
