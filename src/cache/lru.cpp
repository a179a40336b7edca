#include "lru.hpp"

#include <cstdio>
#include <cstring>
#include <new>
#include <utility>

#include "larder/cache/tags.hpp"
#include "larder/cache/vary.hpp"

namespace larder::cache::detail {

namespace {

constexpr std::size_t kInitialBuckets = 16;

std::size_t url_hash(const Slot* s) {
    return KeyHash{}(s->object->url());
}

// Bytes a std::string holds on the heap: nothing while it fits in the inline (SSO) buffer.
std::size_t heap_bytes(const std::string& s) {
    static const std::size_t inline_capacity = std::string().capacity();
    return s.capacity() > inline_capacity ? heap_cost(s.capacity() + 1) : 0;
}

// What the three bucket arrays hold beyond their initial size: the entry table's and the URL
// index's (kInitialBuckets each), and the tag map's (one bucket, inside the map, when empty).
std::size_t grown_index_bytes(std::size_t entry_buckets, std::size_t url_buckets,
                              std::size_t tag_buckets) {
    constexpr std::size_t initial = heap_cost(kInitialBuckets * sizeof(void*));
    return heap_cost(entry_buckets * sizeof(void*)) - initial +
           heap_cost(url_buckets * sizeof(void*)) - initial +
           (tag_buckets > 1 ? heap_cost(tag_buckets * sizeof(void*)) : 0);
}

}  // namespace

// --- markers' storage ---

Marker* Marker::create(std::string_view key) {
    void* p = ::operator new(allocation_bytes(key.size()));
    auto* m = new (p) Marker;
    m->key_size = static_cast<std::uint32_t>(key.size());
    m->is_marker = true;
    if (!key.empty()) std::memcpy(reinterpret_cast<char*>(m + 1), key.data(), key.size());
    return m;
}

void Marker::destroy(Marker* m) noexcept {
    m->~Marker();
    ::operator delete(static_cast<void*>(m));
}

std::size_t Lru::marker_charge(std::size_t key_size) {
    // Each is allocated with `new` at exactly these sizes (see object.cpp for the measured rest).
    return heap_cost(Marker::allocation_bytes(key_size)) + heap_cost(sizeof(Entry));
}

std::size_t Lru::flight_charge(const Flight& flight) {
    // The make_shared block: the Flight behind libstdc++'s control block (a vptr and two
    // counts). The Flight's callbacks are charged per waiter (kWaiterCharge).
    constexpr std::size_t block = sizeof(Flight) + 2 * sizeof(void*);
    return heap_cost(block) + heap_bytes(flight.primary().text) + heap_bytes(flight.vary()) +
           heap_bytes(flight.secondary()) + heap_cost(sizeof(FlightNode)) +
           heap_cost(sizeof(Entry));
}

Lru::Lru(std::size_t max_bytes, std::size_t max_objects, std::size_t max_markers)
    : max_bytes_(max_bytes),
      max_objects_(max_objects < 1 ? 1 : max_objects),
      max_markers_(max_markers < 1 ? 1 : max_markers),
      buckets_(new Entry* [kInitialBuckets] {}),
      bucket_mask_(kInitialBuckets - 1),
      url_buckets_(new Slot* [kInitialBuckets] {}),
      url_mask_(kInitialBuckets - 1) {
    sentinel_.prev = sentinel_.next = &sentinel_;
}

Lru::~Lru() {
    for (Node* n = sentinel_.next; n != &sentinel_;) {
        Node* next = n->next;
        if (n->is_marker) {
            Marker::destroy(static_cast<Marker*>(n));
        } else {
            auto* slot = static_cast<Slot*>(n);
            for (TagLink* link = slot->tags; link;) {  // the heads go with tags_
                TagLink* link_next = link->slot_next;
                delete link;
                link = link_next;
            }
            delete slot;
        }
        n = next;
    }
    for (std::size_t b = 0; b <= bucket_mask_; ++b) {
        for (Entry* e = buckets_[b]; e;) {
            Entry* next = e->hash_next;
            for (FlightNode* f = e->flights; f;) {
                FlightNode* fnext = f->next;
                delete f;
                f = fnext;
            }
            delete e;
            e = next;
        }
    }
}

// --- entries ---

void Lru::rekey(Entry& e) {
    if (e.slots)
        e.key_data = e.slots->object->key().data();
    else if (e.flights)
        e.key_data = e.flights->flight->primary().text.data();
    else if (e.marker)
        e.key_data = e.marker->key_data();
}

void Lru::fit(const Entry* keep, std::vector<ObjectPtr>& released) {
    while (bytes_ > max_bytes_)
        if (!evict_one(keep, released)) break;
}

void Lru::recharge_indexes(std::size_t entry_buckets, std::size_t url_buckets) {
    const std::size_t grown = grown_index_bytes(entry_buckets, url_buckets, tags_.bucket_count());
    bytes_ = bytes_ - index_bytes_ + grown;
    index_bytes_ = grown;
}

void Lru::grow_entries() {
    const std::size_t n = (bucket_mask_ + 1) * 2;
    recharge_indexes(n, url_mask_ + 1);
    std::unique_ptr<Entry*[]> buckets(new Entry* [n] {});
    for (std::size_t b = 0; b <= bucket_mask_; ++b) {
        for (Entry* e = buckets_[b]; e;) {
            Entry* next = e->hash_next;
            Entry*& head = buckets[e->hash & (n - 1)];
            e->hash_next = head;
            head = e;
            e = next;
        }
    }
    buckets_ = std::move(buckets);
    bucket_mask_ = n - 1;
}

Entry& Lru::find_or_create(KeyRef key, std::vector<ObjectPtr>& released) {
    if (Entry* e = find(key)) return *e;
    if (entry_count_ + 1 > bucket_mask_ + 1) {
        grow_entries();
        fit(nullptr, released);  // the new entry does not exist yet: nothing to keep
    }
    auto* e = new Entry;
    e->hash = key.hash;
    e->key_data = key.text.data();
    e->key_size = static_cast<std::uint32_t>(key.text.size());
    Entry*& head = buckets_[key.hash & bucket_mask_];
    e->hash_next = head;
    head = e;
    ++entry_count_;
    return *e;
}

void Lru::erase_if_empty(Entry& e) {
    if (!e.empty()) return;
    for (Entry** p = &buckets_[e.hash & bucket_mask_]; *p; p = &(*p)->hash_next) {
        if (*p == &e) {
            *p = e.hash_next;
            break;
        }
    }
    --entry_count_;
    delete &e;
}

// --- flights ---

FlightPtr Lru::find_flight(const Entry& e, std::string_view vary, std::string_view secondary) {
    for (const FlightNode* f = e.flights; f; f = f->next)
        if (f->flight->secondary() == secondary && f->flight->vary() == vary) return f->flight;
    return nullptr;
}

void Lru::add_flight(Entry& e, FlightPtr flight, std::vector<ObjectPtr>& released) {
    const std::size_t charge = flight_charge(*flight);
    e.flights = new FlightNode{std::move(flight), e.flights, charge};
    bytes_ += charge;
    flight_bytes_ += charge;
    rekey(e);  // the key may still view the caller's text (a new entry) or a dropped object
    fit(&e, released);
}

void Lru::charge_waiter(Entry& e, const Flight& flight, std::vector<ObjectPtr>& released) {
    for (FlightNode* f = e.flights; f; f = f->next) {
        if (f->flight.get() == &flight) {
            f->charged += kWaiterCharge;
            bytes_ += kWaiterCharge;
            flight_bytes_ += kWaiterCharge;
            fit(&e, released);
            return;
        }
    }
}

void Lru::remove_flight(Entry& e, const Flight& flight) {
    for (FlightNode** p = &e.flights; *p; p = &(*p)->next) {
        if ((*p)->flight.get() == &flight) {
            FlightNode* gone = *p;
            *p = gone->next;
            bytes_ -= gone->charged;
            flight_bytes_ -= gone->charged;
            delete gone;  // the caller holds the flight: this is not its last reference
            break;
        }
    }
    rekey(e);
}

// --- the eviction queue ---

void Lru::link_front(Node* n) {
    n->prev = &sentinel_;
    n->next = sentinel_.next;
    sentinel_.next->prev = n;
    sentinel_.next = n;
}

void Lru::unlink(Node* n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = nullptr;
}

// --- the URL index ---

void Lru::grow_url_index() {
    const std::size_t n = (url_mask_ + 1) * 2;
    recharge_indexes(bucket_mask_ + 1, n);
    std::unique_ptr<Slot*[]> buckets(new Slot* [n] {});
    for (std::size_t b = 0; b <= url_mask_; ++b) {
        for (Slot* s = url_buckets_[b]; s;) {
            Slot* next = s->url_next;
            Slot*& head = buckets[url_hash(s) & (n - 1)];
            s->url_next = head;
            head = s;
            s = next;
        }
    }
    url_buckets_ = std::move(buckets);
    url_mask_ = n - 1;
}

void Lru::url_link(Slot* s) {
    if (s->object->url().empty()) return;
    Slot*& head = url_buckets_[url_hash(s) & url_mask_];
    s->url_next = head;
    head = s;
    ++url_count_;
}

void Lru::url_unlink(Slot* s) {
    if (s->object->url().empty()) return;
    for (Slot** p = &url_buckets_[url_hash(s) & url_mask_]; *p; p = &(*p)->url_next) {
        if (*p == s) {
            *p = s->url_next;
            break;
        }
    }
    s->url_next = nullptr;
    --url_count_;
}

// --- slots ---

ObjectPtr Lru::remove(Slot* s) {
    Entry& e = *s->entry;
    for (Slot** p = &e.slots; *p; p = &(*p)->variant_next) {
        if (*p == s) {
            *p = s->variant_next;
            break;
        }
    }
    --e.slot_count;
    unlink(s);
    url_unlink(s);
    tag_unlink(s);
    ObjectPtr object = std::move(s->object);
    bytes_ -= object->charge();
    --size_;
    delete s;
    rekey(e);  // `object` (the caller's now) may have been the key's source
    return object;
}

void Lru::remove_all(Entry& e, std::vector<ObjectPtr>& released) {
    while (e.slots) released.push_back(remove(e.slots));
}

bool Lru::evict_one(const Entry* keep, std::vector<ObjectPtr>& released) {
    // The hand walks from the oldest node towards the newest. A flagged node goes to the front
    // with its flag cleared (the walk meets it again after the others); keep's marker is passed
    // over. A second pass sees every node unflagged, so a third means nothing can be evicted.
    Node* n = sentinel_.prev;
    for (int passes = 0; passes < 3;) {
        if (n == &sentinel_) {
            ++passes;
            n = sentinel_.prev;
            continue;
        }
        Node* newer = n->prev;
        if (n->is_marker && static_cast<Marker*>(n)->entry == keep) {
            n = newer;
            continue;
        }
        if (n->referenced) {  // second chance
            n->referenced = false;
            unlink(n);
            link_front(n);
            n = newer;
            continue;
        }
        if (n->is_marker) {
            Entry& e = *static_cast<Marker*>(n)->entry;
            unmark(e);
            erase_if_empty(e);  // not keep: keep's marker is passed over above
        } else {
            auto* s = static_cast<Slot*>(n);
            Entry* e = s->entry;
            released.push_back(remove(s));
            ++counters_.evictions;
            if (e != keep) erase_if_empty(*e);
        }
        return true;
    }
    return false;
}

Slot* Lru::insert(Entry& e, ObjectPtr object, std::size_t max_variants,
                  std::vector<ObjectPtr>& released, bool soft_purged) {
    const std::size_t charge = object->charge();
    const std::string_view key = object->key();
    const auto sep = key.find(kVariantSeparator);
    const bool variant = sep != std::string_view::npos;
    const std::string_view secondary = variant ? key.substr(sep + 1) : std::string_view{};
    e.key_data = key.data();  // a source held by this call until the slot holds it

    unmark(e);  // a stored object proves the key cacheable
    if (!variant) {
        remove_all(e, released);  // the same key, or the variants a plain response replaces
        e.set_vary({});
    } else {
        if (e.slots && (!e.slots->variant || e.vary() != object->vary()))
            remove_all(e, released);  // the plain object, or variants of another Vary
        else if (Slot* same = slot_of(e, true, secondary))
            released.push_back(remove(same));
        while (e.slot_count >= max_variants) {  // drop the oldest (the list's tail)
            Slot* oldest = e.slots;
            while (oldest->variant_next) oldest = oldest->variant_next;
            released.push_back(remove(oldest));
        }
        e.set_vary(object->vary());
    }
    // The URL index and the tag map grow before the room is made, so their new bytes are made
    // room for too (tag_link below then never rehashes).
    if (!object->url().empty() && url_count_ + 1 > url_mask_ + 1) grow_url_index();
    std::size_t tag_count = 0;
    for_each_tag(object->tags(), [&](std::string_view) { ++tag_count; });
    if (tag_count && tags_.bucket_count() < tags_.size() + tag_count + 1) {
        tags_.reserve(tags_.size() + tag_count);
        recharge_indexes(bucket_mask_ + 1, url_mask_ + 1);
    }
    while (bytes_ + charge > max_bytes_ || size_ + 1 > max_objects_)
        if (!evict_one(&e, released)) break;

    auto* s = new Slot;
    s->entry = &e;
    s->variant = variant;
    s->secondary_at = static_cast<std::uint32_t>(variant ? sep + 1 : key.size());
    s->object = std::move(object);
    s->checked = s->object->epoch;
    s->soft_purged = soft_purged;
    s->variant_next = e.slots;
    e.slots = s;
    ++e.slot_count;
    link_front(s);
    url_link(s);
    tag_link(s);
    bytes_ += charge;
    ++size_;
    ++counters_.inserts;
    rekey(e);
    return s;
}

// --- the tag index ---

void Lru::tag_link(Slot* s) {
    for_each_tag(s->object->tags(), [&](std::string_view tag) {
        auto it = tags_.find(tag);
        if (it == tags_.end()) {
            auto head = std::make_unique<TagHead>();
            head->tag = std::string(tag);
            const std::string_view key = head->tag;
            it = tags_.emplace(key, std::move(head)).first;
        }
        TagHead* head = it->second.get();
        auto* link = new TagLink{
            .head = head, .slot = s, .prev = nullptr, .next = head->first, .slot_next = s->tags};
        if (head->first) head->first->prev = link;
        head->first = link;
        s->tags = link;
    });
}

void Lru::tag_unlink(Slot* s) {
    for (TagLink* link = s->tags; link;) {
        TagLink* next = link->slot_next;
        TagHead* head = link->head;
        if (link->prev)
            link->prev->next = link->next;
        else
            head->first = link->next;
        if (link->next) link->next->prev = link->prev;
        delete link;
        if (!head->first) tags_.erase(std::string_view(head->tag));  // frees the head
        link = next;
    }
    s->tags = nullptr;
}

std::size_t Lru::purge_tag(std::string_view tag, bool soft, std::vector<ObjectPtr>& released) {
    std::size_t n = 0;
    if (soft) {
        auto it = tags_.find(tag);
        if (it == tags_.end()) return 0;
        for (TagLink* link = it->second->first; link; link = link->next) {
            if (link->slot->soft_purged) continue;
            link->slot->soft_purged = true;
            ++n;
        }
        return n;
    }
    // Each removal unlinks the first link (and may free the head with the last one): look the
    // head up again every time rather than hold a pointer into it.
    for (auto it = tags_.find(tag); it != tags_.end(); it = tags_.find(tag)) {
        Slot* s = it->second->first->slot;
        Entry* e = s->entry;
        released.push_back(remove(s));
        erase_if_empty(*e);
        ++n;
    }
    return n;
}

std::size_t Lru::tagged(std::string_view tag) const {
    auto it = tags_.find(tag);
    std::size_t n = 0;
    if (it != tags_.end())
        for (const TagLink* link = it->second->first; link; link = link->next) ++n;
    return n;
}

// --- hit-for-pass markers ---

void Lru::unmark(Entry& e) {
    Marker* m = e.marker;
    if (!m) return;
    (m->newer ? m->newer->older : marker_newest_) = m->older;
    (m->older ? m->older->newer : marker_oldest_) = m->newer;
    unlink(m);
    bytes_ -= marker_charge(m->key_size);
    --marker_count_;
    e.marker = nullptr;
    Marker::destroy(m);
    rekey(e);
}

bool Lru::mark(Entry& e, obs::TimePoint until, std::vector<ObjectPtr>& released) {
    const std::size_t charge = marker_charge(e.key_size);
    if (charge > max_bytes_) {
        unmark(e);  // cannot happen (the old one fit), but never keep a stale marker
        return false;
    }
    Marker* m = Marker::create(e.key());  // before unmark: the key may view the old marker
    unmark(e);
    m->entry = &e;
    m->until = until;
    m->older = marker_newest_;
    (marker_newest_ ? marker_newest_->newer : marker_oldest_) = m;
    marker_newest_ = m;
    link_front(m);
    e.marker = m;
    bytes_ += charge;
    ++marker_count_;
    rekey(e);
    while (marker_count_ > max_markers_) {  // the oldest is not e's: e's is the newest, count >= 2
        Entry& oldest = *marker_oldest_->entry;
        unmark(oldest);
        erase_if_empty(oldest);
    }
    fit(&e, released);
    return true;
}

void Lru::sweep_markers(obs::TimePoint now) {
    while (marker_oldest_ && marker_oldest_->until <= now) {
        Entry& oldest = *marker_oldest_->entry;
        unmark(oldest);
        erase_if_empty(oldest);
    }
}

// --- bulk removals ---

std::size_t Lru::remove_if(const Predicate& which, std::vector<ObjectPtr>& released) {
    std::size_t n = 0;
    for (Node* node = sentinel_.next; node != &sentinel_;) {
        Node* next = node->next;
        if (!node->is_marker) {
            auto* s = static_cast<Slot*>(node);
            if (which(*s->object)) {
                Entry* e = s->entry;
                released.push_back(remove(s));
                erase_if_empty(*e);  // never a marker: `next` stays valid
                ++n;
            }
        }
        node = next;
    }
    return n;
}

std::size_t Lru::erase_at(std::string_view url, const Predicate& which,
                          std::vector<ObjectPtr>& released) {
    std::size_t n = 0;
    for (Slot* s = url_buckets_[KeyHash{}(url)&url_mask_]; s;) {
        Slot* next = s->url_next;  // removing `s` leaves the rest of the chain as it is
        if (s->object->url() == url && which(*s->object)) {
            Entry* e = s->entry;
            released.push_back(remove(s));
            erase_if_empty(*e);
            ++n;
        }
        s = next;
    }
    return n;
}

std::size_t Lru::soften_at(std::string_view url, const Predicate& which) {
    std::size_t n = 0;
    for (Slot* s = url_buckets_[KeyHash{}(url)&url_mask_]; s; s = s->url_next) {
        if (s->soft_purged || s->object->url() != url || !which(*s->object)) continue;
        s->soft_purged = true;
        ++n;
    }
    return n;
}

std::size_t Lru::sweep_buckets(std::size_t from, std::size_t count,
                               const std::function<bool(Slot&)>& visit,
                               std::vector<ObjectPtr>& released) {
    const std::size_t end = std::min(from + count, bucket_mask_ + 1);
    for (std::size_t b = from; b < end; ++b) {
        for (Entry* e = buckets_[b]; e;) {
            Entry* next_entry = e->hash_next;  // `e` may be erased below
            for (Slot* s = e->slots; s;) {
                Slot* next = s->variant_next;
                if (visit(*s)) released.push_back(remove(s));
                s = next;
            }
            erase_if_empty(*e);
            e = next_entry;
        }
    }
    return end > bucket_mask_ ? 0 : end;
}

std::size_t Lru::expire(obs::TimePoint now, std::vector<ObjectPtr>& released) {
    sweep_markers(now);
    const std::size_t n =
        remove_if([now](const Object& o) { return now >= o.retain_until(); }, released);
    counters_.expired += n;
    return n;
}

// --- invariants ---

namespace {

// check_invariants() runs in tests only: it names the broken check before answering false.
bool fail(int line) {
    std::fprintf(stderr, "cache::detail::Lru invariant broken at lru.cpp:%d\n", line);
    return false;
}

}  // namespace

bool Lru::check_invariants(std::size_t max_variants) const {
    std::size_t bytes = 0, slots_queued = 0, markers_queued = 0, with_url = 0;
    for (const Node* n = sentinel_.next; n != &sentinel_; n = n->next) {
        if (n->next->prev != n) return fail(__LINE__);
        if (n->is_marker) {
            const auto* m = static_cast<const Marker*>(n);
            if (!m->entry || m->entry->marker != m || m->key_size != m->entry->key_size ||
                std::string_view(m->key_data(), m->key_size) != m->entry->key())
                return fail(__LINE__);
            bytes += marker_charge(m->key_size);
            ++markers_queued;
            continue;
        }
        const auto* s = static_cast<const Slot*>(n);
        if (!s->object || !s->entry) return fail(__LINE__);
        const Entry& e = *s->entry;
        if (primary_of(s->object->key()) != e.key()) return fail(__LINE__);
        const bool variant = s->object->key().find(kVariantSeparator) != std::string::npos;
        if (variant != s->variant) return fail(__LINE__);
        if (variant && s->secondary_at != e.key_size + 1) return fail(__LINE__);
        if (!variant && s->secondary_at != s->object->key().size()) return fail(__LINE__);
        bool listed = false;
        for (const Slot* v = e.slots; v; v = v->variant_next) listed |= v == s;
        if (!listed) return fail(__LINE__);
        if (!s->object->url().empty()) ++with_url;
        bytes += s->object->charge();
        ++slots_queued;
    }
    std::size_t flight_bytes = 0;
    for_each_entry([&](const Entry& e) {
        for (const FlightNode* f = e.flights; f; f = f->next) flight_bytes += f->charged;
    });
    if (flight_bytes != flight_bytes_) return fail(__LINE__);
    bytes += flight_bytes + index_bytes_;
    // Over budget only with nothing left to evict: flights (in progress) and indexes alone.
    const bool over = bytes_ > max_bytes_ && (size_ > 0 || marker_count_ > 0);
    if (slots_queued != size_ || markers_queued != marker_count_ || bytes != bytes_ || over ||
        size_ > max_objects_)
        return fail(__LINE__);
    if (index_bytes_ != grown_index_bytes(bucket_mask_ + 1, url_mask_ + 1, tags_.bucket_count()))
        return fail(__LINE__);

    std::size_t slots = 0, marked = 0, entries = 0;
    bool ok = true;
    for_each_entry([&](const Entry& e) {
        ++entries;
        if ((e.hash & bucket_mask_) != (KeyHash{}(e.key()) & bucket_mask_) ||
            e.hash != KeyHash{}(e.key()))
            ok = fail(__LINE__);
        if (e.empty()) ok = fail(__LINE__);  // empty entries go
        // The key views a source the entry holds.
        bool sourced = e.marker && e.key_data == e.marker->key_data();
        std::size_t n = 0, variants = 0;
        for (const Slot* s = e.slots; s; s = s->variant_next) {
            if (s->entry != &e) ok = fail(__LINE__);
            sourced |= e.key_data == s->object->key().data();
            ++n;
            if (s->variant) {
                ++variants;
                if (s->object->vary() != e.vary()) ok = fail(__LINE__);
            }
        }
        for (const FlightNode* f = e.flights; f; f = f->next) {
            sourced |= e.key_data == f->flight->primary().text.data();
            if (f->charged < flight_charge(*f->flight) ||
                (f->charged - flight_charge(*f->flight)) % kWaiterCharge != 0)
                ok = fail(__LINE__);
        }
        if (!sourced) ok = fail(__LINE__);
        if (e.vary_text && e.vary_text->empty()) ok = fail(__LINE__);
        if (n != e.slot_count) ok = fail(__LINE__);
        if (variants != 0 && variants != n) ok = fail(__LINE__);  // plain and variants never both
        if (variants == 0 && n > 1) ok = fail(__LINE__);          // one plain object at most
        if (variants > max_variants) ok = fail(__LINE__);
        if (n > 0 && variants == 0 && e.vary_text) ok = fail(__LINE__);
        slots += n;
        if (e.marker) ++marked;
    });
    if (!ok || entries != entry_count_ || slots != size_) return fail(__LINE__);

    std::size_t listed = 0;
    const Marker* newer = nullptr;
    for (const Marker* m = marker_newest_; m; newer = m, m = m->older) {
        if (m->newer != newer || m->entry->marker != m) return fail(__LINE__);
        ++listed;
    }
    if (newer != marker_oldest_ || listed != marked || listed != marker_count_ ||
        marker_count_ > max_markers_)
        return fail(__LINE__);

    std::size_t indexed = 0;
    for (std::size_t b = 0; b <= url_mask_; ++b) {
        for (const Slot* s = url_buckets_[b]; s; s = s->url_next) {
            if (!s->object || s->object->url().empty() || (url_hash(s) & url_mask_) != b)
                return fail(__LINE__);
            ++indexed;
        }
    }
    if (indexed != with_url || indexed != url_count_) return fail(__LINE__);

    // Tags: every link is in its head's list and its slot's chain; heads are never empty.
    for (const auto& [tag, head] : tags_) {
        if (!head->first || tag != head->tag) return fail(__LINE__);
        for (const TagLink* link = head->first; link; link = link->next) {
            if (link->head != head.get() || (link->next && link->next->prev != link))
                return fail(__LINE__);
            bool in_slot = false;
            for (const TagLink* l = link->slot->tags; l; l = l->slot_next) in_slot |= l == link;
            if (!in_slot) return fail(__LINE__);
        }
    }
    return true;
}

}  // namespace larder::cache::detail
