// cache::Store: shards of detail::Lru (entries, CLOCK queue, URL index, markers), each behind
// its own mutex, plus the flights that live in the entries.
//
// Every object that leaves a shard (replaced, evicted, expired, erased) is moved out under the
// lock into a local declared before the lock guard, so it is dropped after the lock is released:
// freeing a large body never happens while other workers wait on the shard. Waiter callbacks are
// likewise swapped out under the lock and run after it.
#include "larder/cache/store.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bans.hpp"
#include "larder/cache/vary.hpp"
#include "lru.hpp"

namespace larder::cache {

const char* to_string(Lookup::Kind kind) {
    switch (kind) {
        case Lookup::Kind::Hit:
            return "hit";
        case Lookup::Kind::Grace:
            return "grace";
        case Lookup::Kind::Leader:
            return "leader";
        case Lookup::Kind::Follower:
            return "follower";
        case Lookup::Kind::HitForPass:
            return "hit_for_pass";
    }
    return "unknown";
}

namespace {

detail::KeyRef ref(const Key& key) {
    return {key.text, key.hash};
}

// Whether `object` answers the requests that joined `flight`: the plain object for a plain
// flight; for a variant flight, a variant under the same Vary with the same secondary key.
bool answers(const Flight& flight, const Object& object) {
    const std::string_view key = object.key();
    const auto sep = key.find(kVariantSeparator);
    if (key.substr(0, sep) != flight.primary().text) return false;
    if (sep == std::string_view::npos) return flight.secondary().empty();
    return !flight.secondary().empty() && key.substr(sep + 1) == flight.secondary() &&
           object.vary() == flight.vary();
}

}  // namespace

// Each shard on its own cache lines, so workers on different shards do not share a mutex line.
struct alignas(64) Store::Shard {
    mutable std::mutex mu;
    std::unique_ptr<detail::Lru> lru;
    std::uint64_t rejected = 0;  // guarded by mu
    std::size_t flights = 0;     // guarded by mu
};

Store::Store(StoreLimits limits) : limits_(limits) {
    limits_.shards = limits_.shards <= 1 ? 1u : std::bit_ceil(limits_.shards);
    while (limits_.shards > 1 && limits_.max_size / limits_.shards < 4 * limits_.max_object_size)
        limits_.shards /= 2;
    shard_mask_ = limits_.shards - 1;
    shards_ = std::make_unique<Shard[]>(limits_.shards);
    const std::size_t bytes = limits_.max_size / limits_.shards;
    const std::size_t objects = std::max<std::size_t>(1, limits_.max_objects / limits_.shards);
    const std::size_t markers = std::max<std::size_t>(1, limits_.max_uncacheable / limits_.shards);
    for (unsigned i = 0; i < limits_.shards; ++i)
        shards_[i].lru = std::make_unique<detail::Lru>(bytes, objects, markers);
    bans_ = std::make_unique<detail::Bans>(limits_.purge_window, limits_.max_pending_purges);
}

std::uint64_t Store::purge_epoch() const {
    return bans_->latest();
}

// Under the shard's lock: tests `object` (about to be stored) against the purges accepted since
// its fetch began. Keep/Soften: the caller inserts (softened); Remove: it does not.
detail::BanVerdict Store::vet(const Object& object, std::uint64_t& checked) {
    checked = object.epoch;
    if (checked >= bans_->latest()) return detail::BanVerdict::Keep;
    return bans_->test(object, checked);
}

detail::Slot* Store::insert_vetted(detail::Lru& t, detail::Entry& e, ObjectPtr object,
                                   std::vector<ObjectPtr>& released) {
    std::uint64_t checked = 0;
    const detail::BanVerdict verdict = vet(*object, checked);
    if (verdict == detail::BanVerdict::Remove) return nullptr;
    detail::Slot* slot = t.insert(e, std::move(object), limits_.max_variants, released,
                                  verdict == detail::BanVerdict::Soften);
    slot->checked = checked;
    return slot;
}

Store::~Store() = default;

Store::Shard& Store::shard_at(std::size_t hash) {
    // The map's buckets use this hash modulo a prime; the shard comes from the high bits of a
    // multiplicative scramble of it, so the two choices stay independent.
    const std::uint64_t h = static_cast<std::uint64_t>(hash) * 0x9E3779B97F4A7C15ull;
    return shards_[(h >> 32) & shard_mask_];
}

Store::Shard& Store::shard_for(std::string_view key) {
    // Variants hash by their primary part, so they share the primary's entry and shard.
    return shard_at(detail::KeyHash{}(primary_of(key)));
}

bool Store::refused(const Object& object, const Shard& shard) const {
    const bool variant = object.key().find(kVariantSeparator) != std::string::npos;
    return object.body().size() > limits_.max_object_size ||
           (variant && limits_.max_variants == 0) || object.charge() > shard.lru->max_bytes();
}

// --- one lookup per request ---

Lookup Store::lookup_or_join(const Key& primary, const http::HeaderList& request_headers,
                             Judge judge, obs::TimePoint now) {
    Shard& s = shard_at(primary.hash);
    ObjectPtr dropped;               // released after the lock
    std::vector<ObjectPtr> evicted;  // made room for a flight (or the entry table): after the lock
    std::string secondary;           // stays empty (no allocation) for a key without variants
    std::lock_guard lock(s.mu);
    detail::Lru& t = *s.lru;
    detail::LruCounters& c = t.counters();
    detail::Entry* e = t.find(ref(primary));
    ObjectPtr kept;
    if (e) {
        const std::string_view vary = e->vary();
        const bool variant = !vary.empty();
        if (variant) secondary = secondary_key(vary, request_headers);
        detail::Slot* slot = detail::Lru::slot_of(*e, variant, secondary);
        if (slot && slot->checked < bans_->latest()) {  // purges it was not tested against yet
            switch (bans_->test(*slot->object, slot->checked)) {
                case detail::BanVerdict::Remove:
                    dropped = t.remove(slot);  // `e` stays: a flight is joined or created below
                    slot = nullptr;
                    break;
                case detail::BanVerdict::Soften:
                    slot->soft_purged = true;
                    break;
                case detail::BanVerdict::Keep:
                    break;
            }
        }
        if (slot) {
            const Object& object = *slot->object;
            Usability u = now >= object.retain_until() ? Usability::Unusable : judge(object);
            if (slot->soft_purged && u == Usability::Fresh)  // purged softly: never fresh again
                u = object.servable_in_grace(now) ? Usability::Grace : Usability::Stale;
            if (u == Usability::Fresh) {
                detail::Lru::touch(*slot);
                ++c.hits;
                return {Lookup::Kind::Hit, slot->object, nullptr};
            }
            if (u == Usability::Grace) {
                detail::Lru::touch(*slot);
                ++c.hits;
                ObjectPtr stale = slot->object;  // add_flight may evict the slot to make room
                FlightPtr refresh;
                if (!t.find_flight(*e, vary, secondary)) {
                    refresh = std::make_shared<Flight>(Flight::Token{}, primary, std::string(vary),
                                                       std::move(secondary));
                    t.add_flight(*e, refresh, evicted);
                    ++s.flights;
                }
                return {Lookup::Kind::Grace, std::move(stale), std::move(refresh)};
            }
            if (u == Usability::Stale) {
                kept = slot->object;
            } else {
                dropped = t.remove(slot);  // `e` stays: a flight is joined or created below
                ++c.expired;
            }
        }
        ++c.misses;
        if (FlightPtr f = t.find_flight(*e, vary, secondary)) {
            ++c.coalesced;
            return {Lookup::Kind::Follower, std::move(kept), std::move(f)};
        }
        if (e->marker) {
            if (now < e->marker->until) {
                detail::Lru::touch(*e->marker);
                ++c.hit_for_pass;
                return {Lookup::Kind::HitForPass, std::move(kept), nullptr};
            }
            t.unmark(*e);
        }
    } else {
        ++c.misses;
        e = &t.find_or_create(ref(primary), evicted);
    }
    t.sweep_markers(now);  // never touches `e`: it is not marked
    auto leader = std::make_shared<Flight>(Flight::Token{}, primary, std::string(e->vary()),
                                           std::move(secondary));
    t.add_flight(*e, leader, evicted);
    ++s.flights;
    return {Lookup::Kind::Leader, std::move(kept), std::move(leader)};
}

void Store::wait(const FlightPtr& flight, Flight::Callback callback) {
    if (!flight || !callback) return;
    Shard& s = shard_at(flight->primary().hash);
    std::vector<ObjectPtr> evicted;  // made room for the waiter: released after the lock
    std::unique_lock lock(s.mu);
    if (!flight->done_) {
        // A flight not done is listed in its entry (see flight.hpp), which charges its waiters.
        if (detail::Entry* e = s.lru->find(ref(flight->primary())))
            s.lru->charge_waiter(*e, *flight, evicted);
        flight->callbacks_.push_back(std::move(callback));
        return;
    }
    ObjectPtr result = flight->result_;
    lock.unlock();
    callback(std::move(result));
}

bool Store::complete(const FlightPtr& flight, ObjectPtr object, bool uncacheable,
                     obs::TimePoint now) {
    return end(flight, std::move(object), true, uncacheable, now);
}

void Store::hand_over(const FlightPtr& flight, ObjectPtr answer) {
    end(flight, std::move(answer), false, false, obs::TimePoint{});
}

bool Store::end(const FlightPtr& flight, ObjectPtr object, bool store, bool uncacheable,
                obs::TimePoint now) {
    if (!flight) return false;
    Shard& s = shard_at(flight->primary().hash);
    std::vector<ObjectPtr> released;
    released.reserve(4);  // allocated outside the lock in the common case
    std::vector<Flight::Callback> callbacks;
    ObjectPtr result = object && answers(*flight, *object) ? object : nullptr;
    ObjectPtr elsewhere;  // an object of another primary key: inserted after this lock
    bool stored = false;
    {
        std::lock_guard lock(s.mu);
        if (flight->done_) return false;
        flight->done_ = true;
        flight->result_ = result;
        callbacks.swap(flight->callbacks_);
        --s.flights;
        detail::Lru& t = *s.lru;
        detail::Entry* e = t.find(ref(flight->primary()));
        if (!e) {  // cannot happen while the flight is listed; keep the object anyway
            if (store) elsewhere = std::move(object);
        } else {
            t.remove_flight(*e, *flight);
            if (store && object) {
                if (primary_of(object->key()) != flight->primary().text) {
                    elsewhere = std::move(object);
                } else if (refused(*object, s)) {
                    ++s.rejected;
                } else {
                    stored = insert_vetted(t, *e, std::move(object), released) != nullptr;
                }
            }
            if (uncacheable && !stored) t.mark(*e, now + limits_.uncacheable_ttl, released);
            t.erase_if_empty(*e);
            if (store) t.sweep_markers(now);
        }
    }
    if (elsewhere) stored = insert(std::move(elsewhere));
    for (auto& callback : callbacks) callback(result);
    return stored;
}

void Store::mark_uncacheable(const Key& primary, obs::TimePoint now) {
    Shard& s = shard_at(primary.hash);
    std::vector<ObjectPtr> released;  // objects evicted to make room for the marker
    std::lock_guard lock(s.mu);
    detail::Lru& t = *s.lru;
    detail::Entry& e = t.find_or_create(ref(primary), released);
    t.mark(e, now + limits_.uncacheable_ttl, released);
    t.erase_if_empty(e);  // a marker larger than the shard's budget is not kept
    t.sweep_markers(now);
}

std::size_t Store::waiters(const FlightPtr& flight) {
    if (!flight) return 0;
    Shard& s = shard_at(flight->primary().hash);
    std::lock_guard lock(s.mu);
    return flight->callbacks_.size();
}

// --- invalidation and purge ---

std::size_t Store::erase_at(std::string_view url, const std::function<bool(const Object&)>& which) {
    if (url.empty()) return 0;
    std::size_t n = 0;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::vector<ObjectPtr> released;
        std::lock_guard lock(s.mu);
        n += s.lru->erase_at(url, which, released);
    }
    return n;
}

