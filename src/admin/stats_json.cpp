// stats_json: the snapshot, grouped the way the dashboard draws it.
#include "larder/admin/stats_json.hpp"

#include <boost/json/array.hpp>

#include "larder/proxy/cache_status.hpp"
#include "larder/upstream/error.hpp"

namespace larder::admin {

namespace json = boost::json;

namespace {
json::object by_status(const StatusCounts& counts) {
    json::object o;
    for (std::size_t i = 0; i < counts.size(); ++i)
        o[proxy::to_string(static_cast<proxy::CacheStatus>(i))] = counts[i];
    return o;
}

json::object backend(const BackendSnapshot& b) {
    const auto& h = b.health;
    json::array buckets;
    for (auto n : b.latency_buckets) buckets.push_back(n);
    json::object failures;
    for (std::size_t e = 1; e < b.failures.size(); ++e)
        if (b.failures[e] > 0)
            failures[upstream::to_string(static_cast<upstream::UpstreamError>(e))] = b.failures[e];
    return {{"name", h.name},
            {"state", upstream::to_string(h.state)},
            {"backup", h.backup},
            {"weight", h.weight},
            {"ramp", h.ramp},
            {"active", h.active},
            {"idle", h.idle},
            {"latency_ewma_ms",
             h.latency_us < 0 ? json::value(nullptr) : json::value(h.latency_us / 1000.0)},
            {"responses", b.latency_count()},
            {"failures", std::move(failures)},
            {"latency_buckets", std::move(buckets)},
            {"latency_sum_seconds", static_cast<double>(b.latency_sum_us) / 1e6}};
}
}  // namespace

json::object stats_json(const MetricsSnapshot& s) {
    json::array rules;
    for (std::size_t r = 0; r < s.rule_names.size(); ++r)
        rules.push_back(
            json::object{{"name", s.rule_names[r]}, {"requests", by_status(s.by_rule[r])}});
    json::array top;
    for (const auto& k : s.top_keys)
        top.push_back(json::object{{"key", k.key}, {"hits", k.hits}, {"error", k.error}});
    json::array backends;
    std::uint64_t active = 0, idle = 0;
    for (const auto& b : s.backends) {
        backends.push_back(backend(b));
        active += b.health.active;
        idle += b.health.idle;
    }
    json::array bounds;
    for (auto us : obs::kLatencyBoundsUs) bounds.push_back(static_cast<double>(us) / 1e6);
    json::object purges;
    for (std::size_t k = 0; k < s.purges.size(); ++k)
        purges[obs::to_string(static_cast<obs::PurgeKind>(k))] = s.purges[k];
    const auto& st = s.store;
    return {
        {"version", s.version},
        {"time_ms",
         std::chrono::duration_cast<std::chrono::milliseconds>(s.now.time_since_epoch()).count()},
        {"uptime_seconds", s.uptime_seconds},
        {"config_generation", s.config_generation},
        {"reloads", {{"ok", s.reloads_ok}, {"failed", s.reloads_failed}}},
        {"draining", s.draining},
        {"requests", by_status(s.by_status)},
        {"rules", std::move(rules)},
        {"unmatched", by_status(s.unmatched)},
        {"top_keys", std::move(top)},
        {"latency_bounds_seconds", std::move(bounds)},
        {"backends", std::move(backends)},
        {"store",
         {{"objects", st.objects},
          {"bytes", st.bytes},
          {"max_bytes", s.store_max_size},
          {"max_objects", s.store_max_objects},
          {"flight_bytes", st.flight_bytes},
          {"index_bytes", st.index_bytes},
          {"bookkeeping_bytes_per_object", cache::Object::bookkeeping_bytes()},
          {"flights", st.flights},
          {"inserts", st.inserts},
          {"evictions", st.evictions},
          {"expired", st.expired}}},
        {"connections",
         {{"client", s.client_connections},
          {"client_idle", s.idle_client_connections},
          {"upstream_active", active},
          {"upstream_idle", idle}}},
        {"coalesced_waiters", s.coalesced_waiting},
        {"upstream",
         {{"requests", s.upstream_requests},
          {"errors", s.upstream_errors},
          {"retries", s.upstream_retries}}},
        {"purges", std::move(purges)},
        {"purged_objects", s.purged_objects},
        {"node", s.node.empty() ? json::value(nullptr) : json::value(s.node)},
    };
}

}  // namespace larder::admin
