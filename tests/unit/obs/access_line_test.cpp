// obs::AccessLineFormatter: both formats, every field, and hostile bytes that must not break the
// line.
#include "larder/obs/access_line.hpp"

#include <gtest/gtest.h>

using namespace larder::obs;
using namespace std::chrono;

namespace {

// 2026-12-01T15:14:59.123Z
system_clock::time_point sample_time() {
    return system_clock::time_point(seconds(1796138099) + milliseconds(123));
}

AccessRecord sample() {
    return AccessRecord{.time = sample_time(),
                        .address = "127.0.0.1:40312",
                        .method = "GET",
                        .target = "/logged?x=1",
                        .status = 200,
                        .bytes = 312,
                        .referer = "http://example.com/",
                        .user_agent = "curl/8.0",
                        .total_us = 812,
                        .upstream_us = 640,
                        .cache = "MISS",
                        .reason = "pages",
                        .host = "example.com",
                        .request_id = "5f3a9c0e12ab34cd000000000000002a"};
}

}  // namespace

TEST(AccessLine, FormatNames) {
    EXPECT_EQ(log_format_from_string("text"), LogFormat::Text);
    EXPECT_EQ(log_format_from_string("json"), LogFormat::Json);
    EXPECT_FALSE(log_format_from_string("combined").has_value());
}

TEST(AccessLine, Text) {
    AccessLineFormatter f(LogFormat::Text);
    EXPECT_EQ(f.format(sample()),
              "127.0.0.1:40312 - - [2026-12-01T15:14:59.123Z] \"GET /logged?x=1 HTTP/1.1\" 200 312 "
              "\"http://example.com/\" \"curl/8.0\" total_us=812 upstream_us=640 MISS pages "
              "host=example.com id=5f3a9c0e12ab34cd000000000000002a");
}

TEST(AccessLine, Json) {
    AccessLineFormatter f(LogFormat::Json);
    EXPECT_EQ(f.format(sample()),
              "{\"time\":\"2026-12-01T15:14:59.123Z\",\"address\":\"127.0.0.1:40312\","
              "\"method\":\"GET\",\"target\":\"/logged?x=1\",\"protocol\":\"HTTP/1.1\","
              "\"status\":200,\"bytes\":312,\"referer\":\"http://example.com/\","
              "\"user_agent\":\"curl/8.0\",\"total_us\":812,\"upstream_us\":640,\"cache\":\"MISS\","
              "\"reason\":\"pages\",\"host\":\"example.com\","
              "\"request_id\":\"5f3a9c0e12ab34cd000000000000002a\"}");
}

TEST(AccessLine, AbsentFields) {
    AccessRecord r;  // a request that never parsed: no request line, no fields
    r.time = sample_time();
    r.address = "10.0.0.1:1";
    r.status = 400;
    r.cache = "ERROR";
    r.reason = "malformed";
    r.request_id = "abc";
    AccessLineFormatter text(LogFormat::Text);
    EXPECT_EQ(text.format(r),
              "10.0.0.1:1 - - [2026-12-01T15:14:59.123Z] \"-\" 400 0 \"-\" \"-\" total_us=0 "
              "upstream_us=-1 ERROR malformed host=- id=abc");
    AccessLineFormatter json(LogFormat::Json);
    std::string_view line = json.format(r);
    EXPECT_NE(line.find("\"method\":null"), std::string_view::npos) << line;
    EXPECT_NE(line.find("\"user_agent\":null"), std::string_view::npos) << line;
    EXPECT_NE(line.find("\"upstream_us\":null"), std::string_view::npos) << line;
    EXPECT_NE(line.find("\"host\":null"), std::string_view::npos) << line;
}

TEST(AccessLine, HostileBytesAreEscaped) {
    AccessRecord r = sample();
    const std::string ua = "evil\" \\ \r\n{\"x\":1}\t\x01\x7f\xc3\xa9";
    r.user_agent = ua;
    r.reason = "rule with spaces";
    r.host = "a\"b";
    AccessLineFormatter text(LogFormat::Text);
    std::string t(text.format(r));
    EXPECT_EQ(t.find('\n'), std::string::npos);
    EXPECT_EQ(t.find('\r'), std::string::npos);
    EXPECT_NE(t.find("\"evil\\\" \\\\ \\x0d\\x0a{\\\"x\\\":1}\\x09\\x01\\x7f\\xc3\\xa9\""),
              std::string::npos)
        << t;
    EXPECT_NE(t.find(" \"rule with spaces\" host=\"a\\\"b\" "), std::string::npos) << t;

    AccessLineFormatter json(LogFormat::Json);
    std::string j(json.format(r));
    for (unsigned char c : j) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << j;
    EXPECT_NE(j.find("\"user_agent\":\"evil\\\" \\\\ \\r\\n{\\\"x\\\":1}\\t\\u0001\\u007f\\u00c3"
                     "\\u00a9\""),
              std::string::npos)
        << j;
}

TEST(AccessLine, TimeIsCachedPerSecondButMillisecondsMove) {
    AccessLineFormatter f(LogFormat::Json);
    AccessRecord r = sample();
    EXPECT_NE(std::string(f.format(r)).find("15:14:59.123Z"), std::string::npos);
    r.time += milliseconds(5);
    EXPECT_NE(std::string(f.format(r)).find("15:14:59.128Z"), std::string::npos);
    r.time += seconds(61);
    EXPECT_NE(std::string(f.format(r)).find("15:16:00.128Z"), std::string::npos);
}
