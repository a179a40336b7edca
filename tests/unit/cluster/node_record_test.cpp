// NodeRecord and judge(): what a node publishes, and how the others call it behind or silent.
#include "larder/cluster/node_record.hpp"

#include <gtest/gtest.h>

namespace larder::cluster {
namespace {

using namespace std::chrono_literals;

NodeRecord sample(std::string node, std::optional<StreamId> applied, std::int64_t heartbeat_ms) {
    NodeRecord r;
    r.node = std::move(node);
    r.applied = applied;
    r.heartbeat_ms = heartbeat_ms;
    r.started_ms = 5;
    r.queued = 2;
    r.summary = {.requests = 100, .from_cache = 75, .objects = 9, .bytes = 4096};
    return r;
}

TEST(NodeRecord, RoundTrips) {
    NodeRecord r = sample("a", StreamId{1700, 2}, 123456);
    auto back = decode_record("a", encode_record(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->node, "a");
    EXPECT_EQ(back->applied, (StreamId{1700, 2}));
    EXPECT_EQ(back->heartbeat_ms, 123456);
    EXPECT_EQ(back->started_ms, 5);
    EXPECT_EQ(back->queued, 2u);
    EXPECT_EQ(back->summary.from_cache, 75u);
    EXPECT_EQ(back->summary.bytes, 4096u);
    auto none = decode_record("b", encode_record(sample("b", std::nullopt, 1)));
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->applied);
}

TEST(NodeRecord, RefusesOtherContent) {
    for (const char* bad : {"", "{", "[]", "{\"applied\":null}", "42",
                            "{\"heartbeat_ms\":1,\"started_ms\":1,\"queued\":-1,\"requests\":1,"
                            "\"from_cache\":1,\"objects\":1,\"bytes\":1,\"applied\":null}",
                            "{\"heartbeat_ms\":1,\"started_ms\":1,\"queued\":1,\"requests\":1,"
                            "\"from_cache\":1,\"objects\":1,\"bytes\":1,\"applied\":\"x\"}"})
        EXPECT_FALSE(decode_record("n", bad)) << bad;
}

TEST(NodeRecord, JudgesBehindSilentAndUnreadable) {
    const std::int64_t now = 100'000;
    std::vector<RawRecord> raw{
        {"c", encode_record(sample("c", StreamId{90'000, 0}, now - 500))},    // caught up
        {"a", encode_record(sample("a", StreamId{89'700, 0}, now - 200))},    // behind by 300 ms
        {"b", encode_record(sample("b", StreamId{90'000, 0}, now - 3'500))},  // silent
        {"d", "not json"},
        {"e", encode_record(sample("e", std::nullopt, now))},  // never read the stream
    };
    auto nodes = judge(raw, StreamId{90'000, 0}, now, 1s);
    ASSERT_EQ(nodes.size(), 5u);
    EXPECT_EQ(nodes[0].record.node, "a");
    EXPECT_TRUE(nodes[0].behind);
    EXPECT_EQ(nodes[0].lag_ms, 300);
    EXPECT_FALSE(nodes[0].silent);
    EXPECT_EQ(nodes[1].record.node, "b");
    EXPECT_TRUE(nodes[1].silent);
    EXPECT_FALSE(nodes[1].behind);
    EXPECT_EQ(nodes[1].heartbeat_age_ms, 3'500);
    EXPECT_FALSE(nodes[2].behind);
    EXPECT_FALSE(nodes[3].readable);
    EXPECT_TRUE(nodes[4].behind);
    auto json = to_json(nodes[0]);
    EXPECT_DOUBLE_EQ(json.at("hit_ratio").as_double(), 0.75);
    EXPECT_EQ(json.at("applied").as_string(), "89700-0");
}

TEST(NodeRecord, NothingIsBehindAnEmptyStream) {
    auto nodes = judge({{"a", encode_record(sample("a", std::nullopt, 0))}}, std::nullopt, 0, 1s);
    ASSERT_EQ(nodes.size(), 1u);
    EXPECT_FALSE(nodes[0].behind);
}

}  // namespace
}  // namespace larder::cluster