std::size_t Store::expire(obs::TimePoint now) {
    std::size_t n = 0;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::vector<ObjectPtr> released;
        std::lock_guard lock(s.mu);
        n += s.lru->expire(now, released);
    }
    return n;
}

// --- the string-based interface ---

ObjectPtr Store::find(std::string_view key, obs::TimePoint now, bool allow_stale) {
    const std::string_view primary = primary_of(key);
    const bool variant = primary.size() != key.size();
    const std::string_view secondary = variant ? key.substr(primary.size() + 1) : "";
    const std::size_t hash = detail::KeyHash{}(primary);
    Shard& s = shard_at(hash);
    ObjectPtr expired;
    std::lock_guard lock(s.mu);
    detail::Lru& t = *s.lru;
    detail::LruCounters& c = t.counters();
    detail::Entry* e = t.find({primary, hash});
    detail::Slot* slot = e ? detail::Lru::slot_of(*e, variant, secondary) : nullptr;
    if (!slot) {
        ++c.misses;
        return nullptr;
    }
    if (now >= slot->object->retain_until()) {
        expired = t.remove(slot);
        t.erase_if_empty(*e);
        ++c.expired;
        ++c.misses;
        return nullptr;
    }
    if (!allow_stale && !slot->object->fresh(now)) {  // kept for grace or errors, not a hit
        ++c.misses;
        return nullptr;
    }
    detail::Lru::touch(*slot);
    ++c.hits;
    return slot->object;
}

