// obs::ClusterCounters: what a cluster node's purge bus did (docs/scale-out.md), for /metrics
// and GET /cluster. One instance per daemon (main owns it) when [cluster] is configured; written
// by the purge bus's threads and the admin thread, read by scrapes; relaxed atomics (purges are
// rare, and every field is read on its own).
#pragma once

#include <atomic>
#include <cstdint>

namespace larder::obs {

struct ClusterCounters {
    std::atomic<std::uint64_t> published{0};       // purges written to the stream (XADD)
    std::atomic<std::uint64_t> applied_remote{0};  // other nodes' purges applied here
    std::atomic<std::uint64_t> replayed{0};        // purges applied while catching up at start
    std::atomic<std::uint64_t> dropped{0};         // local purges lost: the queue was full
    std::atomic<std::uint64_t> queued{0};          // local purges waiting for Redis now
    std::atomic<std::uint64_t> full_drops{0};      // whole store dropped: missed purges unknown
    std::atomic<std::uint64_t> reconnects{0};      // connections to Redis re-established
    std::atomic<bool> redis_connected{false};      // both connections up
    std::atomic<std::int64_t> lag_ms{0};  // the stream's newest entry minus the applied one
};

}  // namespace larder::obs
