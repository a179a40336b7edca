#include "larder/cache/predictor.hpp"

namespace larder::cache {

bool is_lasting(NoCacheReason reason) {
    switch (reason) {
        case NoCacheReason::HasSetCookie:
        case NoCacheReason::CacheControlPrivate:
        case NoCacheReason::CacheControlNoStore:
        case NoCacheReason::TooLarge:
        case NoCacheReason::VaryStar:
        case NoCacheReason::VaryUnsupported:
            return true;
        default:
            return false;
    }
}

struct UncacheablePredictor::Shard {
    struct Entry {
        std::string key;
        obs::TimePoint until;
    };
    std::mutex mu;
    std::size_t capacity = 1;
    std::list<Entry> order;  // most recently marked first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // views Entry::key
};

UncacheablePredictor::UncacheablePredictor(std::size_t capacity, std::chrono::milliseconds ttl,
                                           unsigned shards)
    : ttl_(ttl) {
    shards = std::max(1u, shards);
    for (unsigned i = 0; i < shards; ++i) {
        shards_.push_back(std::make_unique<Shard>());
        shards_.back()->capacity = std::max<std::size_t>(1, capacity / shards);
    }
}

UncacheablePredictor::~UncacheablePredictor() = default;

UncacheablePredictor::Shard& UncacheablePredictor::shard_for(std::string_view key) {
    return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

void UncacheablePredictor::remember(std::string_view key, obs::TimePoint now) {
    Shard& s = shard_for(key);
    std::lock_guard lock(s.mu);
    if (auto it = s.index.find(key); it != s.index.end()) {
        it->second->until = now + ttl_;
        s.order.splice(s.order.begin(), s.order, it->second);
        return;
    }
    s.order.push_front({std::string(key), now + ttl_});
    s.index.emplace(s.order.front().key, s.order.begin());
    while (s.order.size() > s.capacity) {
        s.index.erase(s.order.back().key);
        s.order.pop_back();
    }
}

void UncacheablePredictor::forget(std::string_view key) {
    Shard& s = shard_for(key);
    std::lock_guard lock(s.mu);
    if (auto it = s.index.find(key); it != s.index.end()) {
        auto entry = it->second;
        s.index.erase(it);
        s.order.erase(entry);
    }
}

bool UncacheablePredictor::predicts_uncacheable(std::string_view key, obs::TimePoint now) {
    Shard& s = shard_for(key);
    std::lock_guard lock(s.mu);
    auto it = s.index.find(key);
    if (it == s.index.end()) return false;
    if (now < it->second->until) return true;
    auto entry = it->second;  // expired: the next response decides again
    s.index.erase(it);
    s.order.erase(entry);
    return false;
}

std::size_t UncacheablePredictor::size() const {
    std::size_t n = 0;
    for (const auto& s : shards_) {
        std::lock_guard lock(s->mu);
        n += s->order.size();
    }
    return n;
}

}  // namespace larder::cache