ObjectPtr Store::lookup(std::string_view key, obs::TimePoint now) {
    return find(key, now, false);
}

ObjectPtr Store::lookup_servable(std::string_view key, obs::TimePoint now) {
    return find(key, now, true);
}

bool Store::insert(ObjectPtr object) {
    return place(std::move(object), false, std::nullopt);
}

bool Store::place(ObjectPtr object, bool soft_purged, std::optional<bool> referenced) {
    if (!object) return false;
    const std::string_view primary = primary_of(object->key());
    const std::size_t hash = detail::KeyHash{}(primary);
    Shard& s = shard_at(hash);
    std::vector<ObjectPtr> released;
    released.reserve(4);  // allocated outside the lock in the common case
    const bool refuse = refused(*object, s);
    ObjectPtr keep_alive = object;  // `primary` views it
    std::lock_guard lock(s.mu);
    if (refuse) {
        ++s.rejected;
        return false;
    }
    detail::Lru& t = *s.lru;
    detail::Entry& e = t.find_or_create({primary, hash}, released);
    detail::Slot* slot = insert_vetted(t, e, std::move(object), released);
    if (slot && referenced) {  // a restored object: its slot's flags as they were
        slot->soft_purged = slot->soft_purged || soft_purged;
        slot->referenced = *referenced;
    }
    t.erase_if_empty(e);
    return slot != nullptr;
}

