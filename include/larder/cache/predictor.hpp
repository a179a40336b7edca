// cache::UncacheablePredictor: hit-for-pass. Remembers, for uncacheable_ttl, the keys whose last
// response could not be stored for a lasting reason (Set-Cookie that no rule strips, private,
// no-store, too large), so their requests go straight to the app in parallel instead of queueing
// behind a coalescing leader that will never share its answer. Temporary failures (5xx,
// timeouts) are never remembered: the next request must try to fill the cache again.
//
// Bounded: at most `capacity` keys, least recently marked dropped first. Thread-safe (a mutex
// per shard).
#pragma once

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/cache/policy.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {

// True for the reasons that say a key will keep being uncacheable.
bool is_lasting(NoCacheReason reason);

class UncacheablePredictor {
  public:
    UncacheablePredictor(std::size_t capacity, std::chrono::milliseconds ttl, unsigned shards = 8);
    ~UncacheablePredictor();

    void remember(std::string_view key, obs::TimePoint now);
    void forget(std::string_view key);
    bool predicts_uncacheable(std::string_view key, obs::TimePoint now);
    std::size_t size() const;

  private:
    struct Shard;
    Shard& shard_for(std::string_view key);
    std::chrono::milliseconds ttl_;
    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace larder::cache
