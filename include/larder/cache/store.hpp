// cache::Store: the in-memory response store and the one place a request's lookup is decided.
// Sharded by the primary key's hash; each shard holds, under its own mutex, one entry per
// primary key (Varnish's objhead): the stored objects of that key (the plain object or its Vary
// variants), the fetches in flight for its variants with their waiters, and its hit-for-pass
// marker. lookup_or_join() answers a request with one lock, one hash lookup (Key carries the
// hash) and no allocation on a hit of a key without variants (lookup.hpp lists the answers).
//
// Coalescing (Pingora's cache lock): the first request that finds nothing usable for its variant
// becomes the Leader of a flight; later requests for the same variant follow it and get its
// object through wait() callbacks, which run after the shard lock is released, never under it.
// complete() ends a flight: it stores the object (the rules of insert()) and hands it to the
// waiters when it is the variant they selected, else nullptr ("fetch on your own"; a waiter may
// call lookup_or_join again, which now sees the object's Vary). Flights are per variant: requests
// for different variants never wait for each other.
//
// Hit-for-pass (Pingora's predictor): complete(..., uncacheable) marks the key for
// uncacheable_ttl; while the marker is live, a request that finds nothing to serve (no Hit, no
// Grace) and no flight of its variant to follow passes straight to the app (HitForPass) instead
// of queueing behind a leader whose answer cannot be shared. A marker costs bytes (its copy of
// the key and an entry, see src/cache/lru.hpp) and is charged to its shard's byte budget like an
// object: markers and objects are evicted in one order, oldest first, so a flood of distinct
// uncacheable URLs is bounded by max_size too. Also at most max(1, max_uncacheable / shards)
// markers per shard, least recently marked dropped first; a marker larger than a whole shard's
// budget is not kept. A successful insert clears the key's marker; expired markers are swept on
// the miss path, by complete() and by expire() (until then an expired marker keeps its entry,
// and counts).
//
// Budgets are per shard: max_size / shards bytes (counting Object::charge(), which includes the
// measured bookkeeping, the markers', the flights' and their waiters' charges and the grown
// bucket arrays: everything that grows with traffic, see src/cache/lru.hpp) and
// max(1, max_objects / shards) objects, so an
// object is refused when its charge() exceeds one shard's byte budget, or its body
// max_object_size. `shards` is rounded up to a power of two, then halved while a shard's budget
// would hold fewer than 4 objects of max_object_size (a small store gets fewer shards rather than
// refusing large objects); limits() reports the value in use. Eviction is CLOCK (second chance),
// see src/cache/lru.hpp: a hit (or a hit-for-pass) sets a flag instead of relinking the object
// (or marker), the hand gives flagged ones a second pass. Every object that leaves a shard
// (replaced, evicted, expired, erased) is released after the shard's lock, so freeing a large
// body never happens while other workers wait. Fetches in flight and their waiters are charged
// (objects and markers are evicted to make room for them) but never evicted themselves: each is
// a client request in progress or the one background refresh of a stored object in grace, so
// they are bounded by the connections the proxy accepts and by the objects stored, and each ends
// (complete or hand_over) within the upstream timeouts.
//
// Vary variants (vary.hpp): a response with Vary is stored under variant_key(primary, secondary).
// For one primary there is either a plain object (no Vary) or variants, never both: inserting one
// kind removes the other, and a variant whose Vary differs from the entry's replaces all its
// variants (the app changed its Vary). At most max_variants variants per primary: one more drops
// the oldest-inserted one. An entry exists while it has an object, a flight or a marker, and is
// removed as soon as it has none. Objects with a `url` are indexed by it (erase_at()).
//
// Purge (purge.hpp): each shard also indexes objects by tag; purge() lists a purge in the ban
// list (src/cache/bans.hpp) before applying it, lookup_or_join() tests an object against purges
// newer than the one it was last tested against, and every insert (insert(), complete()) vets
// the object against the purges accepted since its fetch began (Object::epoch). A soft-purged
// object is never judged Fresh again (Grace while within grace_until, else Stale).
//
// The string-based calls (lookup, lookup_servable, insert, erase, resolve_variant, ...) are the
// earlier interface, kept working on the same entries; they hash the key's primary part.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/cache/flight.hpp"
#include "larder/cache/inspection.hpp"
#include "larder/cache/key.hpp"
#include "larder/cache/lookup.hpp"
#include "larder/cache/object.hpp"
#include "larder/cache/purge.hpp"
#include "larder/http/headers.hpp"

