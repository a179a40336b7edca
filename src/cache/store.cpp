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
#include <string>
#include <unordered_map>
#include <vector>

#include "larder/cache/vary.hpp"
#include "lru.hpp"

namespace larder::cache {

namespace {

// The variants of one primary key (see store.hpp).
struct VariantSet {
    std::string vary;                      // normalised Vary names
    std::vector<std::string> secondaries;  // newest first
};

struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return detail::KeyHash{}(s); }
};

using VariantIndex = std::unordered_map<std::string, VariantSet, TransparentHash, std::equal_to<>>;

}  // namespace

// Each shard on its own cache lines, so workers on different shards do not share a mutex line.
struct alignas(64) Store::Shard {
    std::mutex mu;
    std::unique_ptr<detail::Lru> lru;
    std::uint64_t rejected = 0;  // guarded by mu
    VariantIndex variants;       // guarded by mu

    // Drops the index entry of a variant object that left the LRU.
    void forget_variant(std::string_view key) {
        const auto sep = key.find(kVariantSeparator);
        if (sep == std::string_view::npos) return;
        auto it = variants.find(key.substr(0, sep));
        if (it == variants.end()) return;
        auto& list = it->second.secondaries;
        list.erase(std::remove(list.begin(), list.end(), key.substr(sep + 1)), list.end());
        if (list.empty()) variants.erase(it);
    }
    void forget_released(const std::vector<ObjectPtr>& released, std::string_view except) {
        for (const auto& o : released)
            if (o && o->key != except) forget_variant(o->key);
    }
    // Erases every variant object of `primary` and its index entry.
    void erase_variants(std::string_view primary, std::vector<ObjectPtr>& released) {
        auto it = variants.find(primary);
        if (it == variants.end()) return;
        for (const auto& secondary : it->second.secondaries)
            if (auto o = lru->erase(variant_key(primary, secondary)))
                released.push_back(std::move(o));
        variants.erase(it);
    }
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
    // Variants hash by their primary part, so they share the primary's shard.
    const std::uint64_t h =
        static_cast<std::uint64_t>(detail::KeyHash{}(primary_of(key))) * 0x9E3779B97F4A7C15ull;
    return shards_[(h >> 32) & shard_mask_];
}

ObjectPtr Store::lookup(std::string_view key, obs::TimePoint now) {
    Shard& s = shard_for(key);
    ObjectPtr expired;
    std::lock_guard lock(s.mu);
    ObjectPtr found = s.lru->lookup(key, now, expired);
    if (expired) s.forget_variant(expired->key);
    return found;
}

std::string Store::resolve_variant(std::string_view primary,
                                   const http::HeaderList& request_headers) {
    Shard& s = shard_for(primary);
    std::string vary;
    {
        std::lock_guard lock(s.mu);
        auto it = s.variants.find(primary);
        if (it == s.variants.end()) return std::string(primary);
        auto& list = it->second.secondaries;
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const std::string& sec) {
                                      return !s.lru->contains(variant_key(primary, sec));
                                  }),
                   list.end());
        if (list.empty()) {
            s.variants.erase(it);
            return std::string(primary);
        }
        vary = it->second.vary;
    }
    return variant_key(primary, secondary_key(vary, request_headers));  // outside the lock
}

ObjectPtr Store::lookup(std::string_view primary, const http::HeaderList& request_headers,
                        obs::TimePoint now) {
    return lookup(resolve_variant(primary, request_headers), now);
}

std::size_t Store::variant_count(std::string_view primary) {
    Shard& s = shard_for(primary);
    std::lock_guard lock(s.mu);
    auto it = s.variants.find(primary);
    return it == s.variants.end() ? 0 : it->second.secondaries.size();
}

ObjectPtr Store::lookup_servable(std::string_view key, obs::TimePoint now) {
    Shard& s = shard_for(key);
    ObjectPtr expired;
    std::lock_guard lock(s.mu);
    ObjectPtr found = s.lru->lookup(key, now, expired, true);
    if (expired) s.forget_variant(expired->key);
    return found;
}

bool Store::insert(ObjectPtr object) {
    if (!object) return false;
    Shard& s = shard_for(object->key);
    const bool too_large = object->body.size() > limits_.max_object_size;
    std::vector<ObjectPtr> released;
    if (!too_large) released.reserve(4);       // allocate outside the lock in the common case
    const std::string_view key = object->key;  // stays valid: `released` or the LRU holds it
    const auto sep = key.find(kVariantSeparator);
    const bool variant = sep != std::string_view::npos;
    ObjectPtr keep_alive = object;  // `key` and `vary` view it after the move below
    std::lock_guard lock(s.mu);
    if (too_large || (variant && limits_.max_variants == 0) ||
        !s.lru->insert(std::move(object), released)) {
        ++s.rejected;
        return false;
    }
    s.forget_released(released, key);
    if (!variant) {
        s.erase_variants(key, released);  // a plain response replaces all variants
        return true;
    }
    const std::string_view primary = key.substr(0, sep);
    const std::string_view secondary = key.substr(sep + 1);
    if (auto plain = s.lru->erase(primary)) released.push_back(std::move(plain));
    auto it = s.variants.find(primary);
    if (it != s.variants.end() && it->second.vary != keep_alive->meta.vary) {
        for (const auto& old : it->second.secondaries)  // the app changed its Vary
            if (old != secondary)
                if (auto o = s.lru->erase(variant_key(primary, old)))
                    released.push_back(std::move(o));
        s.variants.erase(it);
        it = s.variants.end();
    }
    if (it == s.variants.end())
        it = s.variants.emplace(std::string(primary), VariantSet{keep_alive->meta.vary, {}}).first;
    auto& list = it->second.secondaries;
    list.erase(std::remove(list.begin(), list.end(), secondary), list.end());
    list.insert(list.begin(), std::string(secondary));
    while (list.size() > limits_.max_variants) {
        if (auto o = s.lru->erase(variant_key(primary, list.back())))
            released.push_back(std::move(o));
        list.pop_back();
    }
    return true;
}

bool Store::erase(std::string_view key) {
    Shard& s = shard_for(key);
    ObjectPtr removed;
    std::vector<ObjectPtr> variants;
    std::lock_guard lock(s.mu);
    removed = s.lru->erase(key);
    if (removed) s.forget_variant(key);
    if (key.find(kVariantSeparator) == std::string_view::npos) s.erase_variants(key, variants);
    return removed != nullptr || !variants.empty();
}

std::size_t Store::erase_prefix(std::string_view prefix) {
    std::size_t n = 0;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::vector<ObjectPtr> released;
        std::lock_guard lock(s.mu);
        n += s.lru->erase_prefix(prefix, released);
        s.forget_released(released, {});
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
        // Every variant object is indexed under its primary; no primary has both kinds; every
        // index entry is within max_variants and non-empty.
        for (std::string_view key : s.lru->keys_mru_first()) {
            const auto sep = key.find(kVariantSeparator);
            if (sep == std::string_view::npos) {
                if (s.variants.count(key)) return false;
                continue;
            }
            auto it = s.variants.find(key.substr(0, sep));
            if (it == s.variants.end()) return false;
            const auto& list = it->second.secondaries;
            if (std::find(list.begin(), list.end(), key.substr(sep + 1)) == list.end())
                return false;
        }
        for (const auto& [primary, set] : s.variants)
            if (set.secondaries.empty() || set.secondaries.size() > limits_.max_variants)
                return false;
    }
    return true;
}

}  // namespace larder::cache
