// What a reload keeps of the upstream servers (upstream/backend_state.hpp): a server with the
// same identity (address as configured and as resolved) keeps its health, counts, waiters and
// each worker's idle connections, whatever else changed in [upstream]; a new server, or one
// that resolves elsewhere, starts fresh; a dropped server's idle connections close.
//
// Generations are built with resolve_backends() on numeric loopback addresses (no DNS, nothing
// connects); pooled connections are AF_UNIX socketpairs, as in pool_test.cpp, so a close is
// visible at the app's end the moment it happens.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "larder/upstream/backend.hpp"
#include "larder/upstream/backend_state.hpp"
#include "larder/upstream/pool.hpp"

namespace larder::upstream {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

tcp::endpoint loopback(std::uint16_t port) {
    return {asio::ip::make_address("127.0.0.1"), port};
}

config::UpstreamServer server(std::uint16_t port) {
    config::UpstreamServer s;
    s.address = {.host = "127.0.0.1", .port = port};
    return s;
}

config::UpstreamConfig upstream_of(std::vector<std::uint16_t> ports) {
    config::UpstreamConfig c;
    for (auto p : ports) c.servers.push_back(server(p));
    return c;
}

// A generation's servers: its config (the Backends refer to it) and the resolved vector.
struct Generation {
    config::UpstreamConfig config;
    std::vector<Backend> backends;

    Generation(config::UpstreamConfig c, const Generation* running = nullptr)
        : config(std::move(c)),
          backends(resolve_backends(config, running ? running->backends : std::vector<Backend>{})) {
    }
    Cluster& cluster() { return *backends.front().cluster; }
    HealthTable& health() { return cluster().health(); }
};

void take_down(HealthTable& t, std::size_t i) {
    for (unsigned k = 0; k < t.params().fall; ++k) t.record_probe(i, false, SteadyClock::now());
    ASSERT_EQ(t.state(i, SteadyClock::now()), ServerState::Down);
}

TEST(CarryOver, SameIdentityKeepsItsStateAndNewOnesStartFresh) {
    auto a = std::make_shared<BackendState>(BackendIdentity{"a:1", loopback(1)});
    auto b = std::make_shared<BackendState>(BackendIdentity{"b:2", loopback(2)});
    auto out = carry_over({{"c:3", loopback(3)}, {"b:2", loopback(2)}}, {a, b});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1], b);
    EXPECT_NE(out[0], a);
    EXPECT_NE(out[0], b);
    EXPECT_EQ(out[0]->identity.name, "c:3");
    EXPECT_TRUE(out[0]->health.probe_up.load());
}

TEST(CarryOver, AServerThatResolvesElsewhereIsANewServer) {
    auto a = std::make_shared<BackendState>(BackendIdentity{"app:80", loopback(80)});
    auto moved =
        carry_over({{"app:80", tcp::endpoint(asio::ip::make_address("127.0.0.2"), 80)}}, {a});
    EXPECT_NE(moved[0], a);
    EXPECT_EQ(carry_over({{"app:80", loopback(80)}}, {a})[0], a);
}

TEST(CarryOver, AServerListedTwiceIsMatchedOncePerListing) {
    auto first = std::make_shared<BackendState>(BackendIdentity{"a:1", loopback(1)});
    auto second = std::make_shared<BackendState>(BackendIdentity{"a:1", loopback(1)});
    auto out = carry_over({{"a:1", loopback(1)}, {"a:1", loopback(1)}, {"a:1", loopback(1)}},
                          {first, second});
    EXPECT_EQ(out[0], first);
    EXPECT_EQ(out[1], second);
    EXPECT_NE(out[2], first);
    EXPECT_NE(out[2], second);
}

