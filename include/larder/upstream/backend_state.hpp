// upstream::BackendState: what Larder knows about one app server, kept across configuration
// reloads for as long as the server stays in [upstream].
//
// One BackendState per configured server, held by shared_ptr from the Cluster of every
// generation that lists the server, and so shared by every worker and every generation: its
// health (probe result and streaks, passive failures and ejection, slow-start start, latency
// EWMA, request and failure counts), its in-flight and idle connection counts, and the queue of
// requests waiting for one of its max_connections slots. Each worker's idle keep-alive
// connections to it are an IdleList (idle_list.hpp) that the worker's pools of successive
// generations share while they share this state.
//
// Identity (BackendIdentity): the server as configured ("host:port") and the address it resolved
// to. A reload hands a server the running generation's state for the server with the same
// identity (carry_over(); a server listed twice gets two states, matched in order); a server
// that is new, or now resolves to another address, starts fresh (up, no ramp, no connections).
// Everything else about a server — weight, backup, max_connections — and every [upstream]
// setting (balance, health checks, passive-check thresholds, slow_start, retries, queue, pool
// sizes and timeouts) belongs to the generation: it applies to the state it carries over from
// the moment the generation is published, and changing it keeps the state.
//
// Who writes what: HealthTable (health.cpp) the `health` slot, through its atomics and, for
// writers, its mutex; ConnectionGate (gate.cpp) `health.active` and `queue`; IdleList
// `health.idle`. `prober` is the Cluster whose checker probes the server: set when a generation
// is published (Cluster::start), so the newest published generation that lists the server
// probes it and an older one that is still finishing requests stops.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace larder::upstream {

struct GateWaiter;  // gate.hpp

struct BackendIdentity {
    std::string name;  // "host:port" as configured
    boost::asio::ip::tcp::endpoint endpoint;

    bool operator==(const BackendIdentity&) const = default;
};

// The server's health and connection accounting (HealthTable's; see health.hpp).
struct alignas(64) HealthSlot {
    static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

    // Read by selection, lock-free.
    std::atomic<bool> probe_up{true};
    std::atomic<std::int64_t> ejected_until{kNever};  // steady clock, nanoseconds
    std::atomic<std::int64_t> ramp_start{kNever};
    std::atomic<std::uint32_t> active{0};  // requests in flight, all workers and generations
    std::atomic<std::uint32_t> idle{0};    // pooled connections, all workers
    std::atomic<std::int64_t> latency_us{-1};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> failures{0};
    // Writers only, under `mutex`.
    std::mutex mutex;
    unsigned good_streak = 0;
    unsigned bad_streak = 0;
    unsigned fails = 0;
    std::int64_t window_start = kNever;
    bool ejected = false;  // an ejection whose end has not been reported yet
};

// Requests waiting for one of the server's max_connections slots (ConnectionGate's).
struct WaitQueue {
    std::mutex mutex;
    std::deque<std::shared_ptr<GateWaiter>> waiters;  // under `mutex`
    std::atomic<std::size_t> length{0};               // waiters.size(), readable without it
};

class BackendState {
  public:
    explicit BackendState(BackendIdentity identity_in) : identity(std::move(identity_in)) {}
    BackendState(const BackendState&) = delete;
    BackendState& operator=(const BackendState&) = delete;

    const BackendIdentity identity;
    HealthSlot health;
    WaitQueue queue;
    std::atomic<const void*> prober{nullptr};  // the Cluster whose checker probes it
};

// The state each server of `wanted` runs with: the first one of `running` with the same
// identity that no earlier server of `wanted` took, or a new one.
std::vector<std::shared_ptr<BackendState>> carry_over(
    const std::vector<BackendIdentity>& wanted,
    const std::vector<std::shared_ptr<BackendState>>& running);

}  // namespace larder::upstream
