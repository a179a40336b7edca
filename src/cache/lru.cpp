#include "lru.hpp"

#include <algorithm>
#include <utility>

#include "larder/cache/vary.hpp"

namespace larder::cache::detail {

Lru::Lru(std::size_t max_bytes, std::size_t max_objects, std::size_t max_markers)
    : max_bytes_(max_bytes),
      max_objects_(max_objects < 1 ? 1 : max_objects),
      max_markers_(max_markers < 1 ? 1 : max_markers) {
    sentinel_.prev = sentinel_.next = &sentinel_;
}

Lru::~Lru() {
    for (Slot* s = sentinel_.next; s != &sentinel_;) {
        Slot* next = s->next;
        delete s;
        s = next;
    }
}

// --- entries ---

Entry* Lru::find(KeyRef key) {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
}

Entry& Lru::find_or_create(KeyRef key) {
    if (Entry* e = find(key)) return *e;
    auto [it, inserted] = map_.try_emplace(EntryKey{std::string(key.text), key.hash});
    it->second.key = &it->first;
    return it->second;
}

Slot* Lru::slot_of(Entry& e, bool variant, std::string_view secondary) {
    for (Slot* s = e.slots; s; s = s->variant_next)
        if (s->variant == variant && (!variant || s->secondary() == secondary)) return s;
    return nullptr;
}

void Lru::erase_if_empty(Entry& e) {
    if (e.slots || !e.flights.empty() || e.marked) return;
    auto it = map_.find(KeyRef{e.key->text, e.key->hash});
    map_.erase(it);
}

// --- the eviction queue ---

void Lru::link_front(Slot* s) {
    s->prev = &sentinel_;
    s->next = sentinel_.next;
    sentinel_.next->prev = s;
    sentinel_.next = s;
}

void Lru::unlink(Slot* s) {
    s->prev->next = s->next;
    s->next->prev = s->prev;
    s->prev = s->next = nullptr;
}

// --- the URL index: the map key views the list head's url; others are linked behind it ---

void Lru::url_link(Slot* s) {
    const std::string& url = s->object->url;
    if (url.empty()) return;
    auto [it, inserted] = url_index_.try_emplace(std::string_view(url), s);
    if (inserted) return;
    Slot* head = it->second;
    s->url_prev = head;
    s->url_next = head->url_next;
    if (head->url_next) head->url_next->url_prev = s;
    head->url_next = s;
}

void Lru::url_unlink(Slot* s) {
    const std::string& url = s->object->url;
    if (url.empty()) return;
    if (s->url_prev) {
        s->url_prev->url_next = s->url_next;
        if (s->url_next) s->url_next->url_prev = s->url_prev;
    } else {  // the head: the map key views its url
        auto it = url_index_.find(std::string_view(url));
        if (!s->url_next) {
            url_index_.erase(it);
        } else {
            auto node = url_index_.extract(it);
            Slot* head = s->url_next;
            head->url_prev = nullptr;
            node.key() = head->object->url;
            node.mapped() = head;
            url_index_.insert(std::move(node));
        }
    }
    s->url_prev = s->url_next = nullptr;
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
    ObjectPtr object = std::move(s->object);
    bytes_ -= object->charge();
    --size_;
    delete s;
    return object;
}

void Lru::remove_all(Entry& e, std::vector<ObjectPtr>& released) {
    while (e.slots) released.push_back(remove(e.slots));
}

void Lru::evict_one(Entry* keep, std::vector<ObjectPtr>& released) {
    for (;;) {
        Slot* victim = sentinel_.prev;  // never the sentinel: the queue is non-empty here
        if (victim->referenced) {       // second chance
            victim->referenced = false;
            unlink(victim);
            link_front(victim);
            continue;
        }
        Entry* e = victim->entry;
        released.push_back(remove(victim));
        ++counters_.evictions;
        if (e != keep) erase_if_empty(*e);
        return;
    }
}

void Lru::insert(Entry& e, ObjectPtr object, std::size_t max_variants,
                 std::vector<ObjectPtr>& released) {
    const std::size_t charge = object->charge();
    const std::string_view key = object->key;
    const auto sep = key.find(kVariantSeparator);
    const bool variant = sep != std::string_view::npos;
    const std::string_view secondary = variant ? key.substr(sep + 1) : std::string_view{};

    if (!variant) {
        remove_all(e, released);  // the same key, or the variants a plain response replaces
        e.vary.clear();
    } else {
        if (e.slots && (!e.slots->variant || e.vary != object->meta.vary))
            remove_all(e, released);  // the plain object, or variants of another Vary
        else if (Slot* same = slot_of(e, true, secondary))
            released.push_back(remove(same));
        while (e.slot_count >= max_variants) {  // drop the oldest (the list's tail)
            Slot* oldest = e.slots;
            while (oldest->variant_next) oldest = oldest->variant_next;
            released.push_back(remove(oldest));
        }
    }
    if (variant && e.vary != object->meta.vary) e.vary = object->meta.vary;
    while (bytes_ + charge > max_bytes_ || size_ + 1 > max_objects_) evict_one(&e, released);

    auto* s = new Slot;
    s->entry = &e;
    s->variant = variant;
    s->secondary_at = static_cast<std::uint32_t>(variant ? sep + 1 : key.size());
    s->object = std::move(object);
    s->variant_next = e.slots;
    e.slots = s;
    ++e.slot_count;
    link_front(s);
    url_link(s);
    bytes_ += charge;
    ++size_;
    ++counters_.inserts;
    if (e.marked) unmark(e);  // a stored object proves the key cacheable
}

// --- hit-for-pass markers ---

void Lru::unmark(Entry& e) {
    if (!e.marked) return;
    (e.marker_prev ? e.marker_prev->marker_next : marker_head_) = e.marker_next;
    (e.marker_next ? e.marker_next->marker_prev : marker_tail_) = e.marker_prev;
    e.marker_prev = e.marker_next = nullptr;
    e.marked = false;
    e.pass_until = {};
    --marker_count_;
}

void Lru::mark(Entry& e, obs::TimePoint until) {
    unmark(e);
    e.marked = true;
    e.pass_until = until;
    e.marker_next = marker_head_;
    (marker_head_ ? marker_head_->marker_prev : marker_tail_) = &e;
    marker_head_ = &e;
    ++marker_count_;
    while (marker_count_ > max_markers_) {  // the tail is not `e`: e is the head, count >= 2
        Entry& oldest = *marker_tail_;
        unmark(oldest);
        erase_if_empty(oldest);
    }
}

void Lru::sweep_markers(obs::TimePoint now) {
    while (marker_tail_ && marker_tail_->pass_until <= now) {
        Entry& oldest = *marker_tail_;
        unmark(oldest);
        erase_if_empty(oldest);
    }
}

// --- bulk removals ---

std::size_t Lru::remove_if(const Predicate& which, std::vector<ObjectPtr>& released) {
    std::size_t n = 0;
    for (Slot* s = sentinel_.next; s != &sentinel_;) {
        Slot* next = s->next;
        if (which(*s->object)) {
            Entry* e = s->entry;
            released.push_back(remove(s));
            erase_if_empty(*e);
            ++n;
        }
        s = next;
    }
    return n;
}

std::size_t Lru::erase_at(std::string_view url, const Predicate& which,
                          std::vector<ObjectPtr>& released) {
    auto it = url_index_.find(url);
    if (it == url_index_.end()) return 0;
    std::size_t n = 0;
    for (Slot* s = it->second; s;) {  // `it` may be re-keyed or erased below; not used again
        Slot* next = s->url_next;
        if (which(*s->object)) {
            Entry* e = s->entry;
            released.push_back(remove(s));
            erase_if_empty(*e);
            ++n;
        }
        s = next;
    }
    return n;
}

std::size_t Lru::expire(obs::TimePoint now, std::vector<ObjectPtr>& released) {
    sweep_markers(now);
    const std::size_t n =
        remove_if([now](const Object& o) { return now >= o.retain_until(); }, released);
    counters_.expired += n;
    return n;
}

// --- invariants ---

bool Lru::check_invariants(std::size_t max_variants) const {
    std::size_t bytes = 0, queued = 0, with_url = 0;
    for (const Slot* s = sentinel_.next; s != &sentinel_; s = s->next) {
        if (s->next->prev != s || !s->object || !s->entry) return false;
        const Entry& e = *s->entry;
        if (primary_of(s->object->key) != e.key->text) return false;
        const bool variant = s->object->key.find(kVariantSeparator) != std::string::npos;
        if (variant != s->variant) return false;
        if (variant && s->object->key.substr(0, s->secondary_at) != e.key->text + kVariantSeparator)
            return false;
        if (!variant && s->secondary_at != s->object->key.size()) return false;
        bool listed = false;
        for (const Slot* v = e.slots; v; v = v->variant_next) listed |= v == s;
        if (!listed) return false;
        if (!s->object->url.empty()) ++with_url;
        bytes += s->object->charge();
        ++queued;
    }
    if (queued != size_ || bytes != bytes_ || bytes_ > max_bytes_ || size_ > max_objects_)
        return false;

    std::size_t slots = 0, marked = 0;
    for (const auto& [key, e] : map_) {
        if (e.key != &key) return false;
        if (!e.slots && e.flights.empty() && !e.marked) return false;  // empty entries go
        std::size_t n = 0, variants = 0;
        for (const Slot* s = e.slots; s; s = s->variant_next) {
            if (s->entry != &e) return false;
            ++n;
            if (s->variant) {
                ++variants;
                if (s->object->meta.vary != e.vary) return false;
            }
        }
        if (n != e.slot_count) return false;
        if (variants != 0 && variants != n) return false;  // plain and variants never both
        if (variants == 0 && n > 1) return false;          // one plain object at most
        if (variants > max_variants) return false;
        if (n > 0 && variants == 0 && !e.vary.empty()) return false;
        slots += n;
        if (e.marked) ++marked;
    }
    if (slots != size_) return false;

    std::size_t listed = 0;
    const Entry* prev = nullptr;
    for (const Entry* e = marker_head_; e; prev = e, e = e->marker_next) {
        if (!e->marked || e->marker_prev != prev) return false;
        ++listed;
    }
    if (prev != marker_tail_ || listed != marked || listed != marker_count_ ||
        marker_count_ > max_markers_)
        return false;

    std::size_t indexed = 0;
    for (const auto& [url, head] : url_index_) {
        if (head->url_prev || url.data() != head->object->url.data()) return false;
        for (const Slot* s = head; s; s = s->url_next) {
            if (s->object->url != url) return false;
            if (s->url_next && s->url_next->url_prev != s) return false;
            ++indexed;
        }
    }
    return indexed == with_url;
}

}  // namespace larder::cache::detail
