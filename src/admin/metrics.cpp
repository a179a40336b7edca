// collect(): sums the workers' counter blocks and reads the shared tables (see metrics.hpp).
#include "larder/admin/metrics.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "larder/proxy/node_identity.hpp"

namespace larder::admin {

namespace {
std::uint64_t sum(const std::vector<const obs::Counters*>& workers,
                  std::atomic<std::uint64_t> obs::Counters::*field) {
    std::uint64_t total = 0;
    for (const auto* w : workers) total += (w->*field).load(std::memory_order_relaxed);
    return total;
}

void add_row(StatusCounts& into, const obs::CounterGrid& grid, std::size_t row) {
    for (std::size_t c = 0; c < into.size(); ++c) into[c] += grid.get(row, c);
}

std::vector<TopKey> merge_top_keys(const std::vector<const obs::Counters*>& workers) {
    std::unordered_map<std::size_t, TopKey> merged;
    for (const auto* w : workers) {
        for (const auto& e : w->top_keys.snapshot()) {
            TopKey& k = merged[e.hash];
            if (k.key.empty()) k.key = e.key;
            k.hits += e.count;
            k.error += e.error;
        }
    }
    std::vector<TopKey> out;
    out.reserve(merged.size());
    for (auto& [hash, k] : merged) out.push_back(std::move(k));
    std::sort(out.begin(), out.end(), [](const TopKey& a, const TopKey& b) {
        return a.hits != b.hits ? a.hits > b.hits : a.key < b.key;
    });
    if (out.size() > kTopKeys) out.resize(kTopKeys);
    return out;
}
}  // namespace

std::uint64_t BackendSnapshot::latency_count() const {
    return std::accumulate(latency_buckets.begin(), latency_buckets.end(), std::uint64_t{0});
}

MetricsSnapshot collect(const MetricsSources& sources) {
    MetricsSnapshot s;
    s.now = std::chrono::system_clock::now();
    s.uptime_seconds = std::chrono::duration<double>(s.now - sources.started).count();
    s.version = sources.version;
    LiveSources live;
    if (sources.live) live = sources.live();
    s.config_generation = sources.live ? live.config_generation : sources.config_generation;
    s.reloads_ok = live.reloads_ok;
    s.reloads_failed = live.reloads_failed;
    const upstream::HealthTable* health = sources.live ? live.health.get() : sources.health;
    s.draining = sources.draining && sources.draining->load(std::memory_order_relaxed);
    s.node = sources.node;
    s.loops_refused = proxy::loops_refused().load(std::memory_order_relaxed);
    if (const obs::ClusterCounters* c = sources.cluster) {
        auto get = [](const std::atomic<std::uint64_t>& a) {
            return a.load(std::memory_order_relaxed);
        };
        s.cluster =
            ClusterSnapshot{.published = get(c->published),
                            .applied_remote = get(c->applied_remote),
                            .replayed = get(c->replayed),
                            .dropped = get(c->dropped),
                            .queued = get(c->queued),
                            .full_drops = get(c->full_drops),
                            .reconnects = get(c->reconnects),
                            .redis_connected = c->redis_connected.load(std::memory_order_relaxed),
                            .lag_ms = c->lag_ms.load(std::memory_order_relaxed)};
    }
    const auto& workers = sources.workers;

    s.rule_names = sources.live ? std::move(live.rule_names) : sources.rule_names;
    s.by_rule.assign(s.rule_names.size(), StatusCounts{});
    for (const auto* w : workers) {
        const obs::CounterGrid& grid = w->responses;
        for (std::size_t rule = 0; rule < s.by_rule.size() && rule + 1 < grid.rows(); ++rule)
            add_row(s.by_rule[rule], grid, rule);
        add_row(s.unmatched, grid, grid.rows() - 1);
    }
    s.by_status = s.unmatched;
    for (const auto& row : s.by_rule)
        for (std::size_t c = 0; c < row.size(); ++c) s.by_status[c] += row[c];

    using C = obs::Counters;
    s.connections_accepted = sum(workers, &C::connections_accepted);
    s.connections_closed_for_room = sum(workers, &C::connections_closed_for_room);
    s.requests = sum(workers, &C::requests);
    s.cache_stores = sum(workers, &C::cache_stores);
    s.background_refreshes = sum(workers, &C::background_refreshes);
    s.client_errors = sum(workers, &C::client_errors);
    s.upstream_requests = sum(workers, &C::upstream_requests);
    s.upstream_connects = sum(workers, &C::upstream_connects);
    s.upstream_reuses = sum(workers, &C::upstream_reuses);
    s.upstream_retries = sum(workers, &C::upstream_retries);
    s.upstream_errors = sum(workers, &C::upstream_errors);
    s.encodings_made = sum(workers, &C::encodings_made);
    s.encoding_bytes_saved = sum(workers, &C::encoding_bytes_saved);
    for (const auto* w : workers)
        for (std::size_t c = 0; c < s.encoded_responses.size(); ++c)
            s.encoded_responses[c] += w->encoded_responses[c].load(std::memory_order_relaxed);
    for (const auto* w : workers) {
        s.coalesced_waiting += w->coalesced_waiting.load(std::memory_order_relaxed);
        s.idle_client_connections += w->idle_client_connections.load(std::memory_order_relaxed);
    }
    if (sources.client_connections)
        s.client_connections = sources.client_connections->load(std::memory_order_relaxed);

    if (health) {
        for (auto& h : health->snapshot(std::chrono::steady_clock::now())) {
            BackendSnapshot b;
            b.health = std::move(h);
            s.backends.push_back(std::move(b));
        }
    }
    for (const auto* w : workers) {
        for (std::size_t i = 0; i < s.backends.size(); ++i) {
            BackendSnapshot& b = s.backends[i];
            if (i + 1 < w->upstream_failures.rows())
                for (std::size_t e = 0; e < b.failures.size(); ++e)
                    b.failures[e] += w->upstream_failures.get(i, e);
            if (i < w->upstream_latency.rows()) {
                for (std::size_t k = 0; k < b.latency_buckets.size(); ++k)
                    b.latency_buckets[k] += w->upstream_latency.get(i, k);
                b.latency_sum_us += w->upstream_latency.get(i, C::kLatencyBuckets);
            }
        }
        for (std::size_t e = 0; e < s.failures_without_backend.size(); ++e)
            s.failures_without_backend[e] +=
                w->upstream_failures.get(w->upstream_failures.rows() - 1, e);
    }

    if (sources.store) {
        s.store = sources.store->stats();
        s.store_max_size = sources.store->limits().max_size;
        s.store_max_objects = sources.store->limits().max_objects;
    }
    if (sources.purges) {
        for (std::size_t k = 0; k < s.purges.size(); ++k)
            s.purges[k] = sources.purges->purges[k].load(std::memory_order_relaxed);
        s.purged_objects = sources.purges->objects.load(std::memory_order_relaxed);
    }
    s.top_keys = merge_top_keys(workers);
    return s;
}

}  // namespace larder::admin
