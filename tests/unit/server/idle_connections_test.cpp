// IdleConnections keeps a worker's idle keep-alive connections oldest first, and publishes when
// the oldest became idle (what other workers compare to pick the daemon's oldest).
#include "larder/server/idle_connections.hpp"

#include <gtest/gtest.h>

namespace larder::server {
namespace {

using namespace std::chrono_literals;
using Clock = IdleConnections::Clock;

// Sessions are never dereferenced by the list: distinct fake owners are enough.
Session* owner(std::uintptr_t n) {
    return reinterpret_cast<Session*>(n * 64);
}

TEST(IdleConnections, OldestFirstAndPublished) {
    IdleConnections idle;
    EXPECT_EQ(idle.oldest(), nullptr);
    EXPECT_EQ(idle.oldest_since(), IdleConnections::kNone);
    const Clock::time_point t0{1s};
    IdleLink a(owner(1)), b(owner(2)), c(owner(3));
    idle.add(a, t0);
    idle.add(b, t0 + 1s);
    idle.add(c, t0 + 2s);
    EXPECT_EQ(idle.size(), 3u);
    EXPECT_EQ(idle.oldest(), &a);
    EXPECT_EQ(IdleConnections::newer(a), &b);
    EXPECT_EQ(idle.oldest_since(), t0.time_since_epoch().count());

    idle.remove(a);  // a went busy: b is the oldest now
    EXPECT_EQ(idle.oldest(), &b);
    EXPECT_EQ(idle.oldest_since(), (t0 + 1s).time_since_epoch().count());
    idle.add(a, t0 + 3s);  // idle again: now the newest
    EXPECT_EQ(IdleConnections::newer(c), &a);
    EXPECT_EQ(IdleConnections::newer(a), nullptr);
}

TEST(IdleConnections, RemovingTwiceOrFromTheMiddleKeepsTheList) {
    IdleConnections idle;
    IdleLink a(owner(1)), b(owner(2)), c(owner(3));
    const Clock::time_point t0{1s};
    idle.add(a, t0);
    idle.add(b, t0 + 1s);
    idle.add(c, t0 + 2s);
    idle.remove(b);
    idle.remove(b);  // a session removes itself again when its read ends: no effect
    EXPECT_EQ(idle.size(), 2u);
    EXPECT_EQ(IdleConnections::newer(a), &c);
    idle.remove(c);
    idle.remove(a);
    EXPECT_EQ(idle.size(), 0u);
    EXPECT_EQ(idle.oldest(), nullptr);
    EXPECT_EQ(idle.oldest_since(), IdleConnections::kNone);
}

TEST(IdleConnections, AddingAListedLinkMovesIt) {
    IdleConnections idle;
    IdleLink a(owner(1)), b(owner(2));
    const Clock::time_point t0{1s};
    idle.add(a, t0);
    idle.add(b, t0 + 1s);
    idle.add(a, t0 + 2s);
    EXPECT_EQ(idle.size(), 2u);
    EXPECT_EQ(idle.oldest(), &b);
}

}  // namespace
}  // namespace larder::server
