// collect() over synthetic worker blocks, the Prometheus rendering and the stats JSON: sums
// across workers, per-rule rows, the histogram's cumulative buckets, label escaping, top keys.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <sstream>

#include "larder/admin/metrics.hpp"
#include "larder/admin/prometheus.hpp"
#include "larder/admin/stats_json.hpp"
#include "larder/proxy/cache_status.hpp"
#include "larder/upstream/error.hpp"

namespace larder::admin {
namespace {

using proxy::CacheStatus;
constexpr auto col(CacheStatus s) {
    return static_cast<std::size_t>(s);
}

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l == line) return true;
    return false;
}

class MetricsTest : public ::testing::Test {
  protected:
    MetricsTest() {
        sources.workers = {&a, &b};
        sources.store = &store;
        sources.health = &health;
        sources.purges = &purges;
        sources.rule_names = {"pages", "say \"hi\"\\now"};
        sources.version = "9.9.9";
    }
    obs::Counters a{obs::CounterShape{.rules = 2, .backends = 1}};
    obs::Counters b{obs::CounterShape{.rules = 2, .backends = 1}};
    cache::Store store{cache::StoreLimits{.max_size = 1 << 20, .shards = 1}};
    upstream::HealthTable health{{upstream::ServerInfo{.name = "10.0.0.1:8000"}}, {}};
    obs::PurgeCounters purges;
    MetricsSources sources;
};

TEST_F(MetricsTest, SumsWorkersPerRuleAndStatus) {
    a.count_response(0, col(CacheStatus::Hit));
    a.count_response(0, col(CacheStatus::Hit));
    b.count_response(0, col(CacheStatus::Hit));
    b.count_response(1, col(CacheStatus::Miss));
    a.count_response(obs::Counters::kNoRule, col(CacheStatus::Pass));
    b.count_response(obs::Counters::kNoRule, col(CacheStatus::Error));
    MetricsSnapshot s = collect(sources);
    EXPECT_EQ(s.by_rule[0][col(CacheStatus::Hit)], 3u);
    EXPECT_EQ(s.by_rule[1][col(CacheStatus::Miss)], 1u);
    EXPECT_EQ(s.unmatched[col(CacheStatus::Pass)], 1u);
    EXPECT_EQ(s.by_status[col(CacheStatus::Hit)], 3u);
    EXPECT_EQ(s.by_status[col(CacheStatus::Error)], 1u);

    std::string text = render_prometheus(s);
    EXPECT_TRUE(has_line(text, "larder_requests_total{cache_status=\"HIT\"} 3")) << text;
    EXPECT_TRUE(
        has_line(text, "larder_rule_requests_total{rule=\"pages\",cache_status=\"HIT\"} 3"));
    EXPECT_TRUE(has_line(
        text,
        "larder_rule_requests_total{rule=\"say \\\"hi\\\"\\\\now\",cache_status=\"MISS\"} 1"));
    EXPECT_TRUE(has_line(text, "larder_unmatched_requests_total{cache_status=\"PASS\"} 1"));
    EXPECT_TRUE(has_line(text, "larder_build_info{version=\"9.9.9\"} 1"));
    EXPECT_TRUE(has_line(text, "# TYPE larder_requests_total counter"));
    EXPECT_EQ(text.back(), '\n');
}