TEST(ReloadState, UnchangedServersKeepHealthAndCountsWhenOthersAndSettingsChange) {
    auto c1 = upstream_of({9001, 9002});
    c1.health.path = "/health";
    Generation g1(c1);
    take_down(g1.health(), 1);
    g1.health().record_success(0, 1500us);

    // A server added in front, weights, retries and the probe interval changed.
    auto c2 = upstream_of({9003, 9001, 9002});
    c2.health.path = "/health";
    c2.health.interval = 1s;
    c2.retries = 3;
    c2.servers[1].weight = 5;
    Generation g2(c2, &g1);
    auto now = SteadyClock::now();
    HealthTable& t = g2.health();
    EXPECT_EQ(t.state(2, now), ServerState::Down) << "the down server stays down";
    EXPECT_FALSE(t.available(2, now));
    EXPECT_EQ(t.state(0, now), ServerState::Up) << "the new server starts up";
    EXPECT_EQ(t.snapshot(now)[0].requests, 0u);
    EXPECT_EQ(t.snapshot(now)[1].requests, 1u) << "its counts carried over";
    EXPECT_EQ(t.snapshot(now)[1].latency_us, 1500);
    EXPECT_EQ(t.info(1).weight, 5u) << "the new generation's settings apply";
    EXPECT_EQ(&t.backend(1), &g1.health().backend(0));

    // Both generations see one state: a probe through the new one brings it up for the old.
    for (unsigned k = 0; k < t.params().rise; ++k) t.record_probe(2, true, now);
    EXPECT_TRUE(g1.health().available(1, now));
}

TEST(ReloadState, AStateTheNewChecksCouldNeverEndIsReinstatedWhenPublished) {
    auto c1 = upstream_of({9001, 9002});
    c1.health.path = "/health";
    Generation g1(c1);
    take_down(g1.health(), 1);
    for (int k = 0; k < 3; ++k) g1.health().record_failure(0, SteadyClock::now());
    ASSERT_EQ(g1.health().state(0, SteadyClock::now()), ServerState::Ejected);

    // Health checks kept: the down server stays down. One server: no ejection applies.
    auto c2 = upstream_of({9002});
    c2.health.path = "/health";
    Generation with_checks(c2, &g1);
    auto now = SteadyClock::now();
    EXPECT_EQ(with_checks.health().adopt(0, now), HealthEvent::None);
    EXPECT_EQ(with_checks.health().state(0, now), ServerState::Down);

    Generation single(upstream_of({9001}), &g1);
    EXPECT_EQ(single.health().adopt(0, now), HealthEvent::Reinstated);
    EXPECT_EQ(single.health().state(0, now), ServerState::Up);
    EXPECT_DOUBLE_EQ(single.health().ramp(0, now), 0.0) << "it ramps up again";

    // Checks off: nothing would ever probe the down server up.
    Generation without_checks(upstream_of({9001, 9002}), &g1);
    EXPECT_EQ(without_checks.health().adopt(1, now), HealthEvent::Reinstated);
    EXPECT_TRUE(without_checks.health().available(1, now));
}

TEST(ReloadState, ThePublishedGenerationTakesOverTheProbes) {
    Generation g1(upstream_of({9001, 9002}));
    g1.cluster().start();
    EXPECT_TRUE(g1.cluster().probes(0));
    Generation g2(upstream_of({9002, 9003}), &g1);
    EXPECT_TRUE(g1.cluster().probes(1)) << "built, not published: probes nothing yet";
    EXPECT_FALSE(g2.cluster().probes(0));
    g2.cluster().start();
    EXPECT_FALSE(g1.cluster().probes(1)) << "9002: the new generation probes it";
    EXPECT_TRUE(g2.cluster().probes(0));
    EXPECT_TRUE(g1.cluster().probes(0)) << "9001 dropped: the old generation's until it ends";
}

TEST(ReloadState, GenerationsShareInFlightCountsAndWaiters) {
    auto c1 = upstream_of({9001});
    c1.servers[0].max_connections = 1;
    Generation g1(c1);
    Generation g2(upstream_of({9001}), &g1);  // no limit now
    ConnectionGate& old_gate = g1.cluster().gate();
    ASSERT_TRUE(old_gate.try_acquire(0));
    int woken = 0;
    auto w = std::make_shared<GateWaiter>();
    w->server = 0;
    w->wake = [&woken] { ++woken; };
    ASSERT_EQ(old_gate.enqueue(w), ConnectionGate::Enqueue::Queued);

    ConnectionGate& new_gate = g2.cluster().gate();
    EXPECT_TRUE(new_gate.try_acquire(0)) << "no limit in the new generation";
    EXPECT_EQ(g2.health().active(0), 2u) << "one count for both generations";
    new_gate.release(0);  // hands its slot to the waiter of the old generation
    EXPECT_EQ(woken, 1);
    EXPECT_TRUE(old_gate.finish_wait(*w));
    EXPECT_EQ(g1.health().active(0), 2u);
    old_gate.release(0);
    old_gate.release(0);
    EXPECT_EQ(g1.health().active(0), 0u);
}

