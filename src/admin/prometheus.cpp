// render_prometheus: one function per group of families, over a small exposition writer.
#include "larder/admin/prometheus.hpp"

#include <spdlog/fmt/fmt.h>

#include <initializer_list>
#include <utility>

#include "larder/http/accept_encoding.hpp"
#include "larder/proxy/cache_status.hpp"
#include "larder/upstream/error.hpp"

namespace larder::admin {

namespace {

using Label = std::pair<std::string_view, std::string_view>;

class Exposition {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                       type);
    }
    template <typename Number>
    void sample(std::string_view name, std::initializer_list<Label> labels, Number value) {
        out_.append(name);
        if (labels.size() > 0) {
            out_.push_back('{');
            bool first = true;
            for (const auto& [k, v] : labels) {
                if (!first) out_.push_back(',');
                first = false;
                out_.append(k).append("=\"");
                escape(v);
                out_.push_back('"');
            }
            out_.push_back('}');
        }
        fmt::format_to(std::back_inserter(out_), " {}\n", value);
    }
    // A family with one unlabelled sample.
    template <typename Number>
    void single(std::string_view name, std::string_view type, std::string_view help, Number value) {
        family(name, type, help);
        sample(name, {}, value);
    }
    std::string take() { return std::move(out_); }

  private:
    void escape(std::string_view v) {
        for (char c : v) {
            if (c == '\\')
                out_.append("\\\\");
            else if (c == '"')
                out_.append("\\\"");
            else if (c == '\n')
                out_.append("\\n");
            else
                out_.push_back(c);
        }
    }
    std::string out_;
};

constexpr std::array<proxy::CacheStatus, proxy::kCacheStatusCount> kStatuses = {
    proxy::CacheStatus::Hit,   proxy::CacheStatus::Miss,      proxy::CacheStatus::Pass,
    proxy::CacheStatus::Stale, proxy::CacheStatus::Coalesced, proxy::CacheStatus::HitForPass,
    proxy::CacheStatus::Error};

void requests(Exposition& x, const MetricsSnapshot& s) {
    x.family("larder_requests_total", "counter",
             "Responses by how they were produced (X-Cache), including Larder's own errors.");
    for (auto st : kStatuses)
        x.sample("larder_requests_total", {{"cache_status", proxy::to_string(st)}},
                 s.by_status[static_cast<std::size_t>(st)]);
    x.family("larder_rule_requests_total", "counter",
             "Responses by the [[rules]] entry that decided the request, and cache status.");
    for (std::size_t r = 0; r < s.rule_names.size(); ++r)
        for (auto st : kStatuses)
            x.sample("larder_rule_requests_total",
                     {{"rule", s.rule_names[r]}, {"cache_status", proxy::to_string(st)}},
                     s.by_rule[r][static_cast<std::size_t>(st)]);
    x.family("larder_unmatched_requests_total", "counter",
             "Responses to requests no rule decided (no match, credentials, unparsable).");
    for (auto st : kStatuses)
        x.sample("larder_unmatched_requests_total", {{"cache_status", proxy::to_string(st)}},
                 s.unmatched[static_cast<std::size_t>(st)]);
    x.single("larder_cache_stores_total", "counter", "Objects stored after a fetch.",
             s.cache_stores);
    x.single("larder_background_refreshes_total", "counter",
             "Background refreshes started for objects served in grace.", s.background_refreshes);
    x.single("larder_client_errors_total", "counter",
             "Requests Larder answered 4xx or 501 by itself.", s.client_errors);
    x.single("larder_coalesced_waiters", "gauge",
             "Requests waiting for another request's fetch of the same object now.",
             s.coalesced_waiting);
    x.single("larder_client_connections", "gauge", "Open client connections.",
             s.client_connections);
    x.single("larder_client_connections_idle", "gauge",
             "Keep-alive client connections waiting for their next request.",
             s.idle_client_connections);
    x.single("larder_client_connections_accepted_total", "counter", "Client connections accepted.",
             s.connections_accepted);
    x.single("larder_client_connections_closed_for_room_total", "counter",
             "Idle keep-alive connections closed at max_connections to admit a new client.",
             s.connections_closed_for_room);
}

void upstream_totals(Exposition& x, const MetricsSnapshot& s) {
    x.single("larder_upstream_requests_total", "counter", "Exchanges started with app servers.",
             s.upstream_requests);
    x.single("larder_upstream_connects_total", "counter", "New connections to app servers.",
             s.upstream_connects);
    x.single("larder_upstream_reuses_total", "counter",
             "Exchanges sent on a pooled keep-alive connection.", s.upstream_reuses);
    x.single("larder_upstream_retries_total", "counter",
             "Exchanges tried again (another server, or a fresh connection).", s.upstream_retries);
    x.single("larder_upstream_errors_total", "counter",
             "Client requests answered with an upstream error (502, 503, 504).", s.upstream_errors);
}

