// cache::detail::Lru: one shard of the store without its lock: the per-key entries
// (entry.hpp), the eviction queue over their objects, the URL index and the hit-for-pass
// markers. Internal to src/cache/; the Store takes the shard's mutex around every call.
//
// Eviction is CLOCK (second chance), an approximation of LRU: objects sit in one queue in
// insertion order; a hit only sets the slot's `referenced` flag (and only when it is not set
// yet); the hand takes the oldest object and, when its flag is set, clears it and moves it to the
// front instead of evicting it. Why not a true LRU: relinking on every hit writes the slot, both
// neighbours and the list head, so every hit on any key of the shard dirties shared cache lines
// and lengthens the critical section; the flag writes one byte of a line the hit already reads,
// and does not write at all on repeated hits of a hot object. The flag is a plain bool, not an
// atomic: the hit holds the shard lock anyway (the same call decides coalescing). An object that
// was never hit since it reached the front goes first, as in an LRU; the order among hit objects
// is approximate (at most one pass of the hand late).
//
// Invariants (checked by check_invariants() in tests):
//   - bytes_ == sum of charge() over stored objects; size() == queue length == sum of the
//     entries' slot counts; after every public call bytes_ <= max_bytes_ and
//     size() <= max_objects_;
//   - the entry invariants of entry.hpp; no entry is empty (no slot, no flight, no marker);
//   - every object with a url is on exactly one URL list, whose map key views the list head's
//     object->url; the marker list holds exactly the marked entries, at most max_markers_.
// Nothing here frees an Object under the lock: every object leaving the shard is handed back to
// the caller (`released`, or a return value), who drops it after releasing the shard's lock.
// Entries are erased only by erase_if_empty() and the bulk operations, never under a caller that
// still uses them: callers pass the entry they hold as `keep`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "entry.hpp"
#include "larder/cache/object.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache::detail {

struct LruCounters {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t inserts = 0;
    std::uint64_t evictions = 0;  // removed to make room
    std::uint64_t expired = 0;    // removed past their retention, or judged unusable
    std::uint64_t coalesced = 0;  // lookups answered Follower
    std::uint64_t hit_for_pass = 0;
};

class Lru {
  public:
    using Predicate = std::function<bool(const Object&)>;

    Lru(std::size_t max_bytes, std::size_t max_objects, std::size_t max_markers);
    ~Lru();
    Lru(const Lru&) = delete;
    Lru& operator=(const Lru&) = delete;

    Entry* find(KeyRef key);
    Entry& find_or_create(KeyRef key);
    // The entry's slot for the plain object (variant == false) or for `secondary`, or nullptr.
    static Slot* slot_of(Entry& e, bool variant, std::string_view secondary);
    static void touch(Slot& s) {
        if (!s.referenced) s.referenced = true;
    }

    // Stores `object` in `e` (whose key must be the object's primary): replaces the object of the
    // same key; a plain object replaces all variants and a variant the plain object; a variant
    // whose Vary differs from e.vary replaces every variant; beyond max_variants the oldest
    // variant goes; then objects are evicted until it fits. Clears e's hit-for-pass marker.
    // Preconditions (checked by the Store): charge() <= max_bytes(), and max_variants > 0 for a
    // variant. `e` is never erased here, even when eviction empties it before the insert.
    void insert(Entry& e, ObjectPtr object, std::size_t max_variants,
                std::vector<ObjectPtr>& released);
    // Unlinks a slot and returns its object; its entry stays, even when empty.
    ObjectPtr remove(Slot* s);
    void remove_all(Entry& e, std::vector<ObjectPtr>& released);
    // Erases `e` when it has no slot, no flight and no marker. `e` is invalid afterwards.
    void erase_if_empty(Entry& e);

    // Hit-for-pass markers: at most max_markers, least recently marked dropped first.
    void mark(Entry& e, obs::TimePoint until);
    void unmark(Entry& e);
    // Unmarks entries whose marker expired (oldest first) and erases them when empty; never
    // touches an unmarked entry.
    void sweep_markers(obs::TimePoint now);

    // Bulk removals; entries emptied by them are erased (all entries are unheld here).
    std::size_t remove_if(const Predicate& which, std::vector<ObjectPtr>& released);
    std::size_t erase_at(std::string_view url, const Predicate& which,
                         std::vector<ObjectPtr>& released);
    // Drops objects past their retention and expired markers; returns how many objects went.
    std::size_t expire(obs::TimePoint now, std::vector<ObjectPtr>& released);

    std::size_t bytes() const { return bytes_; }
    std::size_t size() const { return size_; }
    std::size_t entries() const { return map_.size(); }
    std::size_t markers() const { return marker_count_; }
    std::size_t max_bytes() const { return max_bytes_; }
    LruCounters& counters() { return counters_; }
    const LruCounters& counters() const { return counters_; }
    const EntryMap& map() const { return map_; }
    bool check_invariants(std::size_t max_variants) const;

  private:
    void link_front(Slot* s);
    static void unlink(Slot* s);
    void url_link(Slot* s);
    void url_unlink(Slot* s);
    // Runs the CLOCK hand until one object is evicted into `released`. Entries other than
    // `keep` that it empties are erased.
    void evict_one(Entry* keep, std::vector<ObjectPtr>& released);

    std::size_t max_bytes_;
    std::size_t max_objects_;
    std::size_t max_markers_;
    std::size_t bytes_ = 0;
    std::size_t size_ = 0;
    EntryMap map_;
    UrlIndex url_index_;
    Slot sentinel_;                 // sentinel_.next = newest, sentinel_.prev = oldest (the hand)
    Entry* marker_head_ = nullptr;  // most recently marked
    Entry* marker_tail_ = nullptr;
    std::size_t marker_count_ = 0;
    LruCounters counters_;
};

}  // namespace larder::cache::detail
