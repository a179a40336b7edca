// Request coalescing table and the hit-for-pass predictor.
#include "larder/cache/lock.hpp"
#include "larder/cache/predictor.hpp"
#include "larder/cache/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace larder::cache;
using namespace std::chrono_literals;
using larder::obs::ManualClock;

namespace {
ObjectPtr object_for(std::string key) {
    auto o = std::make_shared<Object>();
    o->key = std::move(key);
    return o;
}
}  // namespace

TEST(CoalescingTable, FirstJoinLeadsOthersFollowTheSameFlight) {
    CoalescingTable table;
    auto leader = table.join("k");
    auto follower = table.join("k");
    auto other = table.join("other");
    EXPECT_TRUE(leader.leader);
    EXPECT_FALSE(follower.leader);
    EXPECT_TRUE(other.leader);
    EXPECT_EQ(leader.flight, follower.flight);
    EXPECT_EQ(table.in_flight(), 2u);
}

TEST(CoalescingTable, CompleteWakesEveryWaiterWithTheObjectAndEndsTheFlight) {
    CoalescingTable table;
    auto leader = table.join("k");
    std::vector<ObjectPtr> seen;
    for (int i = 0; i < 3; ++i) {
        auto t = table.join("k");
        table.wait(t.flight, [&](ObjectPtr o) { seen.push_back(o); });
    }
    EXPECT_EQ(leader.flight->waiters(), 3u);
    auto stored = object_for("k");
    table.complete(leader.flight, stored);
    ASSERT_EQ(seen.size(), 3u);
    for (auto& o : seen) EXPECT_EQ(o, stored);
    EXPECT_EQ(table.in_flight(), 0u);
    EXPECT_TRUE(table.join("k").leader);  // the next miss starts a new flight
}

TEST(CoalescingTable, WaitingOnACompletedFlightAnswersAtOnce) {
    CoalescingTable table;
    auto leader = table.join("k");
    table.complete(leader.flight, nullptr);
    bool called = false;
    table.wait(leader.flight, [&](ObjectPtr o) {
        called = true;
        EXPECT_EQ(o, nullptr);
    });
    EXPECT_TRUE(called);
}

TEST(CoalescingTable, ManyThreadsOneLeader) {
    CoalescingTable table;
    std::atomic<int> leaders{0}, woken{0};
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    std::shared_ptr<Flight> leader_flight;
    std::mutex mu;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            while (!go) std::this_thread::yield();
            auto t = table.join("hot");
            if (t.leader) {
                ++leaders;
                std::lock_guard lock(mu);
                leader_flight = t.flight;
            } else {
                table.wait(t.flight, [&](ObjectPtr) { ++woken; });
            }
        });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(leaders.load(), 1);
    table.complete(leader_flight, object_for("hot"));
    EXPECT_EQ(woken.load(), 7);
}

TEST(UncacheablePredictor, RemembersForTheTtlOnly) {
    ManualClock clock;
    UncacheablePredictor p(100, 60s);
    EXPECT_FALSE(p.predicts_uncacheable("k", clock.now()));
    p.remember("k", clock.now());
    EXPECT_TRUE(p.predicts_uncacheable("k", clock.now()));
    clock.advance(59s);
    EXPECT_TRUE(p.predicts_uncacheable("k", clock.now()));
    clock.advance(2s);
    EXPECT_FALSE(p.predicts_uncacheable("k", clock.now()));
    EXPECT_EQ(p.size(), 0u);
}

TEST(UncacheablePredictor, ForgetAndBoundedCapacity) {
    ManualClock clock;
    UncacheablePredictor p(4, 60s, 1);
    for (int i = 0; i < 10; ++i) p.remember("k" + std::to_string(i), clock.now());
    EXPECT_EQ(p.size(), 4u);
    EXPECT_FALSE(p.predicts_uncacheable("k0", clock.now()));  // oldest dropped
    EXPECT_TRUE(p.predicts_uncacheable("k9", clock.now()));
    p.forget("k9");
    EXPECT_FALSE(p.predicts_uncacheable("k9", clock.now()));
}

TEST(UncacheablePredictor, OnlyLastingReasonsAreRemembered) {
    EXPECT_TRUE(is_lasting(NoCacheReason::HasSetCookie));
    EXPECT_TRUE(is_lasting(NoCacheReason::CacheControlPrivate));
    EXPECT_TRUE(is_lasting(NoCacheReason::CacheControlNoStore));
    EXPECT_TRUE(is_lasting(NoCacheReason::TooLarge));
    EXPECT_FALSE(is_lasting(NoCacheReason::StatusNotCacheable));  // 5xx are temporary
    EXPECT_FALSE(is_lasting(NoCacheReason::UpstreamError));
}

TEST(StoreGrace, StaleObjectIsRetainedForItsWindowsButNotAHit) {
    ManualClock clock;
    Store store({.max_size = 1 << 20, .max_objects = 100, .max_object_size = 1 << 16, .shards = 1});
    auto o = std::make_shared<Object>();
    o->key = "k";
    o->body = "b";
    o->stored_at = clock.now();
    o->expires_at = clock.now() + 10s;
    o->grace_until = o->expires_at + 5s;
    o->error_until = o->expires_at + 60s;
    ASSERT_TRUE(store.insert(o));
    clock.advance(11s);
    EXPECT_EQ(store.lookup("k", clock.now()), nullptr);  // not fresh
    auto kept = store.lookup_servable("k", clock.now());
    ASSERT_NE(kept, nullptr);
    EXPECT_FALSE(kept->fresh(clock.now()));
    EXPECT_TRUE(kept->servable_in_grace(clock.now()));
    clock.advance(10s);
    kept = store.lookup_servable("k", clock.now());
    ASSERT_NE(kept, nullptr);
    EXPECT_FALSE(kept->servable_in_grace(clock.now()));
    EXPECT_TRUE(kept->servable_on_error(clock.now()));
    clock.advance(60s);
    EXPECT_EQ(store.lookup_servable("k", clock.now()), nullptr);  // past retention: dropped
    EXPECT_EQ(store.stats().objects, 0u);
}
