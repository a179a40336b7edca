// The parser with a body buffer: bodies past the threshold are spooled as they arrive (through
// the session-style feed that cuts body bytes out of the read buffer), the request views the
// complete body, and every way out of a request — complete and next, 413, parser destroyed
// mid-body, spool failure — closes the spool file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "larder/http/request_parser.hpp"

namespace larder::http {
namespace {

namespace fs = std::filesystem;
using State = RequestParser::State;

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

std::string body_of(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    return s;
}

// Feeds `bytes` in pieces of `piece` bytes the way server::Session does: body bytes already
// taken by the parser are cut from the buffer before the next read.
State feed(RequestParser& p, std::string& buffer, const std::string& bytes, std::size_t piece) {
    State s = State::Idle;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        buffer.append(bytes, at, piece);
        s = p.parse(buffer.data(), buffer.size());
        if (s == State::InBody && p.header_end() != 0 && p.header_end() <= buffer.size()) {
            buffer.resize(p.header_end());
            p.discard_body_bytes();
        }
        if (s == State::Complete || s == State::Error) break;
    }
    return s;
}

const ParserLimits kLimits{.max_header_size = 4096, .max_body_size = 1024 * 1024};
const SpoolSettings kSpool{.memory_limit = 1024, .directory = ""};

TEST(RequestParserSpool, BodyPastTheThresholdIsSpooledAndViewedWhole) {
    const std::size_t before = open_fds();
    RequestParser p(kLimits, kSpool);
    const std::string body = body_of(100'000);
    const std::string in = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n" + body;
    std::string buffer;
    ASSERT_EQ(feed(p, buffer, in, 4096), State::Complete);
    EXPECT_LT(buffer.size(), 4096u + 100) << "body bytes do not pile up in the read buffer";
    const BodyView& v = p.request().body;
    EXPECT_FALSE(v.in_memory());
    EXPECT_EQ(v.size(), body.size());
    EXPECT_EQ(v.to_string().value(), body);
    EXPECT_EQ(open_fds(), before + 1);
    p.start_next(p.consumed());
    EXPECT_EQ(open_fds(), before) << "the next request starts without the file";
    EXPECT_TRUE(p.request().body.empty());
}

TEST(RequestParserSpool, ChunkedBodyIsSpooledDechunked) {
    RequestParser p(kLimits, kSpool);
    const std::string a = body_of(3000), b = body_of(5000);
    const std::string in =
        "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n" + a +
        "\r\n1388\r\n" + b + "\r\n0\r\n\r\n";
    std::string buffer;
    ASSERT_EQ(feed(p, buffer, in, 777), State::Complete);
    EXPECT_FALSE(p.request().body.in_memory());
    EXPECT_EQ(p.request().body.to_string().value(), a + b);
}

TEST(RequestParserSpool, SmallBodyStaysInMemory) {
    const std::size_t before = open_fds();
    RequestParser p(kLimits, kSpool);
    const std::string in =
        "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + body_of(1024);
    std::string buffer;
    ASSERT_EQ(feed(p, buffer, in, 100), State::Complete);
    EXPECT_TRUE(p.request().body.in_memory());
    EXPECT_EQ(p.request().body.memory(), body_of(1024));
    EXPECT_EQ(open_fds(), before);
}

TEST(RequestParserSpool, OverTheLimitMidBodyIs413AndClosesTheFile) {
    const std::size_t before = open_fds();
    RequestParser p({.max_header_size = 4096, .max_body_size = 20'000}, kSpool);
    // Chunked: the size lines fit, the running total passes max_body_size at the third chunk.
    std::string in = "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) in += "2710\r\n" + body_of(10'000) + "\r\n";
    std::string buffer;
    ASSERT_EQ(feed(p, buffer, in, 4096), State::Error);
    EXPECT_EQ(p.error(), ParseError::BodyTooLarge);
    EXPECT_EQ(open_fds(), before) << "refused: the spool file is closed at once";
}

TEST(RequestParserSpool, ParserDestroyedMidBodyClosesTheFile) {
    const std::size_t before = open_fds();
    {
        RequestParser p(kLimits, kSpool);
        const std::string in =
            "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 500000\r\n\r\n" + body_of(50'000);
        std::string buffer;
        ASSERT_EQ(feed(p, buffer, in, 8192), State::InBody);
        EXPECT_EQ(p.body().size(), 50'000u);
        EXPECT_TRUE(p.body().spooled());
        EXPECT_EQ(open_fds(), before + 1);
    }  // the client went away
    EXPECT_EQ(open_fds(), before);
}

TEST(RequestParserSpool, SpoolFailureIs500WithItsOwnReason) {
    const std::size_t before = open_fds();
    RequestParser p(kLimits, {.memory_limit = 10, .directory = "/nonexistent-larder-spool"});
    const std::string in =
        "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + body_of(100);
    std::string buffer;
    ASSERT_EQ(feed(p, buffer, in, 4096), State::Error);
    EXPECT_EQ(p.error(), ParseError::BodySpoolFailed);
    EXPECT_EQ(status_for(p.error()), 500);
    EXPECT_EQ(to_string(p.error()), "request_body_spool_failed");
    EXPECT_EQ(p.body().last_error(), ENOENT);
    EXPECT_EQ(open_fds(), before);
}

}  // namespace
}  // namespace larder::http