void backends(Exposition& x, const MetricsSnapshot& s) {
    x.family("larder_upstream_failures_total", "counter",
             "Failed attempts to exchange with an app server, by backend and error.");
    for (const auto& b : s.backends)
        for (std::size_t e = 1; e < b.failures.size(); ++e)
            x.sample("larder_upstream_failures_total",
                     {{"backend", b.health.name},
                      {"error", upstream::to_string(static_cast<upstream::UpstreamError>(e))}},
                     b.failures[e]);
    x.sample("larder_upstream_failures_total",
             {{"backend", "none"},
              {"error", upstream::to_string(upstream::UpstreamError::NoHealthyServer)}},
             s.failures_without_backend[static_cast<std::size_t>(
                 upstream::UpstreamError::NoHealthyServer)]);

    x.family("larder_upstream_response_seconds", "histogram",
             "Time from sending a request to an app server to its response header.");
    for (const auto& b : s.backends) {
        std::uint64_t cumulative = 0;
        for (std::size_t k = 0; k < b.latency_buckets.size(); ++k) {
            cumulative += b.latency_buckets[k];
            std::string le = k < obs::kLatencyBoundsUs.size()
                                 ? fmt::format("{}", obs::kLatencyBoundsUs[k] / 1e6)
                                 : std::string("+Inf");
            x.sample("larder_upstream_response_seconds_bucket",
                     {{"backend", b.health.name}, {"le", le}}, cumulative);
        }
        x.sample("larder_upstream_response_seconds_sum", {{"backend", b.health.name}},
                 static_cast<double>(b.latency_sum_us) / 1e6);
        x.sample("larder_upstream_response_seconds_count", {{"backend", b.health.name}},
                 cumulative);
    }

    x.family("larder_backend_up", "gauge",
             "1 when the app server takes requests (probes pass, not ejected), else 0.");
    for (const auto& b : s.backends)
        x.sample("larder_backend_up", {{"backend", b.health.name}},
                 b.health.state == upstream::ServerState::Up ? 1 : 0);
    x.family("larder_backend_state", "gauge", "1 for the app server's current health state.");
    for (const auto& b : s.backends)
        for (auto st : {upstream::ServerState::Up, upstream::ServerState::Down,
                        upstream::ServerState::Ejected})
            x.sample("larder_backend_state",
                     {{"backend", b.health.name}, {"state", upstream::to_string(st)}},
                     b.health.state == st ? 1 : 0);
    x.family("larder_upstream_connections", "gauge",
             "Connections to app servers: active (an exchange in progress) or idle (pooled).");
    for (const auto& b : s.backends) {
        x.sample("larder_upstream_connections", {{"backend", b.health.name}, {"state", "active"}},
                 b.health.active);
        x.sample("larder_upstream_connections", {{"backend", b.health.name}, {"state", "idle"}},
                 b.health.idle);
    }
}

void store(Exposition& x, const MetricsSnapshot& s) {
    const auto& st = s.store;
    x.single("larder_store_objects", "gauge", "Objects stored (every Vary variant counts).",
             st.objects);
    x.single("larder_store_bytes", "gauge",
             "Bytes charged to [cache] max_size: objects with their bookkeeping, hit-for-pass "
             "markers, fetches in flight with their waiters, and the store's grown indexes, each "
             "as malloc holds it.",
             st.bytes);
    x.single("larder_store_max_bytes", "gauge", "[cache] max_size.", s.store_max_size);
    x.single("larder_store_max_objects", "gauge", "[cache] max_objects.", s.store_max_objects);
    x.single("larder_store_flights", "gauge", "Fetches in flight that may store.", st.flights);
    x.single("larder_store_pass_markers", "gauge", "Hit-for-pass markers held.", st.pass_markers);
    x.single("larder_store_inserts_total", "counter", "Objects inserted.", st.inserts);
    x.single("larder_store_evictions_total", "counter", "Objects and markers evicted to make room.",
             st.evictions);
    x.single("larder_store_expired_total", "counter",
             "Objects removed past their retention (or judged unusable).", st.expired);
    x.single("larder_store_rejected_total", "counter",
             "Inserts refused (too large, variants disabled).", st.rejected);
}

