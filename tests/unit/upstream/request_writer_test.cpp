// write_request(): the head and the body reach the app server byte for byte, from memory or
// from a spool file, and a second call (a retry on a fresh connection) sends the spooled body
// again from its start. The "app server" is the other end of an AF_UNIX socketpair, read by a
// coroutine on the same io_context: no network, no sleeps.
#include "larder/upstream/request_writer.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <string>

#include "larder/http/body_buffer.hpp"

namespace larder::upstream {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return s;
}

// Sends `head` + `body` through write_request() and returns what the peer read (up to the
// expected size, or until the writer closed).
std::string send_through_socket(std::string_view head, const http::BodyView& body,
                                WriteResult* result) {
    asio::io_context io;
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    boost::beast::tcp_stream stream(io);
    stream.socket().assign(tcp::v4(), fds[0]);
    asio::local::stream_protocol::socket peer(io, asio::local::stream_protocol(), fds[1]);
    const std::size_t expected = head.size() + body.size();
    std::string received(expected, '\0');
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            *result = co_await write_request(stream, head, body);
            stream.close();  // the peer's read ends, whatever was sent
        },
        asio::detached);
    std::size_t got = 0;
    asio::async_read(peer, asio::buffer(received), [&](auto, std::size_t n) { got = n; });
    io.run();
    received.resize(got);
    return received;
}

TEST(WriteRequest, BodyInMemoryGoesWithTheHead) {
    WriteResult result = WriteResult::Failed;
    const std::string body = "name=larder";
    auto got = send_through_socket("POST /f HTTP/1.1\r\n\r\n", http::BodyView(body), &result);
    EXPECT_EQ(result, WriteResult::Sent);
    EXPECT_EQ(got, "POST /f HTTP/1.1\r\n\r\nname=larder");
}

TEST(WriteRequest, SpooledBodyIsSentWholeAndAgainOnRetry) {
    const std::string body = pattern(3 * kBodyPiece + 123);
    http::BodyBuffer buffer({.memory_limit = 1000, .directory = ""});
    ASSERT_TRUE(buffer.append(body));
    ASSERT_TRUE(buffer.spooled());
    const http::BodyView view = buffer.view();
    const std::string head =
        "PUT /u HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    for (int attempt = 0; attempt < 2; ++attempt) {
        WriteResult result = WriteResult::Failed;
        auto got = send_through_socket(head, view, &result);
        EXPECT_EQ(result, WriteResult::Sent) << "attempt " << attempt;
        EXPECT_TRUE(got == head + body) << "attempt " << attempt << ": bytes differ";
    }
}

TEST(WriteRequest, EmptyBodySendsTheHeadOnly) {
    WriteResult result = WriteResult::Failed;
    auto got = send_through_socket("GET / HTTP/1.1\r\n\r\n", http::BodyView(), &result);
    EXPECT_EQ(result, WriteResult::Sent);
    EXPECT_EQ(got, "GET / HTTP/1.1\r\n\r\n");
}

TEST(WriteRequest, UnreadableSpoolFileIsItsOwnOutcome) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);  // pread() on a pipe fails (ESPIPE): a body that cannot be read
    WriteResult result = WriteResult::Sent;
    send_through_socket("POST / HTTP/1.1\r\n\r\n", http::BodyView(fds[0], 10), &result);
    EXPECT_EQ(result, WriteResult::BodyUnreadable);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(WriteRequest, PeerGoneIsFailed) {
    asio::io_context io;
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ::close(fds[1]);
    boost::beast::tcp_stream stream(io);
    stream.socket().assign(tcp::v4(), fds[0]);
    http::BodyBuffer buffer({.memory_limit = 10, .directory = ""});
    ASSERT_TRUE(buffer.append(pattern(1000)));
    WriteResult result = WriteResult::Sent;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            result = co_await write_request(stream, "POST / HTTP/1.1\r\n\r\n", buffer.view());
        },
        asio::detached);
    io.run();
    EXPECT_EQ(result, WriteResult::Failed);
}

}  // namespace
}  // namespace larder::upstream