bool Store::erase(std::string_view key) {
    const std::string_view primary = primary_of(key);
    const bool variant = primary.size() != key.size();
    const std::size_t hash = detail::KeyHash{}(primary);
    Shard& s = shard_at(hash);
    std::vector<ObjectPtr> released;
    std::lock_guard lock(s.mu);
    detail::Lru& t = *s.lru;
    detail::Entry* e = t.find({primary, hash});
    if (!e) return false;
    if (variant) {
        if (detail::Slot* slot = t.slot_of(*e, true, key.substr(primary.size() + 1)))
            released.push_back(t.remove(slot));
    } else {
        t.remove_all(*e, released);
    }
    t.erase_if_empty(*e);
    return !released.empty();
}

std::string Store::resolve_variant(std::string_view primary,
                                   const http::HeaderList& request_headers) {
    Shard& s = shard_for(primary);
    std::string vary;
    {
        std::lock_guard lock(s.mu);
        detail::Entry* e = s.lru->find({primary, detail::KeyHash{}(primary)});
        if (!e || !e->has_variants()) return std::string(primary);
        vary = e->vary();
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
    detail::Entry* e = s.lru->find({primary, detail::KeyHash{}(primary)});
    return e && e->has_variants() ? e->slot_count : 0;
}

std::size_t Store::erase_prefix(std::string_view prefix) {
    std::size_t n = 0;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::vector<ObjectPtr> released;
        std::lock_guard lock(s.mu);
        n += s.lru->remove_if(
            [prefix](const Object& o) { return std::string_view(o.key()).starts_with(prefix); },
            released);
    }
    return n;
}

