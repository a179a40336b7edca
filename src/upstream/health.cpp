#include "larder/upstream/health.hpp"

#include <algorithm>
#include <limits>

namespace larder::upstream {

namespace {
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

std::int64_t ticks(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
std::int64_t ticks(std::chrono::milliseconds d) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}
}  // namespace

struct alignas(64) HealthTable::Slot {
    // Read by selection.
    std::atomic<bool> probe_up{true};
    std::atomic<std::int64_t> ejected_until{kNever};
    std::atomic<std::int64_t> ramp_start{kNever};
    std::atomic<std::uint32_t> active{0};
    std::atomic<std::uint32_t> idle{0};
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
    }
    return "unknown";
}

HealthTable::HealthTable(std::vector<ServerInfo> servers, HealthParams params)
    : servers_(std::move(servers)),
      params_(params),
      slots_(std::make_unique<Slot[]>(servers_.size())) {}

HealthTable::~HealthTable() = default;

bool HealthTable::available(std::size_t i, TimePoint now) const {
    const Slot& s = slots_[i];
    return s.probe_up.load(std::memory_order_relaxed) &&
           ticks(now) >= s.ejected_until.load(std::memory_order_relaxed);
}

ServerState HealthTable::state(std::size_t i, TimePoint now) const {
    const Slot& s = slots_[i];
    if (!s.probe_up.load(std::memory_order_relaxed)) return ServerState::Down;
    if (ticks(now) < s.ejected_until.load(std::memory_order_relaxed)) return ServerState::Ejected;
    return ServerState::Up;
}

double HealthTable::ramp(std::size_t i, TimePoint now) const {
    if (params_.slow_start.count() <= 0) return 1.0;
    std::int64_t start = slots_[i].ramp_start.load(std::memory_order_relaxed);
    if (start == kNever) return 1.0;
    double elapsed = static_cast<double>(ticks(now) - start);
    return std::clamp(elapsed / static_cast<double>(ticks(params_.slow_start)), 0.0, 1.0);
}

std::uint32_t HealthTable::active(std::size_t i) const {
    return slots_[i].active.load(std::memory_order_relaxed);
}

std::uint32_t HealthTable::idle(std::size_t i) const {
    return slots_[i].idle.load(std::memory_order_relaxed);
}

HealthEvent HealthTable::record_probe(std::size_t i, bool ok, TimePoint now) {
    Slot& s = slots_[i];
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
    Slot& s = slots_[i];
    s.failures.fetch_add(1, std::memory_order_relaxed);
    // A pool of one server is never ejected: there is nothing better to send its requests to,
    // and its own errors tell the client more than a 503 would.
    if (params_.max_fails == 0 || servers_.size() < 2) return HealthEvent::None;
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
    Slot& s = slots_[i];
    s.requests.fetch_add(1, std::memory_order_relaxed);
    // EWMA with alpha 1/8; concurrent updates may lose one sample, which is fine for a gauge.
    std::int64_t sample = latency.count();
    std::int64_t old = s.latency_us.load(std::memory_order_relaxed);
    std::int64_t next = old < 0 ? sample : old + (sample - old) / 8;
    s.latency_us.store(next, std::memory_order_relaxed);
}

HealthEvent HealthTable::poll_recovery(std::size_t i, TimePoint now) {
    Slot& s = slots_[i];
    std::lock_guard lock(s.mutex);
    if (!s.ejected || ticks(now) < s.ejected_until.load(std::memory_order_relaxed))
        return HealthEvent::None;
    s.ejected = false;
    return HealthEvent::Recovered;
}

std::atomic<std::uint32_t>& HealthTable::active_counter(std::size_t i) {
    return slots_[i].active;
}

void HealthTable::add_idle(std::size_t i, int delta) {
    if (delta >= 0)
        slots_[i].idle.fetch_add(static_cast<std::uint32_t>(delta), std::memory_order_relaxed);
    else
        slots_[i].idle.fetch_sub(static_cast<std::uint32_t>(-delta), std::memory_order_relaxed);
}

std::vector<ServerSnapshot> HealthTable::snapshot(TimePoint now) const {
    std::vector<ServerSnapshot> out;
    out.reserve(servers_.size());
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        const Slot& s = slots_[i];
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