void encodings(Exposition& x, const MetricsSnapshot& s) {
    x.single("larder_encodings_made_total", "counter",
             "Content codings made when a response was stored (gzip or br compressed, or an "
             "origin's coding decoded).",
             s.encodings_made);
    x.family("larder_encoded_responses_total", "counter",
             "Responses sent from a stored object that has several codings, by the coding sent.");
    for (std::size_t c = 0; c < s.encoded_responses.size(); ++c)
        x.sample("larder_encoded_responses_total",
                 {{"coding", http::to_string(static_cast<http::ContentCoding>(c))}},
                 s.encoded_responses[c]);
    x.single("larder_encoding_bytes_saved_total", "counter",
             "Body bytes not sent thanks to a content coding (identity size minus size sent).",
             s.encoding_bytes_saved);
}

void purges(Exposition& x, const MetricsSnapshot& s) {
    x.family("larder_purges_total", "counter", "Purge requests served by the admin API, by kind.");
    for (std::size_t k = 0; k < s.purges.size(); ++k)
        x.sample("larder_purges_total", {{"kind", obs::to_string(static_cast<obs::PurgeKind>(k))}},
                 s.purges[k]);
    x.single("larder_purged_objects_total", "counter",
             "Objects removed (or marked stale) by purges.", s.purged_objects);
}

void daemon(Exposition& x, const MetricsSnapshot& s) {
    x.family("larder_build_info", "gauge", "Always 1; the version is a label.");
    x.sample("larder_build_info", {{"version", s.version}}, 1);
    x.single("larder_config_generation", "gauge",
             "Which configuration is in force: 1 at start, one more per reload.",
             s.config_generation);
    x.family("larder_reloads_total", "counter",
             "Configuration reloads (SIGHUP, POST /reload), by result; a failed one changed "
             "nothing.");
    x.sample("larder_reloads_total", {{"result", "ok"}}, s.reloads_ok);
    x.sample("larder_reloads_total", {{"result", "failed"}}, s.reloads_failed);
    x.single("larder_uptime_seconds", "gauge", "Seconds since the daemon started.",
             s.uptime_seconds);
    x.single("larder_draining", "gauge", "1 while the daemon drains after SIGTERM.",
             s.draining ? 1 : 0);
    x.single("larder_loops_refused_total", "counter",
             "Requests refused with 508 because their Via named this node.", s.loops_refused);
}

// A cluster node (docs/scale-out.md): larder_node_info names it, so queries over several nodes
// can join on it (Prometheus's `instance` label names the scrape address, not the node); the
// purge bus's counters follow.
void cluster(Exposition& x, const MetricsSnapshot& s) {
    if (!s.node.empty()) {
        x.family("larder_node_info", "gauge", "Always 1; the node's [cluster] name is a label.");
        x.sample("larder_node_info", {{"node", s.node}}, 1);
    }
    if (!s.cluster) return;
    const ClusterSnapshot& c = *s.cluster;
    x.single("larder_cluster_purges_published_total", "counter",
             "Purges accepted here and written to the Redis stream.", c.published);
    x.single("larder_cluster_purges_applied_total", "counter",
             "Purges from other nodes applied here (live and at start).", c.applied_remote);
    x.single("larder_cluster_purges_replayed_total", "counter",
             "Purges applied while catching up at start.", c.replayed);
    x.single("larder_cluster_purges_queued", "gauge", "Purges accepted here that wait for Redis.",
             c.queued);
    x.single("larder_cluster_purges_dropped_total", "counter",
             "Purges accepted here never published: the queue for Redis was full.", c.dropped);
    x.single("larder_cluster_store_drops_total", "counter",
             "Times the whole store was dropped because missed purges were unknown.", c.full_drops);
    x.single("larder_cluster_redis_reconnects_total", "counter",
             "Connections to Redis re-established.", c.reconnects);
    x.single("larder_cluster_redis_up", "gauge", "1 when both connections to Redis work.",
             c.redis_connected ? 1 : 0);
    x.single("larder_cluster_purge_lag_seconds", "gauge",
             "Stream time between the newest purge and the last one applied here.",
             static_cast<double>(c.lag_ms) / 1000.0);
}

}  // namespace

std::string render_prometheus(const MetricsSnapshot& snapshot) {
    Exposition x;
    daemon(x, snapshot);
    requests(x, snapshot);
    upstream_totals(x, snapshot);
    backends(x, snapshot);
    store(x, snapshot);
    encodings(x, snapshot);
    purges(x, snapshot);
    cluster(x, snapshot);
    return x.take();
}

}  // namespace larder::admin
