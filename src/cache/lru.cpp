#include "lru.hpp"

#include <utility>

namespace larder::cache::detail {

Lru::Lru(std::size_t max_bytes, std::size_t max_objects)
    : max_bytes_(max_bytes), max_objects_(max_objects < 1 ? 1 : max_objects) {
    sentinel_.prev = sentinel_.next = &sentinel_;
}

Lru::~Lru() = default;

void Lru::link_front(Entry* e) {
    e->prev = &sentinel_;
    e->next = sentinel_.next;
    sentinel_.next->prev = e;
    sentinel_.next = e;
}

void Lru::unlink(Entry* e) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = e->next = nullptr;
}

ObjectPtr Lru::remove(EntryMap::iterator it) {
    Entry& e = it->second;
    unlink(&e);
    ObjectPtr object = std::move(e.object);
    bytes_ -= object->charge();
    // The map key views object->key, which stays alive in `object` until after the erase.
    map_.erase(it);
    return object;
}

ObjectPtr Lru::lookup(std::string_view key, obs::TimePoint now, ObjectPtr& expired,
                      bool allow_stale) {
    auto it = map_.find(key);
    if (it == map_.end()) {
        ++counters_.misses;
        return nullptr;
    }
    Entry& e = it->second;
    if (now >= e.object->retain_until()) {
        expired = remove(it);
        ++counters_.expired;
        ++counters_.misses;
        return nullptr;
    }
    if (!allow_stale && !e.object->fresh(now)) {  // kept for grace or errors, not a hit
        ++counters_.misses;
        return nullptr;
    }
    if (sentinel_.next != &e) {
        unlink(&e);
        link_front(&e);
    }
    ++counters_.hits;
    return e.object;
}

bool Lru::insert(ObjectPtr object, std::vector<ObjectPtr>& released) {
    const std::size_t charge = object->charge();
    if (charge > max_bytes_) return false;

    // Take the old entry's node out of the map (keeping it for reuse), then make room.
    EntryMap::node_type reuse;
    if (auto it = map_.find(object->key); it != map_.end()) {
        Entry& old = it->second;
        unlink(&old);
        bytes_ -= old.object->charge();
        reuse = map_.extract(it);
        released.push_back(std::move(reuse.mapped().object));
    }
    while (bytes_ + charge > max_bytes_ || map_.size() + 1 > max_objects_) {
        Entry* victim = sentinel_.prev;  // never the sentinel: the map is non-empty here
        released.push_back(remove(map_.find(victim->object->key)));
        ++counters_.evictions;
    }

    Entry* e;
    if (reuse) {
        reuse.key() = object->key;
        reuse.mapped().object = std::move(object);
        e = &map_.insert(std::move(reuse)).position->second;
    } else {
        std::string_view key = object->key;
        e = &map_.try_emplace(key, Entry{std::move(object)}).first->second;
    }
    link_front(e);
    bytes_ += charge;
    ++counters_.inserts;
    return true;
}

ObjectPtr Lru::erase(std::string_view key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    return remove(it);
}

std::size_t Lru::erase_prefix(std::string_view prefix, std::vector<ObjectPtr>& released) {
    std::size_t n = 0;
    for (auto it = map_.begin(); it != map_.end();) {
        if (it->first.starts_with(prefix)) {
            auto next = std::next(it);
            released.push_back(remove(it));
            it = next;
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

std::vector<std::string_view> Lru::keys_mru_first() const {
    std::vector<std::string_view> keys;
    for (const Entry* e = sentinel_.next; e != &sentinel_; e = e->next)
        keys.push_back(e->object->key);
    return keys;
}

bool Lru::check_invariants() const {
    std::size_t bytes = 0, listed = 0;
    for (const Entry* e = sentinel_.next; e != &sentinel_; e = e->next) {
        if (e->next->prev != e) return false;
        auto it = map_.find(e->object->key);
        if (it == map_.end() || &it->second != e) return false;
        if (it->first.data() != e->object->key.data()) return false;  // key views the object
        bytes += e->object->charge();
        ++listed;
    }
    return listed == map_.size() && bytes == bytes_ && bytes_ <= max_bytes_ &&
           map_.size() <= max_objects_;
}

}  // namespace larder::cache::detail
