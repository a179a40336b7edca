// The connection gate: the limit holds, waiters are served in order by direct hand-over, the
// queue is bounded, and a waiter that gives up never leaks a slot.
#include <gtest/gtest.h>

#include <thread>

#include "larder/upstream/gate.hpp"

namespace larder::upstream {
namespace {

struct GateTest : ::testing::Test {
    HealthTable table{{{"limited:1", 1, false, 2}, {"free:2", 1, false, 0}}, HealthParams{}};
    ConnectionGate gate{table, 2};

    std::shared_ptr<ConnectionGate::Waiter> waiter(int& woken) {
        auto w = std::make_shared<ConnectionGate::Waiter>();
        w->server = 0;
        w->wake = [&woken] { ++woken; };
        return w;
    }
};

TEST_F(GateTest, LimitHolds) {
    EXPECT_TRUE(gate.try_acquire(0));
    EXPECT_TRUE(gate.try_acquire(0));
    EXPECT_FALSE(gate.try_acquire(0));
    EXPECT_EQ(table.active(0), 2u);
    gate.release(0);
    EXPECT_TRUE(gate.try_acquire(0));
}

TEST_F(GateTest, UnlimitedServerOnlyCounts) {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(gate.try_acquire(1));
    EXPECT_EQ(table.active(1), 100u);
    for (int i = 0; i < 100; ++i) gate.release(1);
    EXPECT_EQ(table.active(1), 0u);
}

TEST_F(GateTest, ReleaseHandsTheSlotToTheOldestWaiter) {
    ASSERT_TRUE(gate.try_acquire(0));
    ASSERT_TRUE(gate.try_acquire(0));
    int woken1 = 0, woken2 = 0;
    auto w1 = waiter(woken1), w2 = waiter(woken2);
    EXPECT_EQ(gate.enqueue(w1), ConnectionGate::Enqueue::Queued);
    EXPECT_EQ(gate.enqueue(w2), ConnectionGate::Enqueue::Queued);
    EXPECT_EQ(gate.waiting(0), 2u);
    gate.release(0);
    EXPECT_EQ(woken1, 1);
    EXPECT_EQ(woken2, 0);
    EXPECT_EQ(table.active(0), 2u);       // handed over, not freed
    EXPECT_FALSE(gate.try_acquire(0));    // so no newcomer can take it
    EXPECT_TRUE(gate.finish_wait(*w1));   // w1 owns it
    EXPECT_FALSE(gate.finish_wait(*w2));  // w2 gives up: off the queue
    EXPECT_EQ(gate.waiting(0), 0u);
    gate.release(0);
    gate.release(0);
    EXPECT_EQ(table.active(0), 0u);
}

TEST_F(GateTest, QueueIsBounded) {
    ASSERT_TRUE(gate.try_acquire(0));
    ASSERT_TRUE(gate.try_acquire(0));
    int woken = 0;
    auto a = waiter(woken), b = waiter(woken), c = waiter(woken);
    EXPECT_EQ(gate.enqueue(a), ConnectionGate::Enqueue::Queued);
    EXPECT_EQ(gate.enqueue(b), ConnectionGate::Enqueue::Queued);
    EXPECT_EQ(gate.enqueue(c), ConnectionGate::Enqueue::Full);
    gate.finish_wait(*a);
    gate.finish_wait(*b);
}

TEST_F(GateTest, EnqueueTakesASlotFreedMeanwhile) {
    ASSERT_TRUE(gate.try_acquire(0));
    int woken = 0;
    auto w = waiter(woken);
    EXPECT_EQ(gate.enqueue(w), ConnectionGate::Enqueue::Acquired);
    EXPECT_EQ(table.active(0), 2u);
}

TEST_F(GateTest, GrantedWaiterThatGivesUpPassesTheSlotOn) {
    ASSERT_TRUE(gate.try_acquire(0));
    ASSERT_TRUE(gate.try_acquire(0));
    int woken = 0;
    auto w = waiter(woken);
    ASSERT_EQ(gate.enqueue(w), ConnectionGate::Enqueue::Queued);
    gate.release(0);  // granted, but its request was cancelled before it resumed:
    if (gate.finish_wait(*w)) gate.release(0);
    EXPECT_EQ(table.active(0), 1u);
}

TEST_F(GateTest, ConcurrentWorkersNeverExceedTheLimit) {
    std::atomic<int> inside{0}, worst{0};
    auto work = [&] {
        for (int i = 0; i < 20000; ++i) {
            if (!gate.try_acquire(0)) continue;
            int now = ++inside;
            int w = worst.load();
            while (now > w && !worst.compare_exchange_weak(w, now)) {
            }
            --inside;
            gate.release(0);
        }
    };
    std::thread a(work), b(work), c(work);
    a.join();
    b.join();
    c.join();
    EXPECT_LE(worst.load(), 2);
    EXPECT_EQ(table.active(0), 0u);
}

}  // namespace
}  // namespace larder::upstream
