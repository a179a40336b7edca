// cache::detail::Entry and Slot: the per-key entry of the store (Varnish's objhead). Internal to
// src/cache/.
//
// One Entry per primary key in a shard's map holds, under the shard's lock, everything the store
// knows about that key: its stored objects (one Slot each: the plain object, or up to
// max_variants Vary variants sharing one normalised Vary), the fetches in flight for its
// variants, and its hit-for-pass marker. An entry exists while it has at least one of the three,
// so a Leader's entry exists before any object does; the table (lru.hpp) erases an entry as soon
// as it is empty, which is the only way an entry goes away.
//
// Invariants (Lru::check_invariants): an entry holds either one plain slot (empty secondary) or
// only variant slots, never both; every variant slot's object has meta.vary == entry.vary, and
// `vary` is empty when the entry holds the plain object; slot_count is the length of the slot list;
// the map key's text is the entry's primary key and the map key is what `key` points to; a marked
// entry is on the shard's marker list. Slots and map nodes never move, so raw pointers between
// them stay valid until the slot or entry is erased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/cache/flight.hpp"
#include "larder/cache/object.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache::detail {

// libstdc++'s std::hash<string_view> (murmur-based) mixes well enough for both uses: the map's
// bucket index and, after a multiplicative scramble, the shard index (see Store). Key::from uses
// the same function.
using KeyHash = std::hash<std::string_view>;

struct Entry;

// One stored object.
struct Slot {
    ObjectPtr object;
    Entry* entry = nullptr;
    Slot* variant_next = nullptr;  // the entry's slots, newest first
    // The shard's eviction queue (second-chance FIFO, see lru.hpp): newest at the front.
    Slot* prev = nullptr;
    Slot* next = nullptr;
    // Objects with the same url in this shard (see Lru::url_index_).
    Slot* url_prev = nullptr;
    Slot* url_next = nullptr;
    // object->key.substr(secondary_at) is the secondary key: after the separator for a variant,
    // the end of the key ("") for the plain object.
    std::uint32_t secondary_at = 0;
    bool variant = false;     // the key holds the Vary separator
    bool referenced = false;  // CLOCK bit: set by a hit, cleared by the eviction hand

    std::string_view secondary() const {
        return std::string_view(object->key).substr(secondary_at);
    }
};

// The map key: the primary key text and its hash (Key::hash), so a lookup never hashes.
struct EntryKey {
    std::string text;
    std::size_t hash = 0;
};
struct KeyRef {
    std::string_view text;
    std::size_t hash = 0;
};
struct EntryKeyHash {
    using is_transparent = void;
    std::size_t operator()(const EntryKey& k) const noexcept { return k.hash; }
    std::size_t operator()(const KeyRef& k) const noexcept { return k.hash; }
};
struct EntryKeyEq {
    using is_transparent = void;
    bool operator()(const EntryKey& a, const EntryKey& b) const noexcept {
        return a.text == b.text;
    }
    bool operator()(const KeyRef& a, const EntryKey& b) const noexcept { return a.text == b.text; }
    bool operator()(const EntryKey& a, const KeyRef& b) const noexcept { return a.text == b.text; }
};

struct Entry {
    const EntryKey* key = nullptr;  // the map node's key
    // The normalised Vary of the variant slots. Kept after the last variant goes (while flights
    // or a marker keep the entry), so requests still select their variant's flight; cleared by a
    // plain object. "" for a key never seen with Vary.
    std::string vary;
    Slot* slots = nullptr;  // newest first
    std::uint32_t slot_count = 0;
    bool marked = false;             // hit-for-pass until pass_until (expired: not yet swept)
    std::vector<FlightPtr> flights;  // at most one per (vary, secondary)
    obs::TimePoint pass_until{};     // valid when marked
    Entry* marker_prev = nullptr;    // the shard's marker list, most recently marked first
    Entry* marker_next = nullptr;

    bool has_variants() const { return slots && slots->variant; }
};

template <class Alloc>
using BasicEntryMap = std::unordered_map<EntryKey, Entry, EntryKeyHash, EntryKeyEq, Alloc>;
using EntryMap = BasicEntryMap<std::allocator<std::pair<const EntryKey, Entry>>>;

// url → the first slot of the objects with that url; the key views that slot's object->url.
template <class Alloc>
using BasicUrlIndex =
    std::unordered_map<std::string_view, Slot*, KeyHash, std::equal_to<std::string_view>, Alloc>;
using UrlIndex = BasicUrlIndex<std::allocator<std::pair<const std::string_view, Slot*>>>;

}  // namespace larder::cache::detail
