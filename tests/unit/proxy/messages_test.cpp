// The bytes Larder writes around relayed responses: the forwarded request head, the
// per-response tail, streamed heads and Larder's own error answers.
#include "larder/proxy/messages.hpp"

#include <gtest/gtest.h>

#include <string>

#include "larder/http/request_parser.hpp"

using namespace larder;
using proxy::CacheStatus;

namespace {

// Parses `raw` (kept alive by the caller) into a request.
const http::Request& parse(http::RequestParser& parser, const std::string& raw) {
    EXPECT_EQ(parser.parse(raw.data(), raw.size()), http::RequestParser::State::Complete);
    return parser.request();
}

}  // namespace

TEST(ForwardHead, DropsHopByHopAndAddsForwardingFields) {
    http::RequestParser parser({});
    const std::string raw =
        "POST /form?x=1 HTTP/1.1\r\nHost: app\r\nConnection: keep-alive, X-Secret\r\n"
        "X-Secret: drop me\r\nKeep-Alive: 5\r\nTE: trailers\r\nUpgrade: h2c\r\n"
        "Expect: 100-continue\r\nX-Forwarded-For: 10.0.0.1\r\nVia: 1.0 edge\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    std::string head = proxy::forward_head(parse(parser, raw), "127.0.0.2", false);
    EXPECT_EQ(head.rfind("POST /form?x=1 HTTP/1.1\r\n", 0), 0u) << head;
    for (const char* gone :
         {"Connection:", "X-Secret", "Keep-Alive", "TE:", "Upgrade", "Expect", "Transfer-Encoding"})
        EXPECT_EQ(head.find(gone), std::string::npos) << gone << " in\n" << head;
    EXPECT_NE(head.find("Host: app\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Forwarded-For: 10.0.0.1, 127.0.0.2\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Forwarded-Proto: http\r\n"), std::string::npos);
    EXPECT_NE(head.find("Via: 1.0 edge, 1.1 larder\r\n"), std::string::npos);
    EXPECT_NE(head.find("Content-Length: 3\r\n"), std::string::npos);  // de-chunked body
    EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

TEST(ForwardHead, ConnectionCannotRemoveHost) {
    http::RequestParser parser({});
    const std::string raw =
        "POST /p HTTP/1.1\r\nHost: tenant.example\r\nConnection: Host, Content-Length, X-A\r\n"
        "X-A: 1\r\nContent-Length: 2\r\n\r\nok";
    std::string head = proxy::forward_head(parse(parser, raw), "127.0.0.2", false);
    EXPECT_EQ(head,
              "POST /p HTTP/1.1\r\nHost: tenant.example\r\nX-Forwarded-For: 127.0.0.2\r\n"
              "X-Forwarded-Proto: http\r\nVia: 1.1 larder\r\nContent-Length: 2\r\n\r\n");
}

TEST(ForwardHead, UnderscoreSpellingsOfFieldsLarderWritesAreRemoved) {
    http::RequestParser parser({});
    const std::string raw =
        "GET /u HTTP/1.1\r\nHost: app\r\nX_Forwarded_For: 6.6.6.6\r\nx_forwarded_proto: https\r\n"
        "Keep_Alive: 5\r\nVia_: kept\r\nX_Other: kept\r\n\r\n";
    std::string head = proxy::forward_head(parse(parser, raw), "127.0.0.2", false);
    EXPECT_EQ(head,
              "GET /u HTTP/1.1\r\nHost: app\r\nVia_: kept\r\nX_Other: kept\r\n"
              "X-Forwarded-For: 127.0.0.2\r\nX-Forwarded-Proto: http\r\nVia: 1.1 larder\r\n\r\n");
}

TEST(ForwardHead, AnUpgradeRequestIsForwardedWithoutUpgrade) {
    http::RequestParser parser({});
    const std::string raw =
        "GET /a HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    std::string head = proxy::forward_head(parse(parser, raw), "127.0.0.2", false);
    EXPECT_EQ(head,
              "GET /a HTTP/1.1\r\nHost: app\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "X-Forwarded-For: 127.0.0.2\r\nX-Forwarded-Proto: http\r\nVia: 1.1 larder\r\n\r\n");
}

TEST(ForwardHead, HeadMayBeSentAsGetAndAbsoluteFormBecomesOriginForm) {
    http::RequestParser parser({});
    const std::string raw = "HEAD http://app:8080/page?q=2 HTTP/1.1\r\nHost: app\r\n\r\n";
    std::string head = proxy::forward_head(parse(parser, raw), "::1", true);
    EXPECT_EQ(head.rfind("GET /page?q=2 HTTP/1.1\r\n", 0), 0u) << head;
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(ResponseTail, HitWithAgeAndClose) {
    std::string tail;
    proxy::append_response_tail(tail, {.status = CacheStatus::Hit,
                                       .reason = "pages",
                                       .debug_headers = true,
                                       .age = 42,
                                       .keep_alive = false});
    EXPECT_EQ(tail,
              "Age: 42\r\nVia: 1.1 larder\r\nX-Cache: HIT\r\nX-Cache-Reason: pages\r\n"
              "Connection: close\r\n\r\n");
}

TEST(ResponseTail, ReasonOnlyWithDebugHeadersAndKeepAliveForHttp10) {
    std::string tail;
    proxy::append_response_tail(tail, {.status = CacheStatus::HitForPass,
                                       .reason = "pages",
                                       .debug_headers = false,
                                       .keep_alive = true,
                                       .http10_client = true});
    EXPECT_EQ(tail, "Via: 1.1 larder\r\nX-Cache: HIT-FOR-PASS\r\nConnection: keep-alive\r\n\r\n");
}

TEST(StreamingHead, KnownLengthOrChunked) {
    http::HeaderList headers;
    headers.add("Content-Type", "text/plain");
    headers.add("Content-Length", "999");
    headers.add("Transfer-Encoding", "chunked");
    headers.add("Set-Cookie", "a=1");
    EXPECT_EQ(proxy::streaming_head(200, "OK", headers, 12, true),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n");
    EXPECT_EQ(proxy::streaming_head(200, "OK", headers, std::nullopt, false),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\n"
              "Transfer-Encoding: chunked\r\n");
}

TEST(ErrorResponse, ShortPlainTextWithReasonAndFraming) {
    std::string r = proxy::error_response(502, "upstream_connect_failed", false, true);
    EXPECT_EQ(r.rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u);
    EXPECT_NE(r.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
    EXPECT_NE(r.find("X-Cache: ERROR\r\n"), std::string::npos);
    EXPECT_NE(r.find("X-Cache-Reason: upstream_connect_failed\r\n"), std::string::npos);
    EXPECT_EQ(r.find("Connection: close"), std::string::npos);
    const std::string body = "Bad Gateway: upstream_connect_failed\n";
    EXPECT_EQ(r.substr(r.size() - body.size()), body);
    EXPECT_NE(r.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);

    std::string quiet = proxy::error_response(400, "malformed_request", true, false);
    EXPECT_EQ(quiet.find("X-Cache-Reason"), std::string::npos);
    EXPECT_NE(quiet.find("Connection: close\r\n"), std::string::npos);
    EXPECT_NE(proxy::error_response(405, "connect_not_supported", true).find("Allow: GET"),
              std::string::npos);
}

TEST(RequestId, ForwardHeadReplacesTheClientsField) {
    http::RequestParser parser({});
    const std::string raw =
        "GET /r HTTP/1.1\r\nHost: app\r\nX-Request-Id: client\r\nX_Request_Id: other\r\n\r\n";
    std::string head = proxy::forward_head(parse(parser, raw), "127.0.0.2", false, "abc123");
    EXPECT_EQ(head,
              "GET /r HTTP/1.1\r\nHost: app\r\nX-Forwarded-For: 127.0.0.2\r\n"
              "X-Forwarded-Proto: http\r\nVia: 1.1 larder\r\nX-Request-Id: abc123\r\n\r\n");
}

TEST(RequestId, TailAndErrorsCarryIt) {
    std::string tail;
    proxy::append_response_tail(tail, {.content_length = std::nullopt,
                                       .status = CacheStatus::Hit,
                                       .reason = {},
                                       .debug_headers = false,
                                       .age = std::nullopt,
                                       .keep_alive = true,
                                       .http10_client = false,
                                       .request_id = "abc123"});
    EXPECT_EQ(tail, "Via: 1.1 larder\r\nX-Cache: HIT\r\nX-Request-Id: abc123\r\n\r\n");
    std::string error = proxy::error_response(400, "malformed_request", true, false, "abc123");
    EXPECT_NE(error.find("\r\nX-Request-Id: abc123\r\n"), std::string::npos) << error;
}

TEST(RequestId, StreamingHeadLeavesOutTheAppsEcho) {
    http::HeaderList fields;
    fields.add("Content-Type", "text/plain");
    fields.add("X-Request-Id", "from-the-app");
    std::string head = proxy::streaming_head(200, "OK", fields, 5, false);
    EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n");
}
