// upstream::HealthTable: what every worker knows about every app server, shared by all threads.
//
// A table is one generation's view (index = position in its [[upstream.servers]], with that
// generation's ServerInfo and HealthParams) of the servers' BackendStates (backend_state.hpp),
// which successive generations share for the servers they have in common: a reload keeps what
// the table learned about an unchanged server. Each state's HealthSlot is cache-line aligned,
// read with relaxed atomics by selection on every request and written only by the health
// checker (probe results) and by passive-failure accounting (failed requests). Writers
// serialise per slot with a small mutex (they are rare: one probe per interval, one call per
// failed request); readers never lock. Connection accounting (active, idle) and the latency
// EWMA are plain atomic counters any worker updates.
//
// Invariants: a server is *available* when its last probes left it up and it is not ejected;
// after it comes back (rise, end of an ejection) its slow-start `ramp()` grows linearly from 0
// to 1 over `slow_start`. Coming up through the checker also ends a passive ejection (the
// good probes are the newer evidence). Servers start up and un-ramped: at start-up all of them join
// at once, so there is nobody to protect from the others. Time is always a parameter (`now`), so
// tests drive the state machine without sleeping. A state carried over by a reload is read with
// the new table's params from then on; adopt() (when the generation is published) clears what
// the new params could never end: a Down server when active checks are off, an ejection when
// passive checks do not apply. Plain C++ (Asio only for the endpoint type of an identity).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "larder/upstream/backend_state.hpp"

namespace larder::upstream {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

enum class ServerState {
    Up,       // probes pass (or none configured) and not ejected
    Down,     // `fall` consecutive probes failed; back after `rise` good ones
    Ejected,  // `max_fails` failed requests within `fail_timeout`; back after `fail_timeout`
};
std::string_view to_string(ServerState s);

// What a write to the table changed; the caller logs it.
enum class HealthEvent {
    None,
    WentDown,    // active: fall reached
    CameUp,      // active: rise reached
    Ejected,     // passive: max_fails reached
    Recovered,   // passive: ejection over
    Reinstated,  // a reload turned off the checks that kept it down or ejected (adopt())
};
std::string_view to_string(HealthEvent e);

struct ServerInfo {
    std::string name;
    unsigned weight = 1;
    bool backup = false;
    std::size_t max_connections = 0;  // 0 = no limit
};

struct HealthParams {
    unsigned rise = 2;
    unsigned fall = 3;
    unsigned max_fails = 3;  // 0 = passive checks off
    std::chrono::milliseconds fail_timeout{10'000};
    std::chrono::milliseconds slow_start{10'000};  // 0 = off
    bool active_checks = false;  // health.path is set: a checker probes the servers
};

struct ServerSnapshot {
    std::string name;
    ServerState state = ServerState::Up;
    bool backup = false;
    unsigned weight = 1;
    double ramp = 1.0;  // slow-start factor; effective weight = weight * ramp
    std::uint32_t active = 0;
    std::uint32_t idle = 0;
    std::int64_t latency_us = -1;  // EWMA of time to response header; -1 before the first
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
};

class HealthTable {
  public:
    // `states`: each server's state, carried over from the running generation or new
    // (carry_over()); empty: new states for all of them.
    HealthTable(std::vector<ServerInfo> servers, HealthParams params,
                std::vector<std::shared_ptr<BackendState>> states = {});
    ~HealthTable();
    HealthTable(const HealthTable&) = delete;
    HealthTable& operator=(const HealthTable&) = delete;

    std::size_t size() const { return servers_.size(); }
    const ServerInfo& info(std::size_t i) const { return servers_[i]; }
    const HealthParams& params() const { return params_; }
    BackendState& backend(std::size_t i) const { return *states_[i]; }
    const std::shared_ptr<BackendState>& shared_backend(std::size_t i) const { return states_[i]; }

    // --- read by selection (lock-free) ---
    bool available(std::size_t i, TimePoint now) const;
    ServerState state(std::size_t i, TimePoint now) const;
    // Slow-start factor in [0, 1].
    double ramp(std::size_t i, TimePoint now) const;
    std::uint32_t active(std::size_t i) const;
    std::uint32_t idle(std::size_t i) const;

    // --- written by the active checker ---
    HealthEvent record_probe(std::size_t i, bool ok, TimePoint now);

    // --- written by requests (passive checks) ---
    HealthEvent record_failure(std::size_t i, TimePoint now);
    void record_success(std::size_t i, std::chrono::microseconds latency);
    // Reports the end of an ejection once (the checker's housekeeping calls it).
    HealthEvent poll_recovery(std::size_t i, TimePoint now);

    // --- when the generation is published (Cluster::start) ---
    // Reinstates server `i` when this table's params could never end its state: Down with no
    // active checks (nothing would probe it up), ejected where passive checks do not apply
    // (max_fails = 0, or a single server). It comes back with a slow-start ramp from `now`.
    HealthEvent adopt(std::size_t i, TimePoint now);

    // --- connection accounting, by any worker (the idle count by IdleList) ---
    std::atomic<std::uint32_t>& active_counter(std::size_t i);

    std::vector<ServerSnapshot> snapshot(TimePoint now) const;

  private:
    HealthSlot& slot(std::size_t i) const { return states_[i]->health; }
    // Passive checks apply: a failed request counts towards an ejection.
    bool passive() const { return params_.max_fails > 0 && servers_.size() >= 2; }

    std::vector<ServerInfo> servers_;
    HealthParams params_;
    std::vector<std::shared_ptr<BackendState>> states_;
};

}  // namespace larder::upstream