struct ReloadPoolTest : ::testing::Test {
    asio::io_context io;
    std::vector<int> peers;  // the app servers' ends

    ~ReloadPoolTest() override {
        for (int fd : peers) ::close(fd);
    }
    // A connection from `pool` to its backend `i`, as if its exchange had just ended.
    std::unique_ptr<Connection> connected(Pool& pool, std::size_t i) {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        auto c = pool.make(i);
        c->stream.socket().assign(tcp::v4(), fds[0]);
        peers.push_back(fds[1]);
        return c;
    }
    // Whether Larder's end of the connection whose app end is `peer` is closed.
    static bool closed(int peer) {
        char byte;
        return ::recv(peer, &byte, 1, MSG_DONTWAIT) == 0;
    }
};

TEST_F(ReloadPoolTest, KeptServersKeepTheirIdleConnectionsDroppedOnesClose) {
    Generation g1(upstream_of({9001, 9002}));
    Pool old_pool(io.get_executor(), g1.backends, g1.config);
    auto to_kept = connected(old_pool, 0);
    Connection* kept = to_kept.get();
    const int kept_peer = peers.back();
    old_pool.give_back(std::move(to_kept));
    old_pool.give_back(connected(old_pool, 1));
    const int dropped_peer = peers.back();
    auto in_flight = connected(old_pool, 1);  // a request of the old generation, still running

    // 9002 dropped, 9003 added in front: 9001 is now backend 1.
    Generation g2(upstream_of({9003, 9001}), &g1);
    Pool pool(io.get_executor(), g2.backends, g2.config, &old_pool);
    EXPECT_TRUE(closed(dropped_peer)) << "the dropped server's idle connection closed at once";
    EXPECT_EQ(g1.health().idle(1), 0u);
    EXPECT_EQ(pool.idle_count(0), 0u);
    ASSERT_EQ(pool.idle_count(1), 1u);
    EXPECT_EQ(g2.health().idle(1), 1u);

    old_pool.give_back(std::move(in_flight));  // its request ends: closed, not pooled
    EXPECT_TRUE(closed(peers.back()));
    EXPECT_EQ(g1.health().idle(1), 0u);

    auto reused = pool.take_idle(1);
    EXPECT_EQ(reused.get(), kept) << "the same connection, no new connect";
    EXPECT_FALSE(closed(kept_peer));
    EXPECT_EQ(reused->backend, 1u) << "numbered as the new generation numbers its server";
    pool.give_back(std::move(reused));
    EXPECT_EQ(pool.idle_count(1), 1u);

    // What the old generation gives back to a server both list is the new one's to take.
    old_pool.give_back(connected(old_pool, 0));
    EXPECT_EQ(pool.idle_count(1), 2u);
    EXPECT_EQ(g2.health().idle(1), 2u);
}

TEST_F(ReloadPoolTest, IdleConnectionsCloseWithTheLastPoolThatHoldsThem) {
    Generation g1(upstream_of({9001}));
    Generation g2(upstream_of({9001}), &g1);
    {
        auto old_pool = std::make_unique<Pool>(io.get_executor(), g1.backends, g1.config);
        old_pool->give_back(connected(*old_pool, 0));
        Pool pool(io.get_executor(), g2.backends, g2.config, old_pool.get());
        old_pool.reset();
        EXPECT_FALSE(closed(peers.back())) << "still the new pool's";
        EXPECT_EQ(g2.health().idle(0), 1u);
    }
    EXPECT_TRUE(closed(peers.back()));
    EXPECT_EQ(g2.health().idle(0), 0u);
}

}  // namespace
}  // namespace larder::upstream
