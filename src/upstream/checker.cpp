#include "larder/upstream/checker.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "larder/upstream/cluster.hpp"

namespace larder::upstream {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

HealthChecker::HealthChecker(Cluster& cluster) : cluster_(cluster) {
    const auto& health = cluster_.config().health;
    if (!health.path.empty()) {
        for (std::size_t i = 0; i < cluster_.health().size(); ++i)
            asio::co_spawn(io_, probe_loop(i), asio::detached);
    }
    asio::co_spawn(io_, housekeeping(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

HealthChecker::~HealthChecker() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
}

asio::awaitable<bool> HealthChecker::probe(std::size_t server, std::string& why) {
    const auto& health = cluster_.config().health;
    beast::tcp_stream stream(io_);
    stream.expires_after(health.timeout);
    auto [cec] = co_await stream.async_connect(cluster_.endpoint(server), nothrow);
    if (cec) {
        why = "connect: " + cec.message();
        co_return false;
    }
    std::string request = "GET " + health.path +
                          " HTTP/1.1\r\nHost: " + cluster_.health().info(server).name +
                          "\r\nUser-Agent: larder-health-check\r\nConnection: close\r\n\r\n";
    auto [wec, written] = co_await asio::async_write(stream, asio::buffer(request), nothrow);
    if (wec) {
        why = "send: " + wec.message();
        co_return false;
    }
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::empty_body> parser;
    parser.header_limit(16 * 1024);
    auto [rec, read] = co_await beast::http::async_read_header(stream, buffer, parser, nothrow);
    if (rec) {
        why = "read: " + rec.message();
        co_return false;
    }
    int status = static_cast<int>(parser.get().result_int());
    const auto& expect = health.expect_status;
    if (std::find(expect.begin(), expect.end(), status) == expect.end()) {
        why = "status " + std::to_string(status);
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> HealthChecker::probe_loop(std::size_t server) {
    const auto& health = cluster_.config().health;
    asio::steady_timer timer(io_);
    for (;;) {
        // A newer published generation lists this server: its checker probes it now.
        if (!cluster_.probes(server)) co_return;
        auto started = SteadyClock::now();
        std::string why;
        bool ok = co_await probe(server, why);
        HealthEvent event = cluster_.health().record_probe(server, ok, SteadyClock::now());
        if (event != HealthEvent::None)
            cluster_.log_event(server, event, ok ? "health check passed" : why);
        else if (!ok)
            spdlog::debug("upstream {}: health check failed: {}",
                          cluster_.health().info(server).name, why);
        timer.expires_at(started + health.interval);
        auto [ec] = co_await timer.async_wait(nothrow);
        if (ec) co_return;
    }
}

std::string HealthChecker::describe(Cluster& cluster, std::size_t server) {
    auto now = SteadyClock::now();
    const auto& table = cluster.health();
    auto s = table.snapshot(now)[server];
    return fmt::format(
        "upstream {}{}: {} weight={} effective={:.2f} active={} idle={} waiting={} "
        "latency_ewma={}us requests={} failures={}",
        s.name, s.backup ? " (backup)" : "", to_string(s.state), s.weight, s.weight * s.ramp,
        s.active, s.idle, cluster.gate().waiting(server), s.latency_us, s.requests, s.failures);
}

asio::awaitable<void> HealthChecker::housekeeping() {
    asio::steady_timer timer(io_);
    auto next_state_line = SteadyClock::now();
    for (;;) {
        auto now = SteadyClock::now();
        for (std::size_t i = 0; i < cluster_.health().size(); ++i) {
            HealthEvent event = cluster_.health().poll_recovery(i, now);
            if (event != HealthEvent::None) cluster_.log_event(i, event, "ejection over");
        }
        if (now >= next_state_line) {
            next_state_line = now + kStateLogPeriod;
            if (spdlog::should_log(spdlog::level::debug)) {
                for (std::size_t i = 0; i < cluster_.health().size(); ++i)
                    if (cluster_.probes(i)) spdlog::debug("{}", describe(cluster_, i));
            }
        }
        timer.expires_after(std::chrono::seconds(1));
        auto [ec] = co_await timer.async_wait(nothrow);
        if (ec) co_return;
    }
}

}  // namespace larder::upstream
