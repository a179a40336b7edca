// obs::Counters: monotonically increasing event counts, one block per worker thread.
//
// A worker only ever increments its own block (relaxed atomics, no contention, padded to its own
// cache lines); readers sum all blocks. The cache_* counters are bumped in one place,
// proxy::Pipeline::conclude(), once per request, from how its response was produced.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace larder::obs {

struct alignas(64) Counters {
    std::atomic<std::uint64_t> connections_accepted{0};
    // Idle keep-alive connections closed at max_connections to admit a new client.
    std::atomic<std::uint64_t> connections_closed_for_room{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> cache_hits{0};
    std::atomic<std::uint64_t> cache_misses{0};
    std::atomic<std::uint64_t> cache_passes{0};
    std::atomic<std::uint64_t> cache_stores{0};
    std::atomic<std::uint64_t> cache_stale{0};
    std::atomic<std::uint64_t> cache_coalesced{0};
    std::atomic<std::uint64_t> cache_hit_for_pass{0};
    std::atomic<std::uint64_t> background_refreshes{0};
    std::atomic<std::uint64_t> client_errors{0};  // requests answered 4xx/501 by Larder itself
    std::atomic<std::uint64_t> upstream_requests{0};
    std::atomic<std::uint64_t> upstream_connects{0};
    std::atomic<std::uint64_t> upstream_reuses{0};
    std::atomic<std::uint64_t> upstream_retries{0};
    std::atomic<std::uint64_t> upstream_errors{0};

    static void bump(std::atomic<std::uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }
};

}  // namespace larder::obs
