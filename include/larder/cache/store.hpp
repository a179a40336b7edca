// cache::Store: the in-memory response store. Sharded by key hash, LRU per shard, bounded by
// bytes (max_size, counting Object::charge()) and by object count (max_objects).
//
// Thread-safe: every worker calls lookup/insert concurrently; each shard has its own mutex and
// the critical sections are a hash lookup and a list splice. Eviction picks victims under the
// shard lock and they are released after it. An expired object is a miss (and is removed).
//
// Budgets are per shard: max_size / shards bytes and max(1, max_objects / shards) objects, so an
// object is refused when its charge() exceeds one shard's byte budget. `shards` is rounded up to
// a power of two, then halved while a shard's budget would hold fewer than 4 objects of
// max_object_size (a small store gets fewer shards rather than refusing large objects);
// limits() reports the value in use.
//
// Vary variants (vary.hpp): a response with Vary is stored under variant_key(primary, secondary)
// = primary '\x1e' secondary. Keys are sharded by their primary part only, so a primary and all
// its variants share one shard and one lock. Each shard keeps a small index primary → {the
// normalised Vary, variant secondaries, newest first}. For one primary there is either a plain
// object (no Vary) or variants, never both: inserting one kind removes the other, and a variant
// whose Vary differs from the index's replaces all older variants (the app changed its Vary).
// At most max_variants variants per primary: inserting one more drops the oldest-inserted one.
// resolve_variant(primary, request headers) gives the key to look up. erase(primary) erases
// the variants too. The index is not charged to max_size (at most max_variants short strings per
// stored primary); entries whose object expired are pruned when the primary is next resolved,
// erased or evicted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "larder/cache/object.hpp"
#include "larder/http/headers.hpp"

namespace larder::cache {

struct StoreLimits {
    std::size_t max_size = 256 * 1024 * 1024;
    std::size_t max_objects = 1'000'000;
    std::size_t max_object_size = 1024 * 1024;  // body size above which nothing is stored
    unsigned shards = 16;
    std::size_t max_variants = 8;  // Vary variants per primary key; 0 = variants refused
};

struct StoreStats {
    std::size_t objects = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t inserts = 0;
    std::uint64_t evictions = 0;  // removed to make room for an insert
    std::uint64_t expired = 0;    // removed by a lookup that found them stale (also a miss)
    std::uint64_t rejected = 0;   // inserts refused (too large)
};

class Store {
  public:
    explicit Store(StoreLimits limits);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // The fresh object for `key`, or nullptr. A hit moves the object to the front of its LRU.
    ObjectPtr lookup(std::string_view key, obs::TimePoint now);
    // Like lookup(), but also returns an expired object that is still retained for grace or
    // stale-if-error (Object::retain_until); the caller checks freshness.
    ObjectPtr lookup_servable(std::string_view key, obs::TimePoint now);
    // Stores (or replaces) an object; evicts least recently used objects to make room. Returns
    // false when the object is larger than max_object_size or than a shard can ever hold.
    bool insert(ObjectPtr object);
    // Erases `key`; for a primary key, every variant of it too.
    bool erase(std::string_view key);
    // The key to look up for a request: `primary` when it has no variants, else
    // variant_key(primary, secondary_key(vary, request_headers)). Prunes index entries whose
    // objects are gone.
    std::string resolve_variant(std::string_view primary, const http::HeaderList& request_headers);
    // resolve_variant + lookup in one call (one lock for each).
    ObjectPtr lookup(std::string_view primary, const http::HeaderList& request_headers,
                     obs::TimePoint now);
    // Number of variants indexed for `primary` (tests, stats).
    std::size_t variant_count(std::string_view primary);
    // Removes every object whose key starts with `prefix` (all of them for ""); returns how many.
    // Walks every shard, one lock at a time: meant for purge requests, not the hot path.
    std::size_t erase_prefix(std::string_view prefix);
    StoreStats stats() const;
    // Walks every shard and checks its accounting (bytes == sum of charge(), list == map, within
    // budget). O(n); for tests.
    bool check_invariants() const;
    const StoreLimits& limits() const { return limits_; }

  private:
    struct Shard;
    Shard& shard_for(std::string_view key);

    StoreLimits limits_;
    std::size_t shard_mask_ = 0;  // shards - 1
    std::unique_ptr<Shard[]> shards_;
};

}  // namespace larder::cache