PurgeResult Store::purge(Purge purge, obs::TimePoint now) {
    PurgeResult result;
    const PurgeKind kind = purge.kind;
    const bool soft = purge.soft;
    const std::string subject = purge.subject;
    const auto matches = purge.matches;  // the listed copy is the ban's
    result.id = bans_->add(std::move(purge), now);
    if (result.id == 0) {
        result.refusal = PurgeRefusal::TooManyPending;
        return result;
    }
    // Listed first, applied second: a fetch that stores after this point is vetted against it,
    // and one that stored before is found below (each shard's lock orders the two).
    std::size_t applied = 0;
    if (kind == PurgeKind::Url || kind == PurgeKind::Tag) {
        for (unsigned i = 0; i < limits_.shards; ++i) {
            Shard& s = shards_[i];
            std::vector<ObjectPtr> released;
            std::lock_guard lock(s.mu);
            detail::Lru& t = *s.lru;
            if (kind == PurgeKind::Tag)
                applied += t.purge_tag(subject, soft, released);
            else if (soft)
                applied += t.soften_at(subject, matches);
            else
                applied += t.erase_at(subject, matches, released);
        }
    } else {
        sweep(result.id);
    }
    bans_->swept(result.id);
    result.objects = applied + bans_->counted(result.id);
    return result;
}

void Store::sweep(std::uint64_t id) {
    // A few buckets per lock, so hits on the shard wait at most that long; a table that grew
    // meanwhile (entries moved between buckets) is walked again from the start.
    constexpr std::size_t kBucketsPerLock = 256;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        Shard& s = shards_[i];
        std::size_t next = 0;
        std::size_t generation = 0;
        bool started = false;
        do {
            std::vector<ObjectPtr> released;
            std::lock_guard lock(s.mu);
            detail::Lru& t = *s.lru;
            if (started && generation != t.bucket_generation()) next = 0;
            started = true;
            generation = t.bucket_generation();
            next = t.sweep_buckets(
                next, kBucketsPerLock,
                [&](detail::Slot& slot) {
                    if (slot.checked >= id) return false;
                    switch (bans_->test(*slot.object, slot.checked)) {
                        case detail::BanVerdict::Remove:
                            return true;
                        case detail::BanVerdict::Soften:
                            slot.soft_purged = true;
                            return false;
                        case detail::BanVerdict::Keep:
                            return false;
                    }
                    return false;
                },
                released);
        } while (next != 0);
    }
}

std::size_t Store::retire_purges(obs::TimePoint now) {
    return bans_->retire(now);
}

std::size_t Store::pending_purges() const {
    return bans_->pending();
}

