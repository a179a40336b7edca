// Selection over a HealthTable, without sockets: weighted split, least_conn, power of two
// choices, consistent hashing when a server goes away, backups, slow start (time passed in).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "larder/upstream/selector.hpp"

namespace larder::upstream {
namespace {

using namespace std::chrono_literals;
using config::Balance;

const TimePoint t0 = TimePoint{} + 1000h;

std::vector<ServerInfo> servers(std::initializer_list<unsigned> weights) {
    std::vector<ServerInfo> out;
    unsigned port = 8000;
    for (unsigned w : weights) out.push_back({"10.0.0.1:" + std::to_string(port++), w, false, 0});
    return out;
}

HealthParams params(unsigned max_fails = 1) {
    return {.rise = 2, .fall = 2, .max_fails = max_fails, .fail_timeout = 10s, .slow_start = 10s};
}

std::map<std::size_t, int> split(Selector& s, int n, TimePoint now = t0) {
    std::map<std::size_t, int> counts;
    for (int i = 0; i < n; ++i) ++counts[*s.pick(now)];
    return counts;
}

TEST(RoundRobin, WeightsThreeToOneSplitThreeToOne) {
    HealthTable table(servers({3, 1}), params());
    Selector s(table, Balance::RoundRobin);
    auto counts = split(s, 4000);
    EXPECT_EQ(counts[0], 3000);
    EXPECT_EQ(counts[1], 1000);
}

TEST(RoundRobin, SmoothOrderInterleaves) {
    HealthTable table(servers({3, 1}), params());
    Selector s(table, Balance::RoundRobin);
    std::string order;
    for (int i = 0; i < 8; ++i) order += static_cast<char>('a' + *s.pick(t0));
    EXPECT_EQ(order, "aabaaaba");  // never bursts of the heavy one beyond its share
}

TEST(RoundRobin, SkipsDownAndTriedServers) {
    HealthTable table(servers({1, 1, 1}), params());
    Selector s(table, Balance::RoundRobin);
    table.record_probe(1, false, t0);
    table.record_probe(1, false, t0);
    ASSERT_FALSE(table.available(1, t0));
    std::vector<bool> tried{true, false, false};
    for (int i = 0; i < 10; ++i) EXPECT_EQ(*s.pick(t0, {}, tried), 2u);
    for (int i = 0; i < 10; ++i) EXPECT_NE(*s.pick(t0), 1u);
}

TEST(Selection, NoServerAvailableIsNullopt) {
    HealthTable table(servers({1, 1}), params());
    for (std::size_t i = 0; i < 2; ++i) {
        table.record_probe(i, false, t0);
        table.record_probe(i, false, t0);
    }
    for (Balance b : {Balance::RoundRobin, Balance::LeastConn, Balance::RandomTwo, Balance::Hash}) {
        Selector s(table, b);
        EXPECT_FALSE(s.pick(t0, "key").has_value()) << to_string(b);
    }
}

TEST(Selection, BackupOnlyWhenAllPrimariesAreDown) {
    auto list = servers({1, 1, 1});
    list[2].backup = true;
    HealthTable table(list, params());
    Selector s(table, Balance::RoundRobin);
    for (int i = 0; i < 20; ++i) EXPECT_NE(*s.pick(t0), 2u);
    table.record_probe(0, false, t0);
    table.record_probe(0, false, t0);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(*s.pick(t0), 1u);
    table.record_probe(1, false, t0);
    table.record_probe(1, false, t0);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(*s.pick(t0), 2u);
    table.record_probe(0, true, t0);
    table.record_probe(0, true, t0);  // rise = 2: primary back
    EXPECT_EQ(*s.pick(t0 + 1h), 0u);
}

TEST(LeastConn, AvoidsTheBusyServer) {
    HealthTable table(servers({1, 1, 1}), params());
    Selector s(table, Balance::LeastConn);
    table.active_counter(0) = 5;
    table.active_counter(1) = 2;
    EXPECT_EQ(*s.pick(t0), 2u);
    table.active_counter(2) = 3;
    EXPECT_EQ(*s.pick(t0), 1u);
}

TEST(LeastConn, TiesRotate) {
    HealthTable table(servers({1, 1, 1}), params());
    Selector s(table, Balance::LeastConn);
    auto counts = split(s, 300);
    EXPECT_EQ(counts[0], 100);
    EXPECT_EQ(counts[1], 100);
    EXPECT_EQ(counts[2], 100);
}

TEST(LeastConn, WeightScalesLoad) {
    HealthTable table(servers({3, 1}), params());
    Selector s(table, Balance::LeastConn);
    table.active_counter(0) = 5;  // 6/3 = 2 per unit
    table.active_counter(1) = 1;  // 2/1 = 2 per unit: a tie, then 3 beats
    table.active_counter(1) = 2;  // 3/1
    EXPECT_EQ(*s.pick(t0), 0u);
}

TEST(RandomTwo, PrefersTheLessLoaded) {
    HealthTable table(servers({1, 1}), params());
    Selector s(table, Balance::RandomTwo, 42);
    table.active_counter(0) = 10;
    // With two servers both are always drawn: the idle one wins every time.
    for (int i = 0; i < 100; ++i) EXPECT_EQ(*s.pick(t0), 1u);
}

TEST(RandomTwo, SpreadsEqualLoadByWeight) {
    HealthTable table(servers({1, 1, 1, 1}), params());
    Selector s(table, Balance::RandomTwo, 7);
    table.active_counter(3) = 100;  // the busy one loses every draw it is in
    auto counts = split(s, 6000);
    EXPECT_EQ(counts.count(3), 0u);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(counts[i], 2000, 200) << i;
}

TEST(Hash, SameKeySameServer) {
    HealthTable table(servers({1, 1, 1, 1}), params());
    Selector a(table, Balance::Hash), b(table, Balance::Hash);
    for (int k = 0; k < 200; ++k) {
        std::string key = "http://example.com/page/" + std::to_string(k);
        EXPECT_EQ(*a.pick(t0, key), *b.pick(t0, key));
        EXPECT_EQ(*a.pick(t0, key), *a.pick(t0, key));
    }
}

TEST(Hash, OnlyTheRemovedServersKeysMove) {
    HealthTable table(servers({1, 1, 1, 1}), params());
    Selector s(table, Balance::Hash);
    std::vector<std::size_t> before;
    std::map<std::size_t, int> counts;
    for (int k = 0; k < 4000; ++k) {
        before.push_back(*s.pick(t0, "/k/" + std::to_string(k)));
        ++counts[before.back()];
    }
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(counts[i], 1000, 250) << i;  // roughly even
    table.record_probe(2, false, t0);
    table.record_probe(2, false, t0);
    int moved = 0;
    for (int k = 0; k < 4000; ++k) {
        std::size_t now = *s.pick(t0, "/k/" + std::to_string(k));
        EXPECT_NE(now, 2u);
        if (before[k] != 2) {
            EXPECT_EQ(now, before[k]) << k;
        }
        moved += now != before[k];
    }
    EXPECT_EQ(moved, counts[2]);
}

TEST(Hash, EmptyKeyFallsBackToRoundRobin) {
    HealthTable table(servers({1, 1}), params());
    Selector s(table, Balance::Hash);
    auto counts = split(s, 100);
    EXPECT_EQ(counts[0], 50);
    EXPECT_EQ(counts[1], 50);
}

// A server that recovers at t0 with slow_start = 10s.
class SlowStart : public ::testing::Test {
  protected:
    void recover(HealthTable& table, std::size_t i) {
        table.record_probe(i, false, t0 - 1min);
        table.record_probe(i, false, t0 - 1min);
        table.record_probe(i, true, t0 - 1s);
        table.record_probe(i, true, t0);  // up again at t0
    }
};

TEST_F(SlowStart, RampIsLinearOverSlowStart) {
    HealthTable table(servers({1, 1}), params());
    recover(table, 1);
    EXPECT_DOUBLE_EQ(table.ramp(0, t0), 1.0);  // never down: full weight
    EXPECT_DOUBLE_EQ(table.ramp(1, t0), 0.0);
    EXPECT_DOUBLE_EQ(table.ramp(1, t0 + 2500ms), 0.25);
    EXPECT_DOUBLE_EQ(table.ramp(1, t0 + 5s), 0.5);
    EXPECT_DOUBLE_EQ(table.ramp(1, t0 + 10s), 1.0);
    EXPECT_DOUBLE_EQ(table.ramp(1, t0 + 1h), 1.0);
}

TEST_F(SlowStart, RoundRobinShareRamps) {
    HealthTable table(servers({1, 1}), params());
    recover(table, 1);
    Selector s(table, Balance::RoundRobin);
    EXPECT_LE(split(s, 1000, t0)[1], 2);              // a trickle at first
    EXPECT_NEAR(split(s, 1000, t0 + 5s)[1], 333, 3);  // weight 0.5 : 1
    EXPECT_EQ(split(s, 1000, t0 + 10s)[1], 500);
}

TEST_F(SlowStart, LeastConnDoesNotFloodTheNewcomer) {
    HealthTable table(servers({1, 1}), params());
    recover(table, 1);
    Selector s(table, Balance::LeastConn);
    table.active_counter(0) = 20;        // the old server is busy, the recovered one idle
    EXPECT_EQ(*s.pick(t0 + 100ms), 0u);  // ramp 0.01: 1/10 per unit against 21 per unit
    EXPECT_EQ(*s.pick(t0 + 5s), 1u);     // ramp 0.5: 2 per unit against 21
}

TEST_F(SlowStart, HashKeysComeBackGradually) {
    HealthTable table(servers({1, 1, 1}), params());
    Selector s(table, Balance::Hash);
    std::vector<std::size_t> home;
    for (int k = 0; k < 3000; ++k) home.push_back(*s.pick(t0 - 2min, "/k/" + std::to_string(k)));
    recover(table, 1);
    auto kept = [&](TimePoint now) {
        int n = 0;
        for (int k = 0; k < 3000; ++k)
            if (home[k] == 1 && *s.pick(now, "/k/" + std::to_string(k)) == 1) ++n;
        return n;
    };
    int total = static_cast<int>(std::count(home.begin(), home.end(), 1u));
    EXPECT_EQ(kept(t0), 0);
    EXPECT_NEAR(kept(t0 + 5s), total / 2, total / 10);
    EXPECT_EQ(kept(t0 + 10s), total);
    int at3 = kept(t0 + 3s);
    EXPECT_LE(at3, kept(t0 + 6s));  // a key that came back stays back
}

TEST(Selection, PrefersServersWithRoom) {
    auto list = servers({1, 1});
    list[0].max_connections = 2;
    HealthTable table(list, params());
    Selector s(table, Balance::RoundRobin);
    table.active_counter(0) = 2;
    for (int i = 0; i < 10; ++i) EXPECT_EQ(*s.pick(t0), 1u);
    table.active_counter(0) = 1;
    EXPECT_EQ(split(s, 10)[0], 5);
}

}  // namespace
}  // namespace larder::upstream
