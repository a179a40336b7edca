// obs::TopKeys: a small, bounded estimate of one worker's most hit cache keys (Space-Saving).
//
// The worker records a hit with record(). The first kExactHits hits of a worker are all
// counted; after that one hit in kSampleEvery, picked at random (a xorshift generator: a fixed
// stride would alias with periodic traffic, e.g. a page and its assets always in the same
// order), counts kSampleEvery. A counted hit takes this block's own mutex with try_lock, so the
// hit path never waits: while the admin thread reads the block (snapshot()), the worker skips
// it. Memory is fixed: kSlots slots of at most kMaxKeyBytes of key text each. Space-Saving keeps
// every key whose share of the counted hits exceeds 1/kSlots; a key that took over a slot
// inherits its previous count as `error` (its count is at most that much too high). Keys are
// compared by their hash (cache::Key carries it), so a collision merges two keys.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace larder::obs {

class TopKeys {
  public:
    static constexpr std::size_t kSlots = 32;
    static constexpr std::uint32_t kExactHits = 64;
    static constexpr std::uint32_t kSampleEvery = 8;  // a power of two
    static constexpr std::size_t kMaxKeyBytes = 200;

    struct Entry {
        std::string key;
        std::size_t hash = 0;
        std::uint64_t count = 0;  // estimated hits (see `error`)
        std::uint64_t error = 0;  // at most this much of `count` belongs to evicted keys
    };

    // The owning worker only.
    void record(std::string_view key, std::size_t hash) {
        std::uint32_t weight = 1;
        if (seen_ < kExactHits) {
            ++seen_;
        } else {
            random_ ^= random_ << 13;
            random_ ^= random_ >> 17;
            random_ ^= random_ << 5;
            if ((random_ & (kSampleEvery - 1)) != 0) return;
            weight = kSampleEvery;
        }
        std::unique_lock lock(mu_, std::try_to_lock);
        if (lock.owns_lock()) count(key, hash, weight);
    }
    // Any thread: the slots in use, most counted first.
    std::vector<Entry> snapshot() const;

  private:
    void count(std::string_view key, std::size_t hash, std::uint32_t weight);

    mutable std::mutex mu_;
    std::array<Entry, kSlots> slots_{};
    std::size_t used_ = 0;
    // The worker's alone, never read by others.
    std::uint32_t seen_ = 0;
    std::uint32_t random_ = 2463534242u;
};

}  // namespace larder::obs
