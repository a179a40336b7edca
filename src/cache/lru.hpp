// cache::detail::Lru: one shard of the store without its lock: the per-key entries
// (entry.hpp) in an intrusive hash table, the eviction queue over their objects and hit-for-pass
// markers, the URL index and the marker list. Internal to src/cache/; the Store takes the shard's
// mutex around every call.
//
// Eviction is CLOCK (second chance), an approximation of LRU: objects and markers sit in one
// queue in insertion order; a hit only sets the node's `referenced` flag (and only when it is not
// set yet); the hand takes the oldest node and, when its flag is set, clears it and moves it to
// the front instead of evicting it. Why not a true LRU: relinking on every hit writes the slot,
// both neighbours and the list head, so every hit on any key of the shard dirties shared cache
// lines and lengthens the critical section; the flag writes one byte of a line the hit already
// reads, and does not write at all on repeated hits of a hot object. The flag is a plain bool,
// not an atomic: the hit holds the shard lock anyway (the same call decides coalescing). An
// object that was never hit since it reached the front goes first, as in an LRU; the order among
// hit objects is approximate (at most one pass of the hand late).
//
// The byte budget covers everything that grows with traffic (issue 16), each allocation at what
// malloc holds for it (heap_cost.hpp), so the charged bytes are the store's real memory:
//   - every stored object: Object::charge() (its one allocation, its slot, a whole entry);
//   - every hit-for-pass marker: marker_charge() (the marker with its copy of the key, a whole
//     entry) from mark to unmark, whatever else its entry holds;
//   - every flight (coalescing): flight_charge() (the flight with its key strings, its node, a
//     whole entry) plus kWaiterCharge per waiter that joined it, from add_flight to
//     remove_flight;
//   - the bucket arrays of the entry table, the URL index and the tag map beyond their initial
//     size (index_bytes(): whole arrays, as allocated; they grow with the entries, the objects
//     with a url and the tags, and never shrink);
//   - the tag index: each object's tags in its charge (detail::tag_charge);
//   - Vary: each variant's normalised Vary in its charge.
// So a flood of distinct uncacheable URLs with long keys, or of requests coalescing on slow
// fetches, is bounded by max_size like a flood of cacheable ones: markers are evicted (oldest
// first, with the same second chance) like objects, and objects, markers, flights and indexes
// compete for the same bytes. Flights cannot be evicted (each is a client request in progress
// or the one background refresh of a stored object, and ends on every path); when a flight
// or a waiter needs room, objects and markers are evicted for it; only when nothing evictable
// is left may flights and the indexes alone exceed the budget (bounded by the connections the
// proxy accepts). Markers are also bounded by count (max_markers, least recently marked first)
// and by time (uncacheable_ttl). Fixed per shard and not charged: the initial bucket arrays.
//
// Invariants (checked by check_invariants() in tests):
//   - bytes_ == sum of charge() over stored objects + marker_charge() over markers + the
//     flights' `charged` (flight_bytes()) + index_bytes(); size() == number of slots in the queue
//     == sum of the entries' slot counts; after every public call size() <= max_objects_ and bytes_
//     <= max_bytes_, unless no object and no marker is left to evict (flights and indexes only);
//   - the entry invariants of entry.hpp; no entry is empty (no slot, no flight, no marker);
//   - the queue holds exactly the slots and the markers; the marker list holds exactly the
//     markers, newest first, at most max_markers_;
//   - every object with a url is in exactly one bucket chain of the URL index;
//   - every tag of every stored object has exactly one link, in its head's list; no head is
//     empty (a head goes with its last link).
// Nothing here frees an Object under the lock: every object leaving the shard is handed back to
// the caller (`released`, or a return value), who drops it after releasing the shard's lock.
// Entries are erased only by erase_if_empty() and the bulk operations, never under a caller that
// still uses them: callers pass the entry they hold as `keep`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>
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

    // What one marker costs the byte budget for a primary key of `key_size` bytes: the marker
    // allocation (with its copy of the key) and a whole entry.
    static std::size_t marker_charge(std::size_t key_size);
    // What one flight costs the byte budget, without its waiters: its make_shared block, the heap
    // bytes of its key, Vary and secondary key, its FlightNode and a whole entry (exact when the
    // flight holds its entry alone, an overcount otherwise).
    static std::size_t flight_charge(const Flight& flight);
    // What each waiter of a flight costs: its callback in the flight's vector (counted twice: a
    // vector's capacity is at most twice its size) and up to kCallbackState bytes of state the
    // callback holds on the heap (the pipeline's: a shared_ptr and an executor).
    static constexpr std::size_t kCallbackState = 64;
    static constexpr std::size_t kWaiterCharge =
        2 * sizeof(Flight::Callback) + heap_cost(kCallbackState);
    // The bucket arrays' bytes beyond their initial size, at heap_cost (charged, see above).
    std::size_t index_bytes() const { return index_bytes_; }
    // The flights' and their waiters' charge (the sum of their nodes' `charged`).
    std::size_t flight_bytes() const { return flight_bytes_; }

    // The entry of `key`, or nullptr: one bucket, compared by hash, then by text.
    Entry* find(KeyRef key) {
        for (Entry* e = buckets_[key.hash & bucket_mask_]; e; e = e->hash_next)
            if (e->hash == key.hash && e->key() == key.text) return e;
        return nullptr;
    }
    // A new entry views `key.text` until it gets a source: the caller adds a slot, a flight or a
    // marker, or calls erase_if_empty(), before that text goes. When the entry table must grow
    // first, objects and markers are evicted (into `released`) to make room for its new bytes.
    Entry& find_or_create(KeyRef key, std::vector<ObjectPtr>& released);
    // The entry's slot for the plain object (variant == false) or for `secondary`, or nullptr.
    static Slot* slot_of(Entry& e, bool variant, std::string_view secondary) {
        for (Slot* s = e.slots; s; s = s->variant_next)
            if (s->variant == variant && (!variant || s->secondary() == secondary)) return s;
        return nullptr;
    }
    static void touch(Node& n) {
        if (!n.referenced) n.referenced = true;
    }

    // Stores `object` in `e` (whose key must be the object's primary): replaces the object of the
    // same key; a plain object replaces all variants and a variant the plain object; a variant
    // whose Vary differs from e.vary() replaces every variant; beyond max_variants the oldest
    // variant goes; then objects and markers are evicted until it fits. Clears e's hit-for-pass
    // marker. Preconditions (checked by the Store): charge() <= max_bytes(), and
    // max_variants > 0 for a variant. `e` is never erased here, even when eviction empties it
    // before the insert.
    // `soft_purged`: stored already soft-purged (a purge accepted while it was fetched).
    // Returns the new slot.
    Slot* insert(Entry& e, ObjectPtr object, std::size_t max_variants,
                 std::vector<ObjectPtr>& released, bool soft_purged = false);
    // Unlinks a slot and returns its object; its entry stays, even when empty.
    ObjectPtr remove(Slot* s);
    void remove_all(Entry& e, std::vector<ObjectPtr>& released);
    // Erases `e` when it has no slot, no flight and no marker. `e` is invalid afterwards.
    void erase_if_empty(Entry& e);

    // Flights of an entry (the Store owns their state). add_flight charges flight_charge() and
    // evicts objects and markers (never e's marker) until the shard is within budget, if it can.
    static FlightPtr find_flight(const Entry& e, std::string_view vary, std::string_view secondary);
    void add_flight(Entry& e, FlightPtr flight, std::vector<ObjectPtr>& released);
    // Charges one more waiter of `flight` (listed in `e`), evicting as add_flight does.
    void charge_waiter(Entry& e, const Flight& flight, std::vector<ObjectPtr>& released);
    // Drops `flight` from e's list and gives back its charge; `e` stays, even when empty.
    void remove_flight(Entry& e, const Flight& flight);

    // Hit-for-pass markers. mark() (re)marks `e` until `until` as the newest marker, then drops
    // the least recently marked beyond max_markers and evicts (objects or other markers) until
    // the shard is within its byte budget; `e` is not erased. Returns false, marking nothing,
    // when one marker of this key would exceed the whole budget.
    bool mark(Entry& e, obs::TimePoint until, std::vector<ObjectPtr>& released);
    // Drops e's marker, if any; `e` stays, even when empty.
    void unmark(Entry& e);
    // Unmarks entries whose marker expired (oldest first) and erases them when empty; never
    // touches an unmarked entry.
    void sweep_markers(obs::TimePoint now);

    // Bulk removals; entries emptied by them are erased (all entries are unheld here).
    std::size_t remove_if(const Predicate& which, std::vector<ObjectPtr>& released);
    std::size_t erase_at(std::string_view url, const Predicate& which,
                         std::vector<ObjectPtr>& released);
    // Soft-purges (marks, see Slot::soft_purged) instead of erasing; returns how many objects
    // were marked now (marked ones are not counted again).
    std::size_t soften_at(std::string_view url, const Predicate& which);
    // Purge by tag: erases (or, `soft`, marks) every object carrying `tag`, in time
    // proportional to their number; entries emptied are erased. Returns how many.
    std::size_t purge_tag(std::string_view tag, bool soft, std::vector<ObjectPtr>& released);
    // Objects carrying `tag` in this shard (tests, stats).
    std::size_t tagged(std::string_view tag) const;
    // Visits the slots of entry-table buckets [from, from + count) (bounded work per call, for
    // a sweep that releases the lock between calls): `visit(slot)` answers whether to remove
    // the slot (into `released`); entries emptied are erased. Returns the next bucket to visit,
    // or 0 once the table is done. bucket_generation() changes when the table grows, which
    // moves entries between buckets: a sweep that sees it change starts the shard again.
    std::size_t sweep_buckets(std::size_t from, std::size_t count,
                              const std::function<bool(Slot&)>& visit,
                              std::vector<ObjectPtr>& released);
    std::size_t bucket_generation() const { return bucket_mask_; }
    // Drops objects past their retention and expired markers; returns how many objects went.
    std::size_t expire(obs::TimePoint now, std::vector<ObjectPtr>& released);

    std::size_t bytes() const { return bytes_; }
    std::size_t size() const { return size_; }
    std::size_t entries() const { return entry_count_; }
    std::size_t markers() const { return marker_count_; }
    std::size_t max_bytes() const { return max_bytes_; }
    LruCounters& counters() { return counters_; }
    const LruCounters& counters() const { return counters_; }
    template <class F>
    void for_each_entry(F&& f) const {
        for (std::size_t b = 0; b <= bucket_mask_; ++b)
            for (const Entry* e = buckets_[b]; e; e = e->hash_next) f(*e);
    }
    // Visits every stored object's slot, oldest first in the eviction queue (markers skipped).
    template <class F>
    void for_each_slot_oldest_first(F&& f) const {
        for (const Node* n = sentinel_.prev; n != &sentinel_; n = n->prev)
            if (!n->is_marker) f(*static_cast<const Slot*>(n));
    }
    bool check_invariants(std::size_t max_variants) const;

  private:
    // Points e.key_data at a source e still holds (a slot's object, a flight, the marker);
    // leaves it alone when e holds none (e is about to get one, or to be erased).
    static void rekey(Entry& e);
    void link_front(Node* n);
    static void unlink(Node* n);
    void url_link(Slot* s);
    void url_unlink(Slot* s);
    void tag_link(Slot* s);
    void tag_unlink(Slot* s);
    void grow_entries();
    void grow_url_index();
    // Sets index_bytes_ (and bytes_) to the bucket arrays' sizes now.
    void recharge_indexes(std::size_t entry_buckets, std::size_t url_buckets);
    // Evicts objects and markers (never keep's marker) until bytes_ <= max_bytes_ or nothing
    // evictable is left.
    void fit(const Entry* keep, std::vector<ObjectPtr>& released);
    // Runs the CLOCK hand until the oldest unflagged object or marker (never keep's marker) is
    // evicted: an object into `released`, a marker dropped. Entries other than `keep` that it
    // empties are erased. Returns false when there was nothing to evict.
    bool evict_one(const Entry* keep, std::vector<ObjectPtr>& released);

    std::size_t max_bytes_;
    std::size_t max_objects_;
    std::size_t max_markers_;
    std::size_t bytes_ = 0;
    std::size_t size_ = 0;
    // The entry table: chains through Entry::hash_next; bucket = hash & mask; grows at load 1.
    std::unique_ptr<Entry*[]> buckets_;
    std::size_t bucket_mask_ = 0;
    std::size_t entry_count_ = 0;
    // The URL index: slots of objects with a url, chained through Slot::url_next in the bucket
    // of KeyHash(url); grows at load 1. erase_at() walks one bucket.
    std::unique_ptr<Slot*[]> url_buckets_;
    std::size_t url_mask_ = 0;
    std::size_t url_count_ = 0;
    std::size_t index_bytes_ = 0;  // both bucket arrays beyond kInitialBuckets each
    std::size_t flight_bytes_ = 0;
    // The tag index: heads by tag text (the key views the head's own string).
    std::unordered_map<std::string_view, std::unique_ptr<TagHead>> tags_;
    Node sentinel_;  // sentinel_.next = newest, sentinel_.prev = oldest (the hand)
    Marker* marker_newest_ = nullptr;  // the marker list
    Marker* marker_oldest_ = nullptr;
    std::size_t marker_count_ = 0;
    LruCounters counters_;
};

}  // namespace larder::cache::detail
