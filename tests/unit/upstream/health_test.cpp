// The health state machine: rise/fall of active checks, passive ejection within fail_timeout,
// recovery reported once, the single-server exemption, snapshots.
#include <gtest/gtest.h>

#include "larder/upstream/health.hpp"

namespace larder::upstream {
namespace {

using namespace std::chrono_literals;

const TimePoint t0 = TimePoint{} + 1000h;

std::vector<ServerInfo> two() {
    return {{"a:1", 1, false, 0}, {"b:2", 2, true, 4}};
}

HealthParams params() {
    return {.rise = 2, .fall = 3, .max_fails = 3, .fail_timeout = 10s, .slow_start = 10s};
}

TEST(Health, StartsUpAtFullWeight) {
    HealthTable t(two(), params());
    EXPECT_TRUE(t.available(0, t0));
    EXPECT_EQ(t.state(0, t0), ServerState::Up);
    EXPECT_DOUBLE_EQ(t.ramp(0, t0), 1.0);
}

TEST(Health, FallNeedsConsecutiveFailures) {
    HealthTable t(two(), params());
    EXPECT_EQ(t.record_probe(0, false, t0), HealthEvent::None);
    EXPECT_EQ(t.record_probe(0, false, t0), HealthEvent::None);
    EXPECT_EQ(t.record_probe(0, true, t0), HealthEvent::None);  // streak broken
    EXPECT_EQ(t.record_probe(0, false, t0), HealthEvent::None);
    EXPECT_EQ(t.record_probe(0, false, t0), HealthEvent::None);
    EXPECT_TRUE(t.available(0, t0));
    EXPECT_EQ(t.record_probe(0, false, t0), HealthEvent::WentDown);
    EXPECT_FALSE(t.available(0, t0));
    EXPECT_EQ(t.state(0, t0), ServerState::Down);
    EXPECT_EQ(t.record_probe(0, false, t0), HealthEvent::None);  // reported once
}

TEST(Health, RiseNeedsConsecutiveSuccessesAndStartsTheRamp) {
    HealthTable t(two(), params());
    for (int i = 0; i < 3; ++i) t.record_probe(0, false, t0);
    EXPECT_EQ(t.record_probe(0, true, t0 + 1s), HealthEvent::None);
    EXPECT_EQ(t.record_probe(0, false, t0 + 2s), HealthEvent::None);
    EXPECT_EQ(t.record_probe(0, true, t0 + 3s), HealthEvent::None);
    EXPECT_FALSE(t.available(0, t0 + 3s));
    EXPECT_EQ(t.record_probe(0, true, t0 + 4s), HealthEvent::CameUp);
    EXPECT_TRUE(t.available(0, t0 + 4s));
    EXPECT_DOUBLE_EQ(t.ramp(0, t0 + 4s), 0.0);
    EXPECT_DOUBLE_EQ(t.ramp(0, t0 + 9s), 0.5);
    EXPECT_EQ(t.record_probe(0, true, t0 + 5s), HealthEvent::None);
}

TEST(Passive, MaxFailsWithinFailTimeoutEjects) {
    HealthTable t(two(), params());
    EXPECT_EQ(t.record_failure(0, t0), HealthEvent::None);
    EXPECT_EQ(t.record_failure(0, t0 + 1s), HealthEvent::None);
    EXPECT_EQ(t.record_failure(0, t0 + 2s), HealthEvent::Ejected);
    EXPECT_EQ(t.state(0, t0 + 2s), ServerState::Ejected);
    EXPECT_FALSE(t.available(0, t0 + 11s));
    EXPECT_EQ(t.poll_recovery(0, t0 + 11s), HealthEvent::None);
    EXPECT_TRUE(t.available(0, t0 + 12s));  // ejected for fail_timeout
    EXPECT_EQ(t.poll_recovery(0, t0 + 12s), HealthEvent::Recovered);
    EXPECT_EQ(t.poll_recovery(0, t0 + 13s), HealthEvent::None);  // reported once
    EXPECT_DOUBLE_EQ(t.ramp(0, t0 + 12s), 0.0);                  // and ramps back
    EXPECT_DOUBLE_EQ(t.ramp(0, t0 + 17s), 0.5);
}

TEST(Passive, ComingUpThroughTheCheckerEndsAnEjection) {
    HealthTable t(two(), params());
    for (int i = 0; i < 3; ++i) t.record_failure(0, t0);
    for (int i = 0; i < 3; ++i) t.record_probe(0, false, t0 + 1s);
    t.record_probe(0, true, t0 + 2s);
    EXPECT_EQ(t.record_probe(0, true, t0 + 3s), HealthEvent::CameUp);
    EXPECT_TRUE(t.available(0, t0 + 3s));
    EXPECT_EQ(t.poll_recovery(0, t0 + 20s), HealthEvent::None);
}

TEST(Passive, FailuresSpreadWiderThanFailTimeoutDoNotEject) {
    HealthTable t(two(), params());
    EXPECT_EQ(t.record_failure(0, t0), HealthEvent::None);
    EXPECT_EQ(t.record_failure(0, t0 + 6s), HealthEvent::None);
    EXPECT_EQ(t.record_failure(0, t0 + 11s), HealthEvent::None);  // window restarted
    EXPECT_EQ(t.record_failure(0, t0 + 12s), HealthEvent::None);
    EXPECT_TRUE(t.available(0, t0 + 12s));
    EXPECT_EQ(t.record_failure(0, t0 + 13s), HealthEvent::Ejected);
}

TEST(Passive, FailuresWhileEjectedAreNotCounted) {
    HealthTable t(two(), params());
    for (int i = 0; i < 3; ++i) t.record_failure(0, t0);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(t.record_failure(0, t0 + 1s), HealthEvent::None);
    EXPECT_TRUE(t.available(0, t0 + 10s));
}

TEST(Passive, OffWithMaxFailsZeroAndForASingleServer) {
    auto p = params();
    p.max_fails = 0;
    HealthTable off(two(), p);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(off.record_failure(0, t0), HealthEvent::None);
    EXPECT_TRUE(off.available(0, t0));
    HealthTable single({{"only:1", 1, false, 0}}, params());
    for (int i = 0; i < 10; ++i) EXPECT_EQ(single.record_failure(0, t0), HealthEvent::None);
    EXPECT_TRUE(single.available(0, t0));
}

TEST(Health, SnapshotShowsEveryServer) {
    HealthTable t(two(), params());
    for (int i = 0; i < 3; ++i) t.record_probe(1, false, t0);
    t.active_counter(0) = 3;
    t.backend(0).health.idle = 1;  // IdleList's count (idle_list.hpp)
    t.record_success(0, 800us);
    t.record_success(0, 1600us);
    auto s = t.snapshot(t0);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].name, "a:1");
    EXPECT_EQ(s[0].state, ServerState::Up);
    EXPECT_EQ(s[0].active, 3u);
    EXPECT_EQ(s[0].idle, 1u);
    EXPECT_EQ(s[0].latency_us, 900);  // 800 + (1600 - 800) / 8
    EXPECT_EQ(s[0].requests, 2u);
    EXPECT_EQ(s[1].state, ServerState::Down);
    EXPECT_TRUE(s[1].backup);
    EXPECT_EQ(s[1].weight, 2u);
    EXPECT_EQ(to_string(s[1].state), "down");
    EXPECT_EQ(to_string(HealthEvent::Ejected), "ejected");
}

}  // namespace
}  // namespace larder::upstream
