// cache::detail::Bans: the store's list of recent purges (Varnish's ban list), internal to
// src/cache/.
//
// Each purge gets the next sequence number and stays listed until it is retired: its sweep is
// done (prefix and pattern; URL and tag purges are applied through the indexes at once) and the
// purge window has passed since it was accepted (no fetch that began before it can still be
// running). A stored object remembers the newest sequence number it was tested against
// (Slot::checked); test() checks it against the listed purges newer than that and says what
// to do. Lock order: a shard's mutex, then this list's (test() runs under a shard lock; add()
// and retire() never take a shard lock). latest() is read without the lock, so a lookup of an
// object that is up to date costs one atomic load and a compare.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "larder/cache/purge.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache::detail {

enum class BanVerdict : std::uint8_t { Keep, Soften, Remove };

class Bans {
  public:
    Bans(std::chrono::milliseconds window, std::size_t max_pending)
        : window_(window), max_pending_(max_pending) {}

    // Lists `purge` with the next sequence number, or returns 0 when max_pending purges are
    // listed already (the caller refuses the purge: nothing was applied).
    std::uint64_t add(Purge purge, obs::TimePoint now);
    // The newest sequence number handed out (0: none ever).
    std::uint64_t latest() const { return latest_.load(std::memory_order_acquire); }
    // What the purges listed after `checked` say of `object` (Remove wins over Soften), counting
    // the object for the purge that takes it; `checked` becomes latest().
    BanVerdict test(const Object& object, std::uint64_t& checked);
    // The purge's sweep is done (its lookups are no longer needed to catch old objects).
    void swept(std::uint64_t id);
    // Objects counted for `id` by test() so far.
    std::size_t counted(std::uint64_t id);
    // Drops the purges whose sweep is done and whose window has passed; returns how many.
    std::size_t retire(obs::TimePoint now);
    std::size_t pending();

  private:
    struct Ban {
        std::uint64_t id = 0;
        Purge purge;
        obs::TimePoint accepted{};
        bool swept = false;
        std::size_t counted = 0;  // guarded by mu_
    };
    std::chrono::milliseconds window_;
    std::size_t max_pending_;
    std::mutex mu_;
    std::deque<Ban> bans_;  // by id, oldest first
    std::atomic<std::uint64_t> latest_{0};
};

}  // namespace larder::cache::detail
