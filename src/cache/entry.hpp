// cache::detail::Entry, Slot and Marker: the per-key entry of the store (Varnish's objhead) and
// what hangs off it. Internal to src/cache/.
//
// One Entry per primary key in a shard's entry table (lru.hpp) holds, under the shard's lock,
// everything the store knows about that key: its stored objects (one Slot each: the plain
// object, or up to max_variants Vary variants sharing one normalised Vary), the fetches in flight
// for its variants, and its hit-for-pass Marker. An entry exists while it has at least one of the
// three, so a Leader's entry exists before any object does; the table erases an entry as soon as
// it is empty, which is the only way an entry goes away.
//
// Memory is what this layout is about (every byte here is charged to each stored object, see
// Object::charge): everything is intrusive, one allocation per slot and per entry, no node of a
// standard container. The entry keeps no copy of its primary key: `key_data` points at the text
// of one of its sources, which all hold the same text and are immutable while held: the primary
// part of a slot's object->key(), a flight's primary().text, or the marker's own copy (the marker
// is the one thing that may be left alone in an entry, so it carries the key). Whenever a source
// comes or goes, Lru::rekey() points `key_data` at one that is still held.
//
// Invariants (Lru::check_invariants): an entry holds either one plain slot (empty secondary) or
// only variant slots, never both; every variant slot's object has meta.vary == entry.vary(), and
// vary() is empty when the entry holds the plain object; slot_count is the length of the slot
// list; key() views one of the entry's sources; a marked entry's marker is on the shard's marker
// list and in its eviction queue. Slots, markers and entries never move, so raw pointers between
// them stay valid until the slot, marker or entry is erased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "heap_cost.hpp"
#include "larder/cache/flight.hpp"
#include "larder/cache/object.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache::detail {

// libstdc++'s std::hash<string_view> (murmur-based) mixes well enough for all three uses: the
// entry table's bucket (low bits), the shard (high bits of a multiplicative scramble, see Store)
// and the URL index. Key::from uses the same function.
using KeyHash = std::hash<std::string_view>;

struct Entry;

// A place in the shard's eviction queue (second-chance FIFO, see lru.hpp), newest at the front:
// a stored object's Slot or a hit-for-pass Marker, so both are evicted in one order.
// (The member initialisers make it a non-POD base, so Slot and Marker place their first small
// members in its tail padding.)
struct Node {
    Node* prev = nullptr;
    Node* next = nullptr;
    bool referenced = false;  // CLOCK bit: set by a hit (or a hit-for-pass), cleared by the hand
    bool is_marker = false;   // a Marker, else a Slot
};

struct TagLink;

// One stored object.
struct Slot : Node {
    bool variant = false;  // the key holds the Vary separator
    // Soft-purged: kept, but never served as fresh again (grace, stale-if-error and
    // revalidation still apply). Set under the shard lock by a purge or a ban.
    bool soft_purged = false;
    // object->key().substr(secondary_at) is the secondary key: after the separator for a variant,
    // the end of the key ("") for the plain object.
    std::uint32_t secondary_at = 0;
    ObjectPtr object;
    Entry* entry = nullptr;
    Slot* variant_next = nullptr;  // the entry's slots, newest first
    Slot* url_next = nullptr;      // the URL index's bucket chain (see Lru::url_index_)
    TagLink* tags = nullptr;       // this object's links in the shard's tag index
    // The newest purge (ban sequence number, see bans.hpp) this object has been tested
    // against: starts at the object's epoch (the newest purge when its fetch began).
    std::uint64_t checked = 0;

    std::string_view secondary() const {
        return std::string_view(object->key()).substr(secondary_at);
    }
};

// The tag index (purge by tag, Surrogate-Key / xkey): one TagHead per tag present in the shard,
// listing a TagLink per stored object carrying that tag; each object's links are also chained
// from its slot, so removing the object unlinks them in time proportional to its tag count.
struct TagHead {
    std::string tag;
    TagLink* first = nullptr;
};
struct TagLink {
    TagHead* head = nullptr;
    Slot* slot = nullptr;
    TagLink* prev = nullptr;  // the head's list
    TagLink* next = nullptr;
    TagLink* slot_next = nullptr;  // the slot's links
};
// What one tag of one object may cost: its link, and (overcounted: the head is shared by every
// object carrying the tag) a head with its map node (a next pointer, the key, the value and the
// cached hash) and the tag's text; each allocation at heap_cost. The map's bucket array is
// charged by the shard (Lru::index_bytes).
inline std::size_t tag_charge(std::size_t tag_size) {
    return heap_cost(sizeof(TagLink)) + heap_cost(sizeof(TagHead)) +
           heap_cost(3 * sizeof(void*) + sizeof(std::string_view)) + heap_cost(tag_size + 1);
}

// A hit-for-pass marker: its entry answers HitForPass until `until`. Allocated with its entry's
// primary key text right behind it (Marker::create), so that a marked entry with no object and
// no flight still has its key.
struct Marker : Node {
    std::uint32_t key_size = 0;
    Entry* entry = nullptr;
    Marker* newer = nullptr;  // the shard's marker list, in marking order
    Marker* older = nullptr;
    obs::TimePoint until{};

    const char* key_data() const { return reinterpret_cast<const char*>(this + 1); }
    static Marker* create(std::string_view key);
    static void destroy(Marker* m) noexcept;
    // Bytes one marker allocation takes for a key of `key_size` bytes.
    static std::size_t allocation_bytes(std::size_t key_size) { return sizeof(Marker) + key_size; }
};

// One flight of an entry (flights are few and short-lived: a singly linked list). `charged` is
// what the flight and its waiters cost the shard's byte budget now (Lru::flight_charge, plus
// Lru::kWaiterCharge per waiter), given back when the flight leaves the entry.
struct FlightNode {
    FlightPtr flight;
    FlightNode* next = nullptr;
    std::size_t charged = 0;
};

// The entry key a caller looks for: the primary key text and its hash (Key::hash), so a lookup
// never hashes.
struct KeyRef {
    std::string_view text;
    std::size_t hash = 0;
};

struct Entry {
    Entry* hash_next = nullptr;      // the shard's entry table chain
    std::size_t hash = 0;            // of the primary key (Key::hash)
    const char* key_data = nullptr;  // views one of the entry's sources (see above)
    std::uint32_t key_size = 0;
    std::uint32_t slot_count = 0;
    // The normalised Vary of the variant slots; null for "". Kept after the last variant goes
    // (while flights or a marker keep the entry), so requests still select their variant's
    // flight; cleared by a plain object. Null for a key never seen with Vary.
    std::unique_ptr<std::string> vary_text;
    Slot* slots = nullptr;          // newest first
    FlightNode* flights = nullptr;  // at most one per (vary, secondary)
    Marker* marker = nullptr;       // hit-for-pass until marker->until (expired: not yet swept)

    std::string_view key() const { return {key_data, key_size}; }
    std::string_view vary() const { return vary_text ? std::string_view(*vary_text) : ""; }
    void set_vary(std::string_view vary) {
        if (vary.empty())
            vary_text.reset();
        else if (!vary_text)
            vary_text = std::make_unique<std::string>(vary);
        else if (*vary_text != vary)
            vary_text->assign(vary);
    }
    bool has_variants() const { return slots && slots->variant; }
    bool empty() const { return !slots && !flights && !marker; }
};

}  // namespace larder::cache::detail
