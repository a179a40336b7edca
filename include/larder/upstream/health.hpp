// upstream::HealthTable: what every worker knows about every app server, shared by all threads.
//
// One slot per server (index = position in the config), cache-line aligned, read with relaxed
// atomics by selection on every request and written only by the health checker (probe results)
// and by passive-failure accounting (failed requests). Writers serialise per slot with a small
// mutex (they are rare: one probe per interval, one call per failed request); readers never lock.
// Connection accounting (active, idle) and the latency EWMA are plain atomic counters any worker
// updates.
//
// Invariants: a server is *available* when its last probes left it up and it is not ejected;
// after it comes back (rise, end of an ejection) its slow-start `ramp()` grows linearly from 0
// to 1 over `slow_start`. Coming up through the checker also ends a passive ejection (the
// good probes are the newer evidence). Servers start up and un-ramped: at start-up all of them join
// at once, so there is nobody to protect from the others. Time is always a parameter (`now`), so
// tests drive the state machine without sleeping. Plain C++: no Asio here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

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
    WentDown,   // active: fall reached
    CameUp,     // active: rise reached
    Ejected,    // passive: max_fails reached
    Recovered,  // passive: ejection over
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
    HealthTable(std::vector<ServerInfo> servers, HealthParams params);
    ~HealthTable();
    HealthTable(const HealthTable&) = delete;
    HealthTable& operator=(const HealthTable&) = delete;

    std::size_t size() const { return servers_.size(); }
    const ServerInfo& info(std::size_t i) const { return servers_[i]; }
    const HealthParams& params() const { return params_; }

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

    // --- connection accounting, by any worker ---
    std::atomic<std::uint32_t>& active_counter(std::size_t i);
    void add_idle(std::size_t i, int delta);

    std::vector<ServerSnapshot> snapshot(TimePoint now) const;

  private:
    struct Slot;
    std::vector<ServerInfo> servers_;
    HealthParams params_;
    std::unique_ptr<Slot[]> slots_;
};

}  // namespace larder::upstream