TEST_F(MetricsTest, LatencyHistogramIsCumulativePerBackend) {
    a.observe_upstream_latency(0, std::chrono::microseconds(800));         // <= 1 ms
    b.observe_upstream_latency(0, std::chrono::microseconds(3'000));       // <= 5 ms
    b.observe_upstream_latency(0, std::chrono::microseconds(20'000'000));  // above 10 s
    a.count_upstream_failure(0, static_cast<std::size_t>(upstream::UpstreamError::ConnectFailed));
    b.count_upstream_failure(obs::Counters::kNoBackend,
                             static_cast<std::size_t>(upstream::UpstreamError::NoHealthyServer));
    std::string text = render_prometheus(collect(sources));
    const std::string b0 = "larder_upstream_response_seconds_bucket{backend=\"10.0.0.1:8000\",le=";
    EXPECT_TRUE(has_line(text, b0 + "\"0.001\"} 1")) << text;
    EXPECT_TRUE(has_line(text, b0 + "\"0.0025\"} 1"));
    EXPECT_TRUE(has_line(text, b0 + "\"0.005\"} 2"));
    EXPECT_TRUE(has_line(text, b0 + "\"10\"} 2"));
    EXPECT_TRUE(has_line(text, b0 + "\"+Inf\"} 3"));
    EXPECT_TRUE(
        has_line(text, "larder_upstream_response_seconds_count{backend=\"10.0.0.1:8000\"} 3"));
    EXPECT_TRUE(
        has_line(text, "larder_upstream_response_seconds_sum{backend=\"10.0.0.1:8000\"} 20.0038"));
    EXPECT_TRUE(has_line(text,
                         "larder_upstream_failures_total{backend=\"10.0.0.1:8000\",error="
                         "\"upstream_connect_failed\"} 1"));
    EXPECT_TRUE(has_line(
        text,
        "larder_upstream_failures_total{backend=\"none\",error=\"upstream_no_healthy_server\"} 1"));
    EXPECT_TRUE(has_line(text, "larder_backend_up{backend=\"10.0.0.1:8000\"} 1"));
}

TEST_F(MetricsTest, PurgesStoreAndTopKeys) {
    purges.count(obs::PurgeKind::Tag, 7);
    purges.count(obs::PurgeKind::Url, 1);
    for (int i = 0; i < 60; ++i) a.top_keys.record("http://x/hot", 42);  // exact: < kExactHits
    for (int i = 0; i < 16; ++i) b.top_keys.record("http://x/warm", 43);
    MetricsSnapshot s = collect(sources);
    std::string text = render_prometheus(s);
    EXPECT_TRUE(has_line(text, "larder_purges_total{kind=\"tag\"} 1"));
    EXPECT_TRUE(has_line(text, "larder_purged_objects_total 8"));
    EXPECT_TRUE(has_line(text, "larder_store_max_bytes 1048576"));
    ASSERT_EQ(s.top_keys.size(), 2u);
    EXPECT_EQ(s.top_keys[0].key, "http://x/hot");
    EXPECT_EQ(s.top_keys[0].hits, 60u);
    EXPECT_EQ(s.top_keys[1].hits, 16u);

    std::string json = boost::json::serialize(stats_json(s));
    EXPECT_NE(json.find("\"top_keys\":[{\"key\":\"http://x/hot\",\"hits\":60"), std::string::npos)
        << json;
    EXPECT_NE(json.find("\"purges\":{\"url\":1,\"prefix\":0,\"pattern\":0,\"tag\":1}"),
              std::string::npos);
}

TEST_F(MetricsTest, StandAloneHasNoNodeOrClusterFamilies) {
    std::string text = render_prometheus(collect(sources));
    EXPECT_EQ(text.find("larder_node_info"), std::string::npos);
    EXPECT_EQ(text.find("larder_cluster_"), std::string::npos);
    EXPECT_TRUE(has_line(text, "larder_loops_refused_total 0"));
    EXPECT_NE(boost::json::serialize(stats_json(collect(sources))).find("\"node\":null"),
              std::string::npos);
}

TEST_F(MetricsTest, AClusterNodeIsLabelledAndCountsItsPurgeBus) {
    obs::ClusterCounters cluster;
    cluster.published = 3;
    cluster.applied_remote = 5;
    cluster.queued = 1;
    cluster.redis_connected = true;
    cluster.lag_ms = 250;
    sources.node = "cache-2";
    sources.cluster = &cluster;
    std::string text = render_prometheus(collect(sources));
    EXPECT_TRUE(has_line(text, "larder_node_info{node=\"cache-2\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "larder_cluster_purges_published_total 3"));
    EXPECT_TRUE(has_line(text, "larder_cluster_purges_applied_total 5"));
    EXPECT_TRUE(has_line(text, "larder_cluster_purges_queued 1"));
    EXPECT_TRUE(has_line(text, "larder_cluster_redis_up 1"));
    EXPECT_TRUE(has_line(text, "larder_cluster_purge_lag_seconds 0.25"));
    EXPECT_TRUE(has_line(text, "# TYPE larder_cluster_purges_dropped_total counter"));
}

TEST(TopKeys, BoundedAndKeepsTheHeavyHitterEvenWithPeriodicTraffic) {
    obs::TopKeys top;
    for (std::size_t i = 0; i < 20'000; ++i) {
        // Every other hit is the hot key: a fixed one-in-eight stride would see only one kind.
        top.record("hot", 1);
        std::string cold = "cold" + std::to_string(i);
        top.record(cold, std::hash<std::string>{}(cold));
    }
    auto entries = top.snapshot();
    EXPECT_EQ(entries.size(), obs::TopKeys::kSlots);
    EXPECT_EQ(entries[0].key, "hot");
    EXPECT_GT(entries[0].count, 15'000u);  // 20,000 hits, estimated from samples
    EXPECT_LT(entries[0].count, 25'000u);
    EXPECT_LT(entries[1].count, 5'000u);  // no cold key looks hot
}

}  // namespace
}  // namespace larder::admin
