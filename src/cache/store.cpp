// cache::Store: shards of detail::Lru, each behind its own mutex.
//
// Every object that leaves a shard (replaced, evicted, expired, erased) is moved out under the
// lock into a local declared before the lock guard, so it is dropped after the lock is released:
// freeing a large body never happens while other workers wait on the shard.
#include "larder/cache/store.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <mutex>
#include <vector>

#include "lru.hpp"

namespace larder::cache {

// Each shard on its own cache lines, so workers on different shards do not share a mutex line.
struct alignas(64) Store::Shard {
    std::mutex mu;
    std::unique_ptr<detail::Lru> lru;
    std::uint64_t rejected = 0;  // guarded by mu
};

Store::Store(StoreLimits limits) : limits_(limits) {
    limits_.shards = limits_.shards <= 1 ? 1u : std::bit_ceil(limits_.shards);
    while (limits_.shards > 1 && limits_.max_size / limits_.shards < 4 * limits_.max_object_size)
        limits_.shards /= 2;
    shard_mask_ = limits_.shards - 1;
    shards_ = std::make_unique<Shard[]>(limits_.shards);
    const std::size_t bytes = limits_.max_size / limits_.shards;
    const std::size_t objects = std::max<std::size_t>(1, limits_.max_objects / limits_.shards);
    for (unsigned i = 0; i < limits_.shards; ++i)
        shards_[i].lru = std::make_unique<detail::Lru>(bytes, objects);
}

Store::~Store() = default;

Store::Shard& Store::shard_for(std::string_view key) {
    // The map's buckets use this hash modulo a prime; the shard comes from the high bits of a
    // multiplicative scramble of it, so the two choices stay independent.
    const std::uint64_t h =
        static_cast<std::uint64_t>(detail::KeyHash{}(key)) * 0x9E3779B97F4A7C15ull;
    return shards_[(h >> 32) & shard_mask_];
}

ObjectPtr Store::lookup(std::string_view key, obs::TimePoint now) {
    Shard& s = shard_for(key);
    ObjectPtr expired;
    std::lock_guard lock(s.mu);
    return s.lru->lookup(key, now, expired);
}

bool Store::insert(ObjectPtr object) {
    if (!object) return false;
    Shard& s = shard_for(object->key);
    const bool too_large = object->body.size() > limits_.max_object_size;
    std::vector<ObjectPtr> released;
    if (!too_large) released.reserve(4);  // allocate outside the lock in the common case
    std::lock_guard lock(s.mu);
    if (too_large || !s.lru->insert(std::move(object), released)) {
        ++s.rejected;
        return false;
    }
    return true;
}

bool Store::erase(std::string_view key) {
    Shard& s = shard_for(key);
    ObjectPtr removed;
    std::lock_guard lock(s.mu);
    removed = s.lru->erase(key);
    return removed != nullptr;
}

std::size_t Store::erase_prefix(std::string_view prefix) {
    std::size_t n = 0;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::vector<ObjectPtr> released;
        std::lock_guard lock(s.mu);
        n += s.lru->erase_prefix(prefix, released);
    }
    return n;
}

StoreStats Store::stats() const {
    StoreStats total;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        const auto& c = s.lru->counters();
        total.objects += s.lru->size();
        total.bytes += s.lru->bytes();
        total.hits += c.hits;
        total.misses += c.misses;
        total.inserts += c.inserts;
        total.evictions += c.evictions;
        total.expired += c.expired;
        total.rejected += s.rejected;
    }
    return total;
}

bool Store::check_invariants() const {
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        if (!s.lru->check_invariants()) return false;
    }
    return true;
}

}  // namespace larder::cache
