// The pool's invariant: a pooled connection has nothing to read. A connection with bytes no
// request asked for (buffered after a response, or arriving while it idles) or closed by the
// server is never pooled and never reused.
//
// The connections here are AF_UNIX socketpairs assigned to the pool's TCP sockets: in-process,
// no network, and a write or close on one end is visible on the other the moment it returns,
// so nothing waits or sleeps.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <string_view>

#include "larder/upstream/pool.hpp"

namespace larder::upstream {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using State = Connection::IdleState;

struct PoolTest : ::testing::Test {
    asio::io_context io;
    config::UpstreamConfig config;
    tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 8000};
    std::shared_ptr<Cluster> cluster = std::make_shared<Cluster>(
        config, std::vector<ServerInfo>{{"app:8000", 1, false, 0}}, std::vector{endpoint});
    std::vector<Backend> backends{{"app:8000", endpoint, 1, cluster}};
    Pool pool{io.get_executor(), backends, config};
    std::vector<int> peers;  // the app server's ends

    ~PoolTest() override {
        for (int fd : peers)
            if (fd >= 0) ::close(fd);
    }

    // A connection to backend 0 whose other end is peers.back().
    std::unique_ptr<Connection> connected() {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        auto c = pool.make(0);
        c->stream.socket().assign(tcp::v4(), fds[0]);
        peers.push_back(fds[1]);
        return c;
    }
    void peer_sends(std::string_view bytes) {
        ASSERT_EQ(::write(peers.back(), bytes.data(), bytes.size()),
                  static_cast<ssize_t>(bytes.size()));
    }
    void peer_closes() {
        ::close(peers.back());
        peers.back() = -1;
    }
    static void buffer_holds(Connection& c, std::string_view bytes) {
        auto space = c.buffer.prepare(bytes.size());
        asio::buffer_copy(space, asio::buffer(bytes));
        c.buffer.commit(bytes.size());
    }
};

TEST_F(PoolTest, QuietUntilTheServerSendsOrCloses) {
    auto c = connected();
    std::size_t unread = 99;
    EXPECT_EQ(c->idle_state(&unread), State::Quiet);
    EXPECT_EQ(unread, 0u);
    peer_sends("HTTP/1.1 200 OK\r\n");
    EXPECT_EQ(c->idle_state(&unread), State::Unread);
    EXPECT_EQ(unread, 17u);
    EXPECT_EQ(c->idle_state(), State::Unread) << "looking consumes nothing";

    auto d = connected();
    peer_closes();
    EXPECT_EQ(d->idle_state(), State::Closed);
}

TEST_F(PoolTest, BytesLeftInTheReadBufferAreUnread) {
    auto c = connected();
    buffer_holds(*c, "POISONED");
    std::size_t unread = 0;
    EXPECT_EQ(c->idle_state(&unread), State::Unread);
    EXPECT_EQ(unread, 8u);
    peer_closes();  // stray bytes and then a close: still stray bytes, whatever came after
    EXPECT_EQ(c->idle_state(), State::Unread);
}

TEST_F(PoolTest, ClosedSocketIsClosed) {
    auto c = pool.make(0);
    EXPECT_EQ(c->idle_state(), State::Closed);
}

TEST_F(PoolTest, QuietConnectionIsPooledAndReused) {
    auto c = connected();
    Connection* raw = c.get();
    pool.give_back(std::move(c));
    EXPECT_EQ(pool.idle_count(0), 1u);
    EXPECT_EQ(cluster->health().idle(0), 1u);
    EXPECT_EQ(pool.take_idle(0).get(), raw);
    EXPECT_EQ(cluster->health().idle(0), 0u);
}

TEST_F(PoolTest, BytesAfterTheResponseAreNeverPooled) {
    // Read past the response (in the buffer): refused at once.
    auto c = connected();
    buffer_holds(*c, "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\nPOISONED-BY-LEFTOVERS!");
    pool.give_back(std::move(c));
    EXPECT_EQ(pool.idle_count(0), 0u);

    // Still on the socket: giving back does not look (no system call), the take does, and the
    // connection is closed, never handed out.
    auto d = connected();
    peer_sends("extra");
    pool.give_back(std::move(d));
    EXPECT_EQ(pool.take_idle(0), nullptr);
    EXPECT_EQ(pool.idle_count(0), 0u);
    EXPECT_EQ(cluster->health().idle(0), 0u);
}

TEST_F(PoolTest, ConnectionClosedByTheServerIsNotPooled) {
    auto c = connected();
    peer_closes();
    pool.give_back(std::move(c));
    EXPECT_EQ(pool.take_idle(0), nullptr);
    EXPECT_EQ(pool.idle_count(0), 0u);
}

TEST_F(PoolTest, BytesArrivingWhileIdleDiscardTheConnection) {
    auto older = connected();
    Connection* kept = older.get();
    pool.give_back(std::move(older));
    auto newer = connected();
    pool.give_back(std::move(newer));
    EXPECT_EQ(pool.idle_count(0), 2u);
    peer_sends("HTTP/1.1 200 OK\r\n");  // on the newest, which take_idle would pick first
    EXPECT_EQ(pool.take_idle(0).get(), kept);
    EXPECT_EQ(pool.idle_count(0), 0u);
    EXPECT_EQ(cluster->health().idle(0), 0u);
}

TEST_F(PoolTest, ConnectionClosedWhileIdleIsNotReused) {
    auto c = connected();
    pool.give_back(std::move(c));
    peer_closes();  // the app server's keep-alive timeout
    EXPECT_EQ(pool.take_idle(0), nullptr);
    EXPECT_EQ(pool.idle_count(0), 0u);
    EXPECT_EQ(cluster->health().idle(0), 0u);
}

TEST_F(PoolTest, SweepClosesExpiredAndClosedConnectionsWithoutATake) {
    // Without it, a pool nobody takes from keeps its descriptors (in CLOSE_WAIT once the app
    // closed them) until the next request to that server.
    auto now = std::chrono::steady_clock::now();
    auto closed_by_app = connected();
    pool.give_back(std::move(closed_by_app));
    peer_closes();
    pool.give_back(connected());
    pool.close_stale(now);
    EXPECT_EQ(pool.idle_count(0), 1u);
    EXPECT_EQ(cluster->health().idle(0), 1u);
    pool.close_stale(now + config.idle_timeout / 2);
    EXPECT_EQ(pool.idle_count(0), 1u) << "not expired yet";
    pool.close_stale(now + config.idle_timeout + std::chrono::seconds(1));
    EXPECT_EQ(pool.idle_count(0), 0u);
    EXPECT_EQ(cluster->health().idle(0), 0u);
}

}  // namespace
}  // namespace larder::upstream