namespace larder::cache {

namespace detail {
class Bans;
class Lru;
struct Entry;
struct Slot;
enum class BanVerdict : std::uint8_t;
}  // namespace detail

struct StoreLimits {
    std::size_t max_size = 256 * 1024 * 1024;
    std::size_t max_objects = 1'000'000;
    std::size_t max_object_size = 1024 * 1024;  // body size above which nothing is stored
    unsigned shards = 16;
    std::size_t max_variants = 8;  // Vary variants per primary key; 0 = variants refused
    std::chrono::milliseconds uncacheable_ttl{60'000};  // hit-for-pass marker lifetime
    std::size_t max_uncacheable = 100'000;  // hit-for-pass markers, all shards (and max_size)
    // How long a purge stays listed after it is applied: at least the longest a fetch can last
    // (so a fetch that began before the purge is vetted when it stores), see purge.hpp.
    std::chrono::milliseconds purge_window{120'000};
    std::size_t max_pending_purges = 10'000;  // listed purges; more are refused until retired
};

// One stored object as a snapshot sees it (snapshot.hpp): the object and its slot's flags.
struct Resident {
    ObjectPtr object;
    bool soft_purged = false;  // never fresh again (a soft purge reached it)
    bool referenced = false;   // its CLOCK flag (hit since the hand last passed)
};

struct StoreStats {
    std::size_t objects = 0;
    std::size_t bytes = 0;         // charged: objects, markers, flights and waiters, grown indexes
    std::size_t flight_bytes = 0;  // of which flights and their waiters (never evicted)
    std::size_t index_bytes = 0;   // of which bucket arrays grown beyond their initial size
    std::size_t entries = 0;       // per-key entries (with objects, flights or a marker)
    std::size_t flights = 0;       // fetches in flight now
    std::size_t pass_markers = 0;  // hit-for-pass markers held (live, or expired not yet swept)
    std::uint64_t hits = 0;        // lookups that returned an object to serve (incl. Grace)
    std::uint64_t misses = 0;
    std::uint64_t inserts = 0;
    std::uint64_t evictions = 0;     // removed to make room for an insert
    std::uint64_t expired = 0;       // removed past their retention or judged unusable
    std::uint64_t rejected = 0;      // inserts refused (too large, variants disabled)
    std::uint64_t coalesced = 0;     // lookups answered Follower
    std::uint64_t hit_for_pass = 0;  // lookups answered HitForPass
};

class Store {
  public:
    explicit Store(StoreLimits limits);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // --- one lookup per request ---

    // Decides the request's lookup under one shard lock: resolves the variant from
    // request_headers (the entry's normalised Vary), judges the variant's object with `judge`
    // (under the lock; see lookup.hpp) and answers Hit, Grace (with a flight for the one caller
    // that refreshes), Follower, HitForPass or Leader. An object past its retention
    // (Object::retain_until) or judged Unusable is dropped first.
    Lookup lookup_or_join(const Key& primary, const http::HeaderList& request_headers, Judge judge,
                          obs::TimePoint now);
    // Registers a waiter: `callback` runs once with the flight's object or nullptr, on the
    // completing thread after the lock is released — or now, if the flight already ended.
    void wait(const FlightPtr& flight, Flight::Callback callback);
    // Ends a flight (a second end does nothing and returns false). `object` set: inserted (as
    // insert(); a refusal still hands it out) and given to waiters when it is the variant they
    // selected, else they get nullptr. `uncacheable` (with nothing stored): the key is marked
    // hit-for-pass until now + uncacheable_ttl. The entry goes when nothing is left in it.
    // Returns whether the object was stored (for the caller's "stored" counter).
    bool complete(const FlightPtr& flight, ObjectPtr object, bool uncacheable, obs::TimePoint now);
    // Ends a flight without storing anything: waiters get `answer` (e.g. the stale object served
    // on an app error) when it is their variant, else nullptr.
    void hand_over(const FlightPtr& flight, ObjectPtr answer);
    // Marks `primary` hit-for-pass until now + uncacheable_ttl without a flight (a HitForPass
    // fetch that found the response uncacheable again renews its marker). The marker's bytes may
    // evict older objects and markers of the shard.
    void mark_uncacheable(const Key& primary, obs::TimePoint now);
    // Callbacks registered on a flight that has not ended (tests, stats).
    std::size_t waiters(const FlightPtr& flight);

    // --- invalidation and purge ---

    // Erases the objects whose Object::url is `url` and for which `which` is true (every variant
    // and every key: the index is by URL, whatever rule built the key); returns how many. Walks
    // every shard, one lock at a time; `which` runs under the lock and must not call the store.
    std::size_t erase_at(std::string_view url, const std::function<bool(const Object&)>& which);
    // The newest purge's sequence number: a fetch that may store records it when it begins
    // (Object::epoch), and the store vets the object against later purges when it is stored.
    std::uint64_t purge_epoch() const;
    // Applies a purge (purge.hpp) to every shard, one lock at a time (prefix and pattern: a few
    // buckets per lock), after listing it for lookups and for fetches in flight. Returns how
    // many objects it removed or marked stale, or the refusal (nothing applied).
    PurgeResult purge(Purge purge, obs::TimePoint now);
    // Drops listed purges whose sweep is done and whose window has passed (the janitor).
    std::size_t retire_purges(obs::TimePoint now);
    std::size_t pending_purges() const;
    // Stored objects carrying `tag` (tests, explain).
    std::size_t tagged(std::string_view tag) const;
    // Drops every object past its retention and every expired hit-for-pass marker; returns how
    // many objects went. Walks every shard (a periodic janitor, tests).
    std::size_t expire(obs::TimePoint now);

    // --- the string-based interface (one lock each) ---

    // The fresh object for `key` (a primary or a variant key), or nullptr. A hit sets the
    // object's CLOCK flag.
    ObjectPtr lookup(std::string_view key, obs::TimePoint now);
    // Like lookup(), but also returns an expired object that is still retained for grace or
    // stale-if-error (Object::retain_until); the caller checks freshness.
    ObjectPtr lookup_servable(std::string_view key, obs::TimePoint now);
    // Stores (or replaces) an object; evicts to make room. Returns false when the object is
    // larger than max_object_size or than a shard can ever hold, or is a variant while
    // max_variants is 0. Clears the key's hit-for-pass marker.
    bool insert(ObjectPtr object);
    // Erases `key`; for a primary key, every variant of it too. Flights and markers stay.
    bool erase(std::string_view key);
    // The key to look up for a request: `primary` when it has no variants, else
    // variant_key(primary, secondary_key(vary, request_headers)).
    std::string resolve_variant(std::string_view primary, const http::HeaderList& request_headers);
    // resolve_variant + lookup in one call (one lock for each).
    ObjectPtr lookup(std::string_view primary, const http::HeaderList& request_headers,
                     obs::TimePoint now);
    // Number of variants stored for `primary` (tests, stats).
    std::size_t variant_count(std::string_view primary);
    // Removes every object whose key starts with `prefix` (all of them for ""); returns how many.
    // Walks every shard, one lock at a time: meant for purge requests, not the hot path.
    std::size_t erase_prefix(std::string_view prefix);

    // --- snapshots (snapshot.hpp) ---

    // The objects of shard `shard` (0 .. limits().shards - 1), oldest first in its eviction
    // order, copied as shared pointers under the shard's lock (no body is copied). Flights and
    // hit-for-pass markers are not objects and are not listed.
    std::vector<Resident> residents(unsigned shard) const;
    // insert() for an object read back from a snapshot, restoring its slot's flags; an object
    // restored after another of the same shard is newer in the eviction order.
    bool restore(ObjectPtr object, bool soft_purged, bool referenced);

    // What is stored for `primary` (its objects or variants, flights, hit-for-pass marker), or
    // nullopt when the store has no entry for it. One shard lock; copies no body (inspection.hpp).
    std::optional<StoredKey> inspect(const Key& primary);

    StoreStats stats() const;
    // Walks every shard and checks its accounting and structure (src/cache/lru.hpp, entry.hpp;
    // flights not ended and listed once). O(n); for tests.
    bool check_invariants() const;
    const StoreLimits& limits() const { return limits_; }

  private:
    struct Shard;
    detail::BanVerdict vet(const Object& object, std::uint64_t& checked);
    // insert() and restore(): `referenced` set restores the slot's flags.
    bool place(ObjectPtr object, bool soft_purged, std::optional<bool> referenced);
    detail::Slot* insert_vetted(detail::Lru& t, detail::Entry& e, ObjectPtr object,
                                std::vector<ObjectPtr>& released);
    void sweep(std::uint64_t id);
    Shard& shard_at(std::size_t hash);
    Shard& shard_for(std::string_view key);  // hashes the key's primary part
    ObjectPtr find(std::string_view key, obs::TimePoint now, bool allow_stale);
    // Whether an insert of `object` must be refused whatever the shard holds.
    bool refused(const Object& object, const Shard& shard) const;
    bool end(const FlightPtr& flight, ObjectPtr object, bool store, bool uncacheable,
             obs::TimePoint now);

    StoreLimits limits_;
    std::size_t shard_mask_ = 0;  // shards - 1
    std::unique_ptr<Shard[]> shards_;
    std::unique_ptr<detail::Bans> bans_;
};

}  // namespace larder::cache
