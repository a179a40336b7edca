#include "larder/upstream/gate.hpp"

#include <algorithm>

namespace larder::upstream {

ConnectionGate::ConnectionGate(HealthTable& table, std::size_t queue_limit)
    : table_(table), queue_limit_(queue_limit) {}

bool ConnectionGate::try_acquire(std::size_t server) {
    auto& active = table_.active_counter(server);
    if (!limited(server)) {
        active.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    const auto limit = static_cast<std::uint32_t>(table_.info(server).max_connections);
    std::uint32_t n = active.load(std::memory_order_relaxed);
    while (n < limit) {
        if (active.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel)) return true;
    }
    return false;
}

ConnectionGate::Enqueue ConnectionGate::enqueue(const std::shared_ptr<Waiter>& w) {
    WaitQueue& q = queue(w->server);
    std::lock_guard lock(q.mutex);
    // Under the lock: a release that found no waiter has already lowered the count.
    if (try_acquire(w->server)) return Enqueue::Acquired;
    if (q.waiters.size() >= queue_limit_) return Enqueue::Full;
    w->queued = true;
    q.waiters.push_back(w);
    q.length.store(q.waiters.size(), std::memory_order_relaxed);
    return Enqueue::Queued;
}

bool ConnectionGate::finish_wait(Waiter& w) {
    WaitQueue& q = queue(w.server);
    std::lock_guard lock(q.mutex);
    if (w.granted) return true;
    if (w.queued) {
        std::erase_if(q.waiters, [&](const auto& p) { return p.get() == &w; });
        q.length.store(q.waiters.size(), std::memory_order_relaxed);
        w.queued = false;
    }
    return false;
}

void ConnectionGate::release(std::size_t server) {
    auto& active = table_.active_counter(server);
    WaitQueue& q = queue(server);
    // Without a limit here, only a waiter of another generation (with one) can be queued.
    if (!limited(server) && q.length.load(std::memory_order_relaxed) == 0) {
        active.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(q.mutex);
    if (q.waiters.empty()) {
        active.fetch_sub(1, std::memory_order_acq_rel);
        return;
    }
    auto w = std::move(q.waiters.front());
    q.waiters.pop_front();
    q.length.store(q.waiters.size(), std::memory_order_relaxed);
    w->queued = false;
    w->granted = true;  // the slot passes to it; `active` stays as it is
    if (w->wake) w->wake();
}

std::size_t ConnectionGate::waiting(std::size_t server) const {
    return queue(server).length.load(std::memory_order_relaxed);
}

}  // namespace larder::upstream
