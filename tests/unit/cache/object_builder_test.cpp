#include "larder/cache/object_builder.hpp"

#include <gtest/gtest.h>

namespace larder::cache {
namespace {

using namespace std::chrono_literals;

TEST(ObjectBuilderTest, WritesEndToEndHeadersAndItsOwnContentLength) {
    obs::ManualClock clock;
    http::HeaderList h;
    h.add("Content-Type", "text/html; charset=utf-8");
    h.add("Connection", "keep-alive, X-Hop");
    h.add("Keep-Alive", "timeout=5");
    h.add("X-Hop", "only for this connection");
    h.add("Transfer-Encoding", "chunked");
    h.add("content-length", "999");
    h.add("Age", "12");
    h.add("Set-Cookie", "session=abc");
    h.add("Proxy-Connection", "close");
    h.add("TE", "trailers");
    h.add("Trailer", "X-Checksum");
    h.add("Upgrade", "h2c");
    h.add("Cache-Control", "public, max-age=60");
    h.add("X-Custom", "kept as sent");
    h.add("X-Request-Id", "the filling request's, echoed by the app");

    auto o = build_object("GET example.com/", 200, "OK", h, "hello", clock.now(), 60s, true,
                          "anonymous pages");
    EXPECT_EQ(o.head,
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/html; charset=utf-8\r\n"
              "Cache-Control: public, max-age=60\r\n"
              "X-Custom: kept as sent\r\n"
              "");
    EXPECT_EQ(o.head.capacity(), o.head.size());  // sized exactly
    EXPECT_EQ(o.body, "hello");
    EXPECT_EQ(o.key, "GET example.com/");
    EXPECT_EQ(o.status, 200);
    EXPECT_EQ(o.rule_name, "anonymous pages");
    EXPECT_EQ(o.stored_at, clock.now());
    EXPECT_EQ(o.expires_at, clock.now() + 60s);
}

TEST(ObjectBuilderTest, KeepsSetCookieUnlessStripping) {
    http::HeaderList h;
    h.add("Set-Cookie", "a=1");
    h.add("set-cookie", "b=2");
    auto o = build_object("k", 404, "Not Found", h, "", obs::TimePoint{}, 1s, false, "r");
    EXPECT_EQ(o.head,
              "HTTP/1.1 404 Not Found\r\n"
              "Set-Cookie: a=1\r\n"
              "set-cookie: b=2\r\n"
              "");
}

TEST(ObjectBuilderTest, FieldsNamedInAnyConnectionFieldAreHopByHop) {
    http::HeaderList h;
    for (int i = 0; i < 6; ++i) h.add("Connection", i == 5 ? "x-late" : "close");
    h.add("X-Late", "dropped");
    h.add("X-Kept", "kept");
    auto o = build_object("k", 200, "OK", h, "", obs::TimePoint{}, 1s, false, "r");
    EXPECT_EQ(o.head, "HTTP/1.1 200 OK\r\nX-Kept: kept\r\n");
    http::HeaderList few;
    few.add("connection", "close");
    few.add("Connection", "X-A, x-b");
    few.add("x-a", "1");
    few.add("X-B", "2");
    few.add("X-C", "3");
    o = build_object("k", 200, "OK", few, "", obs::TimePoint{}, 1s, false, "r");
    EXPECT_EQ(o.head, "HTTP/1.1 200 OK\r\nX-C: 3\r\n");
}

TEST(ObjectBuilderTest, DropsFieldsThatCouldSplitTheResponse) {
    http::HeaderList h;
    h.add("X-Evil", "a\r\nInjected: yes");
    h.add("X-Good", "fine");
    auto o = build_object("k", 200, "OK", h, "x", obs::TimePoint{}, 1s, false, "r");
    EXPECT_EQ(o.head, "HTTP/1.1 200 OK\r\nX-Good: fine\r\n");
}

TEST(ObjectBuilderTest, PackingLeavesLargeBodySlackBehind) {
    std::string body;
    body.reserve(1 << 20);
    body.assign(1000, 'z');
    auto o = build_object("k", 200, "OK", {}, std::move(body), obs::TimePoint{}, 1s, false, "r");
    // The packed object holds exactly its bytes, whatever the draft's buffer reserved.
    EXPECT_LT(Object::make(o)->charge(), 4000u);
}

}  // namespace
}  // namespace larder::cache
