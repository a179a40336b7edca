// The two limits on an app's response (exchange.hpp): upstream_timeout bounds the time spent
// waiting on the app for the whole response, however it trickles; upstream_read_timeout bounds
// its silence mid-response. Time the caller spends elsewhere between reads (a relay waiting on
// a slow client) is not charged to the app.
//
// The app server's end is an AF_UNIX socketpair behind a pooled connection, served by a thread
// of the test (it reads the request, then answers as told). The limits are short, and each test
// checks which limit ended the exchange, or that none did, never how long it took.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "larder/upstream/exchange.hpp"

namespace larder::upstream {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr std::string_view kRequest = "GET /slow HTTP/1.1\r\nHost: app\r\n\r\n";

struct ExchangeDeadlineTest : ::testing::Test {
    asio::io_context io;
    config::UpstreamConfig upstream;
    config::ServerConfig server;
    obs::Counters counters;
    tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 8000};
    std::shared_ptr<Cluster> cluster = std::make_shared<Cluster>(
        upstream, std::vector<ServerInfo>{{"app:8000", 1, false, 0}}, std::vector{endpoint});
    std::vector<Backend> backends{{"app:8000", endpoint, 1, cluster}};
    Pool pool{io.get_executor(), backends, upstream};
    int app = -1;  // the app server's end of the pooled connection
    std::thread app_thread;
    std::atomic<bool> stop{false};

    ExchangeDeadlineTest() {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        auto c = pool.make(0);
        c->stream.socket().assign(tcp::v4(), fds[0]);
        pool.give_back(std::move(c));
        app = fds[1];
    }
    ~ExchangeDeadlineTest() override {
        stop = true;
        ::shutdown(app, SHUT_RDWR);  // ends a recv() still waiting for the request
        if (app_thread.joinable()) app_thread.join();
        ::close(app);
    }

    bool app_sends(std::string_view bytes) {
        return ::send(app, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(bytes.size());
    }
    // The app: reads the request (a byte sent before it would make the pooled connection
    // unusable), sends `first`, then `rest` `piece` bytes at a time, `gap` apart, until done or
    // the exchange closed the connection.
    void answer(std::string first, std::string rest = "", std::size_t piece = 1,
                std::chrono::milliseconds gap = 0ms) {
        app_thread =
            std::thread([this, first = std::move(first), rest = std::move(rest), piece, gap] {
                std::string request;
                char buf[512];
                while (request.find("\r\n\r\n") == std::string::npos) {
                    ssize_t n = ::recv(app, buf, sizeof buf, 0);
                    if (n <= 0) return;
                    request.append(buf, static_cast<std::size_t>(n));
                }
                if (!app_sends(first)) return;
                for (std::size_t at = 0; at < rest.size() && !stop; at += piece) {
                    std::this_thread::sleep_for(gap);
                    if (!app_sends(std::string_view(rest).substr(at, piece))) return;
                }
            });
    }
    static std::string head(std::size_t content_length) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(content_length) + "\r\n\r\n";
    }

    struct Outcome {
        UpstreamError start = UpstreamError::None;
        UpstreamError body = UpstreamError::None;
        std::string bytes;
        bool done = false;
    };
    // Runs an exchange: start(), then read_body() to the end, pausing `pause` after the first
    // `pause_after` bytes (the relay waiting on its client).
    Outcome run(std::size_t pause_after = 0, std::chrono::milliseconds pause = 0ms) {
        Outcome out;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                Exchange exchange(pool, server, counters);
                OutgoingRequest request;
                request.head = kRequest;
                out.start = co_await exchange.start(request);
                if (out.start != UpstreamError::None) co_return;
                if (pause_after > 0) {
                    out.body = co_await exchange.read_body(out.bytes, pause_after);
                    asio::steady_timer timer(io, pause);
                    co_await timer.async_wait(asio::use_awaitable);
                }
                if (out.body == UpstreamError::None)
                    out.body = co_await exchange.read_body(out.bytes, 1 << 20);
                out.done = exchange.body_done();
                exchange.finish();
            },
            asio::detached);
        io.run();
        return out;
    }
};

TEST_F(ExchangeDeadlineTest, TrickledBodyEndsAtTheWholeResponseLimit) {
    // 200 KB in 20 KB pieces 50 ms apart: at least 500 ms in all, each 64 KiB read chunk filled
    // in about 150 ms, each silence far below the read limit. (The deadline used to restart for
    // every chunk, so this was delivered whole.)
    server.upstream_timeout = 300ms;
    server.upstream_read_timeout = 10s;
    const std::string body(200'000, 'x');
    answer(head(body.size()), body, 20'000, 50ms);
    Outcome o = run();
    EXPECT_EQ(o.start, UpstreamError::None);
    EXPECT_EQ(o.body, UpstreamError::ResponseTimeout);
    EXPECT_FALSE(o.done);
    EXPECT_LT(o.bytes.size(), body.size());
    EXPECT_EQ(to_string(o.body), "upstream_timeout");
}

TEST_F(ExchangeDeadlineTest, SilenceMidBodyEndsAtTheReadLimit) {
    server.upstream_timeout = 30s;
    server.upstream_read_timeout = 100ms;
    answer(head(1000) + std::string(500, 'x'));  // half, then nothing
    Outcome o = run();
    EXPECT_EQ(o.start, UpstreamError::None);
    EXPECT_EQ(o.body, UpstreamError::ReadTimeout);
    EXPECT_FALSE(o.done);
    EXPECT_EQ(o.bytes.size(), 500u);
    EXPECT_EQ(to_string(o.body), "upstream_read_timeout");
    EXPECT_EQ(status_for(o.body), 504);
}

TEST_F(ExchangeDeadlineTest, ReadLimitIsPerSilenceNotPerChunk) {
    // Six pieces 100 ms apart: 600 ms in all, each silence well under the 400 ms read limit.
    server.upstream_timeout = 30s;
    server.upstream_read_timeout = 400ms;
    const std::string body(600, 'y');
    answer(head(body.size()), body, 100, 100ms);
    Outcome o = run();
    EXPECT_EQ(o.body, UpstreamError::None);
    EXPECT_TRUE(o.done);
    EXPECT_EQ(o.bytes, body);
}

TEST_F(ExchangeDeadlineTest, TimeSpentAwayFromTheAppIsNotCharged) {
    // The whole response is there at once; the reader pauses longer than upstream_timeout
    // halfway (a slow client), and still gets the rest.
    server.upstream_timeout = 300ms;
    server.upstream_read_timeout = 300ms;
    const std::string body(200'000, 'z');
    answer(head(body.size()) + body);
    Outcome o = run(50'000, 500ms);
    EXPECT_EQ(o.body, UpstreamError::None);
    EXPECT_TRUE(o.done);
    EXPECT_EQ(o.bytes.size(), body.size());
}

TEST_F(ExchangeDeadlineTest, SlowHeadEndsAtTheWholeResponseLimit) {
    // The read limit applies once the head is in: a slow head is the whole-response limit's.
    server.upstream_timeout = 200ms;
    server.upstream_read_timeout = 50ms;
    answer("", "HTTP/1.1 200 OK\r\nX-Slow: 1\r\n", 5, 30ms);
    Outcome o = run();
    EXPECT_EQ(o.start, UpstreamError::ResponseTimeout);
}

}  // namespace
}  // namespace larder::upstream
