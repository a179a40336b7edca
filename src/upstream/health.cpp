#include "larder/upstream/health.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace larder::upstream {

namespace {
constexpr std::int64_t kNever = HealthSlot::kNever;

std::int64_t ticks(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
std::int64_t ticks(std::chrono::milliseconds d) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

std::vector<std::shared_ptr<BackendState>> states_for(
    const std::vector<ServerInfo>& servers, std::vector<std::shared_ptr<BackendState>> states) {
    if (!states.empty()) return states;
    for (const auto& s : servers)
        states.push_back(
            std::make_shared<BackendState>(BackendIdentity{.name = s.name, .endpoint = {}}));
    return states;
}
}  // namespace

std::string_view to_string(ServerState s) {
    switch (s) {
        case ServerState::Up:
            return "up";
        case ServerState::Down:
            return "down";
        case ServerState::Ejected:
            return "ejected";
    }
    return "unknown";
}

std::string_view to_string(HealthEvent e) {
    switch (e) {
        case HealthEvent::None:
            return "none";
        case HealthEvent::WentDown:
            return "went_down";
        case HealthEvent::CameUp:
            return "came_up";
        case HealthEvent::Ejected:
            return "ejected";
        case HealthEvent::Recovered:
            return "recovered";
        case HealthEvent::Reinstated:
            return "reinstated";
    }
    return "unknown";
}

HealthTable::HealthTable(std::vector<ServerInfo> servers, HealthParams params,
                         std::vector<std::shared_ptr<BackendState>> states)
    : servers_(std::move(servers)),
      params_(params),
      states_(states_for(servers_, std::move(states))) {
    assert(states_.size() == servers_.size());
}

HealthTable::~HealthTable() = default;

bool HealthTable::available(std::size_t i, TimePoint now) const {
    const HealthSlot& s = slot(i);
    return s.probe_up.load(std::memory_order_relaxed) &&
           ticks(now) >= s.ejected_until.load(std::memory_order_relaxed);
}

ServerState HealthTable::state(std::size_t i, TimePoint now) const {
    const HealthSlot& s = slot(i);
    if (!s.probe_up.load(std::memory_order_relaxed)) return ServerState::Down;
    if (ticks(now) < s.ejected_until.load(std::memory_order_relaxed)) return ServerState::Ejected;
    return ServerState::Up;
}

double HealthTable::ramp(std::size_t i, TimePoint now) const {
    if (params_.slow_start.count() <= 0) return 1.0;
    std::int64_t start = slot(i).ramp_start.load(std::memory_order_relaxed);
    if (start == kNever) return 1.0;
    double elapsed = static_cast<double>(ticks(now) - start);
    return std::clamp(elapsed / static_cast<double>(ticks(params_.slow_start)), 0.0, 1.0);
}

std::uint32_t HealthTable::active(std::size_t i) const {
    return slot(i).active.load(std::memory_order_relaxed);
}

std::uint32_t HealthTable::idle(std::size_t i) const {
    return slot(i).idle.load(std::memory_order_relaxed);
}

HealthEvent HealthTable::record_probe(std::size_t i, bool ok, TimePoint now) {
    HealthSlot& s = slot(i);
    std::lock_guard lock(s.mutex);
    bool up = s.probe_up.load(std::memory_order_relaxed);
    if (ok) {
        s.bad_streak = 0;
        if (up) return HealthEvent::None;
        if (++s.good_streak < params_.rise) return HealthEvent::None;
        s.good_streak = 0;
        // `rise` good probes are newer evidence than the failed requests behind an ejection.
        s.ejected_until.store(kNever, std::memory_order_relaxed);
        s.ejected = false;
        s.ramp_start.store(ticks(now), std::memory_order_relaxed);
        s.probe_up.store(true, std::memory_order_relaxed);
        return HealthEvent::CameUp;
    }
    s.good_streak = 0;
    if (!up) return HealthEvent::None;
    if (++s.bad_streak < params_.fall) return HealthEvent::None;
    s.bad_streak = 0;
    s.probe_up.store(false, std::memory_order_relaxed);
    return HealthEvent::WentDown;
}

HealthEvent HealthTable::record_failure(std::size_t i, TimePoint now) {
    HealthSlot& s = slot(i);
    s.failures.fetch_add(1, std::memory_order_relaxed);
    // A pool of one server is never ejected: there is nothing better to send its requests to,
    // and its own errors tell the client more than a 503 would.
    if (!passive()) return HealthEvent::None;
    std::lock_guard lock(s.mutex);
    const std::int64_t t = ticks(now);
    if (t < s.ejected_until.load(std::memory_order_relaxed)) return HealthEvent::None;
    if (s.window_start == kNever || t - s.window_start > ticks(params_.fail_timeout)) {
        s.window_start = t;
        s.fails = 0;
    }
    if (++s.fails < params_.max_fails) return HealthEvent::None;
    s.fails = 0;
    s.window_start = kNever;
    const std::int64_t until = t + ticks(params_.fail_timeout);
    s.ramp_start.store(until, std::memory_order_relaxed);
    s.ejected_until.store(until, std::memory_order_relaxed);
    s.ejected = true;
    return HealthEvent::Ejected;
}

void HealthTable::record_success(std::size_t i, std::chrono::microseconds latency) {
    HealthSlot& s = slot(i);
    s.requests.fetch_add(1, std::memory_order_relaxed);
    // EWMA with alpha 1/8; concurrent updates may lose one sample, which is fine for a gauge.
    std::int64_t sample = latency.count();
    std::int64_t old = s.latency_us.load(std::memory_order_relaxed);
    std::int64_t next = old < 0 ? sample : old + (sample - old) / 8;
    s.latency_us.store(next, std::memory_order_relaxed);
}

HealthEvent HealthTable::poll_recovery(std::size_t i, TimePoint now) {
    HealthSlot& s = slot(i);
    std::lock_guard lock(s.mutex);
    if (!s.ejected || ticks(now) < s.ejected_until.load(std::memory_order_relaxed))
        return HealthEvent::None;
    s.ejected = false;
    return HealthEvent::Recovered;
}

HealthEvent HealthTable::adopt(std::size_t i, TimePoint now) {
    HealthSlot& s = slot(i);
    std::lock_guard lock(s.mutex);
    bool reinstated = false;
    if (!params_.active_checks && !s.probe_up.load(std::memory_order_relaxed)) {
        s.good_streak = s.bad_streak = 0;
        s.probe_up.store(true, std::memory_order_relaxed);
        reinstated = true;
    }
    if (!passive()) {
        s.fails = 0;
        s.window_start = kNever;
        if (ticks(now) < s.ejected_until.load(std::memory_order_relaxed)) reinstated = true;
        s.ejected_until.store(kNever, std::memory_order_relaxed);
        s.ejected = false;
    }
    if (!reinstated) return HealthEvent::None;
    s.ramp_start.store(ticks(now), std::memory_order_relaxed);
    return HealthEvent::Reinstated;
}

std::atomic<std::uint32_t>& HealthTable::active_counter(std::size_t i) {
    return slot(i).active;
}

std::vector<ServerSnapshot> HealthTable::snapshot(TimePoint now) const {
    std::vector<ServerSnapshot> out;
    out.reserve(servers_.size());
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        const HealthSlot& s = slot(i);
        out.push_back({.name = servers_[i].name,
                       .state = state(i, now),
                       .backup = servers_[i].backup,
                       .weight = servers_[i].weight,
                       .ramp = ramp(i, now),
                       .active = s.active.load(std::memory_order_relaxed),
                       .idle = s.idle.load(std::memory_order_relaxed),
                       .latency_us = s.latency_us.load(std::memory_order_relaxed),
                       .requests = s.requests.load(std::memory_order_relaxed),
                       .failures = s.failures.load(std::memory_order_relaxed)});
    }
    return out;
}

}  // namespace larder::upstream
