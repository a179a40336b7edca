// obs::TopKeys: a small, bounded estimate of one worker's most hit cache keys (Space-Saving).
//
// The worker records a hit with record(); one hit in kSampleEvery is sampled, and a sampled hit
// takes this block's own mutex with try_lock, so the hit path never waits: while the admin
// thread reads the block (snapshot()), the worker skips the sample. Memory is fixed: kSlots
// slots of at most kMaxKeyBytes of key text each. Space-Saving keeps every key whose share of
// the samples exceeds 1/kSlots; a key that took over a slot inherits its previous count as
// `error` (its count is at most that much too high). Estimated hits are count * kSampleEvery.
// Keys are compared by their hash (cache::Key carries it), so a collision merges two keys.
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
    static constexpr std::uint32_t kSampleEvery = 8;
    static constexpr std::size_t kMaxKeyBytes = 200;

    struct Entry {
        std::string key;
        std::size_t hash = 0;
        std::uint64_t count = 0;  // samples (an estimate: see `error`)
        std::uint64_t error = 0;  // at most this much of `count` belongs to evicted keys
    };

    // The owning worker only.
    void record(std::string_view key, std::size_t hash) {
        if (seen_++ % kSampleEvery != 0) return;
        std::unique_lock lock(mu_, std::try_to_lock);
        if (lock.owns_lock()) sample(key, hash);
    }
    // Any thread: the slots in use, most counted first.
    std::vector<Entry> snapshot() const;

  private:
    void sample(std::string_view key, std::size_t hash);

    mutable std::mutex mu_;
    std::array<Entry, kSlots> slots_{};
    std::size_t used_ = 0;
    std::uint32_t seen_ = 0;  // the worker's alone, never read by others
};

}  // namespace larder::obs
