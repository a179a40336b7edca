// cache::detail::Lru: one shard of the store, without its lock. Internal to src/cache/.
//
// A hash map from key to Entry, where the map node itself is the LRU list link (an intrusive,
// circular, doubly linked list through a sentinel): one allocation per object. The map key is a
// string_view into the entry's own Object::key, so keys are never copied; when an entry is
// replaced, its node is extracted and re-keyed onto the new object before the old one goes.
//
// Invariants (checked by check_invariants() in tests):
//   - bytes_ == sum of charge() over stored objects, count == map size == list length;
//   - bytes_ <= max_bytes_ and size() <= max_objects_ after every public call;
//   - front of the list is the most recently used entry, back the least.
// Nothing here frees an Object: every object leaving the shard is handed back to the caller
// (`released`), who drops it after releasing the shard's lock.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/cache/object.hpp"

namespace larder::cache::detail {

struct Entry {
    ObjectPtr object;
    Entry* prev = nullptr;
    Entry* next = nullptr;
};

// libstdc++'s std::hash<string_view> (murmur-based) mixes well enough for both uses: the map's
// bucket index and, after a multiplicative scramble, the shard index (see Store).
using KeyHash = std::hash<std::string_view>;

template <class Alloc>
using BasicEntryMap =
    std::unordered_map<std::string_view, Entry, KeyHash, std::equal_to<std::string_view>, Alloc>;
using EntryMap = BasicEntryMap<std::allocator<std::pair<const std::string_view, Entry>>>;

struct LruCounters {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t inserts = 0;
    std::uint64_t evictions = 0;  // removed to make room
    std::uint64_t expired = 0;    // removed because a lookup found them stale
};

class Lru {
  public:
    Lru(std::size_t max_bytes, std::size_t max_objects);
    ~Lru();
    Lru(const Lru&) = delete;
    Lru& operator=(const Lru&) = delete;

    // The fresh object (moved to the front) or nullptr; an expired one is moved into `expired`.
    // The object for `key` when fresh (or, with allow_stale, when still retained for grace or
    // errors); an object past its retention is removed into `expired`.
    ObjectPtr lookup(std::string_view key, obs::TimePoint now, ObjectPtr& expired,
                     bool allow_stale = false);
    // Inserts or replaces; the replaced object and any evicted ones go to `released`. False (and
    // nothing changes) when the object alone exceeds the shard's byte budget.
    bool insert(ObjectPtr object, std::vector<ObjectPtr>& released);
    ObjectPtr erase(std::string_view key);
    bool contains(std::string_view key) const { return map_.find(key) != map_.end(); }
    std::size_t erase_prefix(std::string_view prefix, std::vector<ObjectPtr>& released);

    std::size_t bytes() const { return bytes_; }
    std::size_t size() const { return map_.size(); }
    std::size_t max_bytes() const { return max_bytes_; }
    const LruCounters& counters() const { return counters_; }
    // Keys from most to least recently used (tests and debugging).
    std::vector<std::string_view> keys_mru_first() const;
    bool check_invariants() const;

  private:
    void link_front(Entry* e);
    static void unlink(Entry* e);
    // Unlinks and erases the entry; returns its object.
    ObjectPtr remove(EntryMap::iterator it);

    std::size_t max_bytes_;
    std::size_t max_objects_;
    std::size_t bytes_ = 0;
    EntryMap map_;
    Entry sentinel_;  // sentinel_.next = most recent, sentinel_.prev = least recent
    LruCounters counters_;
};

}  // namespace larder::cache::detail