std::size_t Store::tagged(std::string_view tag) const {
    std::size_t n = 0;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        const Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        n += s.lru->tagged(tag);
    }
    return n;
}

// --- snapshots ---

std::vector<Resident> Store::residents(unsigned shard) const {
    std::vector<Resident> out;
    if (shard >= limits_.shards) return out;
    const Shard& s = shards_[shard];
    {
        std::lock_guard lock(s.mu);
        out.reserve(s.lru->size());
        s.lru->for_each_slot_oldest_first([&](const detail::Slot& slot) {
            out.push_back({slot.object, slot.soft_purged, slot.referenced});
        });
    }
    return out;
}

bool Store::restore(ObjectPtr object, bool soft_purged, bool referenced) {
    return place(std::move(object), soft_purged, referenced);
}

std::optional<StoredKey> Store::inspect(const Key& primary) {
    Shard& s = shard_at(primary.hash);
    std::lock_guard lock(s.mu);
    const detail::Entry* e = s.lru->find(ref(primary));
    if (!e) return std::nullopt;
    StoredKey out;
    out.vary = std::string(e->vary());
    for (const detail::Slot* slot = e->slots; slot; slot = slot->variant_next) {
        const Object& o = *slot->object;
        out.variants.push_back({.secondary = std::string(slot->secondary()),
                                .status = o.status,
                                .body_bytes = o.body().size(),
                                .charge = o.charge(),
                                .stored_at = o.stored_at,
                                .expires_at = o.expires_at,
                                .grace_until = o.grace_until,
                                .error_until = o.error_until,
                                .referenced = slot->referenced,
                                .http_policy = o.meta.parsed,
                                .etag = std::string(o.etag()),
                                .rule_name = o.rule_name.str(),
                                .tags = std::string(o.tags())});
    }
    for (const detail::FlightNode* f = e->flights; f; f = f->next) ++out.flights;
    if (e->marker) out.hit_for_pass_until = e->marker->until;
    return out;
}

StoreStats Store::stats() const {
    StoreStats total;
    for (unsigned i = 0; i < limits_.shards; ++i) {
        const Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        const detail::Lru& t = *s.lru;
        const auto& c = t.counters();
        total.objects += t.size();
        total.bytes += t.bytes();
        total.flight_bytes += t.flight_bytes();
        total.index_bytes += t.index_bytes();
        total.entries += t.entries();
        total.flights += s.flights;
        total.pass_markers += t.markers();
        total.hits += c.hits;
        total.misses += c.misses;
        total.inserts += c.inserts;
        total.evictions += c.evictions;
        total.expired += c.expired;
        total.rejected += s.rejected;
        total.coalesced += c.coalesced;
        total.hit_for_pass += c.hit_for_pass;
    }
    return total;
}

bool Store::check_invariants() const {
    for (unsigned i = 0; i < limits_.shards; ++i) {
        const Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        if (!s.lru->check_invariants(limits_.max_variants)) return false;
        std::size_t flights = 0;
        bool ok = true;
        s.lru->for_each_entry([&](const detail::Entry& e) {
            for (const detail::FlightNode* n = e.flights; n; n = n->next) {
                const FlightPtr& f = n->flight;
                if (!f || f->done_ || f->primary().text != e.key() || f->primary().hash != e.hash)
                    ok = false;
                else if (n->charged != detail::Lru::flight_charge(*f) +
                                           f->callbacks_.size() * detail::Lru::kWaiterCharge)
                    ok = false;  // every waiter charged, and only while it waits
                for (const detail::FlightNode* m = e.flights; f && m; m = m->next)
                    if (m != n && (m->flight == f || (m->flight->vary() == f->vary() &&
                                                      m->flight->secondary() == f->secondary())))
                        ok = false;  // each flight listed once, one flight per variant
                ++flights;
            }
        });
        if (!ok || flights != s.flights) return false;
    }
    return true;
}

}  // namespace larder::cache
