// admin::MetricsSources and admin::MetricsSnapshot: everything /metrics, /stats.json and the
// dashboard show, read at once from the live daemon.
//
// collect() runs on the admin thread and is cheap, so a scrape never slows a worker: it sums
// each worker's counter block with relaxed loads (obs/counters.hpp; no lock), reads the upstream
// health table (relaxed atomics), takes each store shard's lock once for its counts (O(1) per
// shard, the same lock a hit takes, held for a few reads), and each worker's top-keys block
// (whose writer only ever try_locks it, so it skips a sample instead of waiting). Sums of
// counters read at slightly different instants may be off by requests in flight; every counter
// is monotonic.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "larder/cache/store.hpp"
#include "larder/obs/cluster_counters.hpp"
#include "larder/obs/counters.hpp"
#include "larder/obs/purge_counters.hpp"
#include "larder/upstream/health.hpp"

namespace larder::admin {

// The parts of the metrics' sources that a configuration reload changes.
struct LiveSources {
    std::vector<std::string> rule_names;  // by counter row (obs::RuleRows), removed rules too
    std::shared_ptr<const upstream::HealthTable> health;
    std::uint64_t config_generation = 1;
    std::uint64_t reloads_ok = 0;
    std::uint64_t reloads_failed = 0;
};

// Where the numbers live; main() fills it once, everything outlives the admin server.
struct MetricsSources {
    std::vector<const obs::Counters*> workers;
    const cache::Store* store = nullptr;
    const upstream::HealthTable* health = nullptr;
    const obs::PurgeCounters* purges = nullptr;
    const std::atomic<std::size_t>* client_connections = nullptr;
    const std::atomic<bool>* draining = nullptr;
    std::vector<std::string> rule_names;  // [[rules]] names, in config order
    std::string version;
    // [cluster] node, and the purge bus's counters; empty and null when stand-alone.
    std::string node{};
    const obs::ClusterCounters* cluster = nullptr;
    std::uint64_t config_generation = 1;
    std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
    // What a reload changes, read at each scrape; when set (the daemon), it replaces
    // rule_names, health and config_generation above (tests leave it empty).
    std::function<LiveSources()> live;
};

using StatusCounts = std::array<std::uint64_t, obs::kCacheStatusCount>;  // by CacheStatus

struct BackendSnapshot {
    upstream::ServerSnapshot health;
    std::array<std::uint64_t, obs::kUpstreamErrorCount> failures{};  // by UpstreamError
    std::array<std::uint64_t, obs::Counters::kLatencyBuckets> latency_buckets{};  // not cumulative
    std::uint64_t latency_sum_us = 0;
    std::uint64_t latency_count() const;
};

struct TopKey {
    std::string key;
    std::uint64_t hits = 0;   // estimated (exact for a worker's first TopKeys::kExactHits)
    std::uint64_t error = 0;  // at most this much of `hits` may belong to other keys
};

// The purge bus's numbers (obs::ClusterCounters), read once.
struct ClusterSnapshot {
    std::uint64_t published = 0, applied_remote = 0, replayed = 0, dropped = 0, queued = 0,
                  full_drops = 0, reconnects = 0;
    bool redis_connected = false;
    std::int64_t lag_ms = 0;
};

struct MetricsSnapshot {
    std::chrono::system_clock::time_point now;
    double uptime_seconds = 0;
    std::string version;
    std::uint64_t config_generation = 1;
    std::uint64_t reloads_ok = 0;
    std::uint64_t reloads_failed = 0;
    bool draining = false;
    std::string node;                        // empty: stand-alone
    std::uint64_t loops_refused = 0;         // requests refused with 508 (proxy/node_identity.hpp)
    std::optional<ClusterSnapshot> cluster;  // with [cluster]

    StatusCounts by_status{};
    std::vector<std::string> rule_names;
    std::vector<StatusCounts> by_rule;  // one per rule
    StatusCounts unmatched{};           // requests no rule decided

    std::uint64_t connections_accepted = 0, connections_closed_for_room = 0, requests = 0,
                  cache_stores = 0, background_refreshes = 0, client_errors = 0,
                  upstream_requests = 0, upstream_connects = 0, upstream_reuses = 0,
                  upstream_retries = 0, upstream_errors = 0;
    std::int64_t coalesced_waiting = 0;
    std::uint64_t client_connections = 0;
    std::int64_t idle_client_connections = 0;  // keep-alive connections between requests
    // Content codings (docs/compression.md).
    std::uint64_t encodings_made = 0, encoding_bytes_saved = 0;
    std::array<std::uint64_t, obs::kContentCodingCount> encoded_responses{};

    std::vector<BackendSnapshot> backends;
    std::array<std::uint64_t, obs::kUpstreamErrorCount> failures_without_backend{};

    cache::StoreStats store;
    std::size_t store_max_size = 0;
    std::size_t store_max_objects = 0;

    std::array<std::uint64_t, obs::kPurgeKindCount> purges{};
    std::uint64_t purged_objects = 0;

    std::vector<TopKey> top_keys;  // at most kTopKeys, most hit first
};

inline constexpr std::size_t kTopKeys = 10;

MetricsSnapshot collect(const MetricsSources& sources);

}  // namespace larder::admin
