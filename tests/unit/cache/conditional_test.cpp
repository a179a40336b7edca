// Client conditionals against stored responses, revalidation headers, 304 merging and refresh.
#include "larder/cache/conditional.hpp"

#include <gtest/gtest.h>

#include "http_test_util.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;
using testing::date;
using testing::Headers;

TEST(EntityTags, WeakAndStrongComparison) {
    EXPECT_TRUE(weak_match("\"a\"", "\"a\""));
    EXPECT_TRUE(weak_match("W/\"a\"", "\"a\""));
    EXPECT_TRUE(weak_match("W/\"a\"", "W/\"a\""));
    EXPECT_FALSE(weak_match("\"a\"", "\"b\""));
    EXPECT_FALSE(weak_match("", ""));
    EXPECT_TRUE(strong_match("\"a\"", "\"a\""));
    EXPECT_FALSE(strong_match("W/\"a\"", "\"a\""));
}

TEST(EntityTags, IfNoneMatchLists) {
    EXPECT_TRUE(if_none_match_matches("*", "\"x\""));
    EXPECT_TRUE(if_none_match_matches("*", ""));
    EXPECT_TRUE(if_none_match_matches("\"a\", W/\"x\"", "\"x\""));
    EXPECT_TRUE(if_none_match_matches("\"a,b\", \"x\"", "\"x\""));
    EXPECT_FALSE(if_none_match_matches("\"a,b\"", "\"a\""));
    EXPECT_FALSE(if_none_match_matches("\"a\"", ""));
}

struct ConditionalTest : ::testing::Test {
    obs::ManualClock clock;
    obs::TimePoint t0 = clock.now();
    Headers stored;
    Headers req;
    HttpPolicyOptions opts;

    ObjectPtr store(int status = 200) {
        ResponseInput in{.status = status,
                         .response_headers = &stored.list(),
                         .body_size = 5,
                         .request_time = t0,
                         .response_time = t0};
        auto v = evaluate_response(in, opts);
        EXPECT_TRUE(v.storable());
        return Object::make(
            build_http_object("http://h/p", status, "OK", stored, "hello", v, false, "r"));
    }
    ClientCondition eval(const Object& o, http::Method m = http::Method::Get) {
        return evaluate_conditional(m, req, o.status, o.meta, o.etag());
    }
};

TEST_F(ConditionalTest, IfNoneMatch) {
    stored.add("ETag", "\"v1\"").add("Cache-Control", "max-age=60");
    auto o = store();
    EXPECT_EQ(eval(*o), ClientCondition::Full);
    req.add("If-None-Match", "W/\"v1\"");
    EXPECT_EQ(eval(*o), ClientCondition::NotModified);
}

TEST_F(ConditionalTest, IfNoneMatchMismatchIgnoresIfModifiedSince) {
    stored.add("ETag", "\"v1\"")
        .add("Last-Modified", date(t0 - 100s))
        .add("Cache-Control", "max-age=60");
    auto o = store();
    req.add("If-None-Match", "\"v0\"").add("If-Modified-Since", date(t0));
    EXPECT_EQ(eval(*o), ClientCondition::Full);
}

TEST_F(ConditionalTest, IfNoneMatchStar) {
    stored.add("Cache-Control", "max-age=60");
    auto o = store();
    req.add("If-None-Match", "*");
    EXPECT_EQ(eval(*o), ClientCondition::NotModified);
}

TEST_F(ConditionalTest, IfModifiedSince) {
    stored.add("Last-Modified", date(t0 - 100s)).add("Cache-Control", "max-age=60");
    auto o = store();
    req.add("If-Modified-Since", date(t0 - 100s));
    EXPECT_EQ(eval(*o), ClientCondition::NotModified);
    Headers older;
    older.add("If-Modified-Since", date(t0 - 101s));
    EXPECT_EQ(evaluate_conditional(http::Method::Get, older, 200, o->meta, o->etag()),
              ClientCondition::Full);
}

TEST_F(ConditionalTest, IfModifiedSinceFallsBackToDateThenResponseTime) {
    stored.add("Date", date(t0 - 50s)).add("Cache-Control", "max-age=60");
    auto o = store();
    req.add("If-Modified-Since", date(t0 - 50s));
    EXPECT_EQ(eval(*o), ClientCondition::NotModified);
    Headers none;
    none.add("Cache-Control", "max-age=60");
    stored = Headers{};
    stored.add("Cache-Control", "max-age=60");
    auto o2 = store();
    EXPECT_EQ(eval(*o2), ClientCondition::Full);  // received at t0, IMS is t0 - 50s
}

TEST_F(ConditionalTest, IfModifiedSinceInvalidDateIgnored) {
    stored.add("Last-Modified", date(t0 - 100s)).add("Cache-Control", "max-age=60");
    auto o = store();
    req.add("If-Modified-Since", "yesterday");
    EXPECT_EQ(eval(*o), ClientCondition::Full);
}

TEST_F(ConditionalTest, IfModifiedSinceOnlyForGetAndHead) {
    stored.add("Last-Modified", date(t0 - 100s)).add("Cache-Control", "max-age=60");
    auto o = store();
    req.add("If-Modified-Since", date(t0));
    EXPECT_EQ(eval(*o, http::Method::Head), ClientCondition::NotModified);
    EXPECT_EQ(eval(*o, http::Method::Post), ClientCondition::Full);
}

TEST_F(ConditionalTest, OnlyFor2xxStored) {
    stored.add("ETag", "\"v1\"").add("Cache-Control", "max-age=60");
    auto o = store(404);
    req.add("If-None-Match", "\"v1\"");
    EXPECT_EQ(eval(*o), ClientCondition::Full);
}

TEST_F(ConditionalTest, NotModifiedHeadCarriesTheRightFields) {
    stored.add("ETag", "\"v1\"")
        .add("Cache-Control", "max-age=60")
        .add("Date", date(t0))
        .add("Vary", "Accept-Encoding")
        .add("Content-Type", "text/html")
        .add("X-Custom", "1");
    auto o = store();
    const std::string head = not_modified_head(*o);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 304 Not Modified\r\n"));
    EXPECT_NE(head.find("ETag: \"v1\"\r\n"), std::string::npos);
    EXPECT_NE(head.find("Cache-Control: max-age=60\r\n"), std::string::npos);
    EXPECT_NE(head.find("Vary: Accept-Encoding\r\n"), std::string::npos);
    EXPECT_NE(head.find("Date: "), std::string::npos);
    EXPECT_EQ(head.find("Content-Type"), std::string::npos);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
    EXPECT_EQ(head.find("X-Custom"), std::string::npos);
    EXPECT_FALSE(head.ends_with("\r\n\r\n"));
}

TEST_F(ConditionalTest, ParseHead) {
    auto p = parse_head("HTTP/1.1 404 Not Found\r\nA: 1\r\nB:  two words \r\n");
    EXPECT_EQ(p.status, 404);
    EXPECT_EQ(p.reason, "Not Found");
    ASSERT_EQ(p.headers.size(), 2u);
    EXPECT_EQ(p.headers.get("b"), "two words");
}

TEST_F(ConditionalTest, RevalidationHeaders) {
    stored.add("ETag", "\"v1\"")
        .add("Last-Modified", date(t0 - 100s))
        .add("Cache-Control", "max-age=60");
    auto o = store();
    auto rh = revalidation_headers(*o);
    ASSERT_EQ(rh.size(), 2u);
    EXPECT_EQ(rh[0], (std::pair<std::string, std::string>{"If-None-Match", "\"v1\""}));
    EXPECT_EQ(rh[1], (std::pair<std::string, std::string>{"If-Modified-Since", date(t0 - 100s)}));
    EXPECT_TRUE(revalidation_headers(Meta{}, "").empty());
}

TEST_F(ConditionalTest, NotModifiedApplies) {
    stored.add("ETag", "\"v1\"").add("Cache-Control", "max-age=60");
    auto o = store();
    Headers same, weak, other, none;
    same.add("ETag", "\"v1\"");
    weak.add("ETag", "W/\"v1\"");
    other.add("ETag", "\"v2\"");
    EXPECT_TRUE(not_modified_applies(*o, same));
    EXPECT_TRUE(not_modified_applies(*o, weak));
    EXPECT_FALSE(not_modified_applies(*o, other));
    EXPECT_TRUE(not_modified_applies(*o, none));
    EXPECT_FALSE(not_modified_applies(std::string_view{}, same));
}

TEST_F(ConditionalTest, MergeReplacesAllOfANameAndKeepsFraming) {
    Headers old, nm;
    old.add("Content-Type", "text/html")
        .add("X-A", "1")
        .add("X-A", "2")
        .add("Content-Length", "5")
        .add("ETag", "\"v1\"");
    nm.add("X-A", "3")
        .add("Content-Length", "0")
        .add("Set-Cookie", "s=1")
        .add("Cache-Control", "max-age=100")
        .add("Connection", "X-Hop")
        .add("X-Hop", "h");
    auto m = merge_not_modified(old, nm);
    EXPECT_EQ(m.count("x-a"), 1u);
    EXPECT_EQ(m.get("x-a"), "3");
    EXPECT_EQ(m.get("content-length"), "5");
    EXPECT_EQ(m.get("content-type"), "text/html");
    EXPECT_EQ(m.get("cache-control"), "max-age=100");
    EXPECT_FALSE(m.contains("set-cookie"));
    EXPECT_FALSE(m.contains("x-hop"));
    EXPECT_FALSE(m.contains("connection"));
    EXPECT_EQ(m.get("etag"), "\"v1\"");
}

TEST_F(ConditionalTest, RefreshFromNotModified) {
    stored.add("ETag", "\"v1\"")
        .add("Cache-Control", "max-age=60")
        .add("X-Version", "old")
        .add("Date", date(t0));
    auto o = store();
    clock.advance(120s);  // stale now
    const auto t1 = clock.now();
    Headers nm;
    nm.add("ETag", "\"v1\"")
        .add("Cache-Control", "max-age=300")
        .add("X-Version", "new")
        .add("Date", date(t1));
    auto r = refresh_from_not_modified(*o, nm, t1, t1, opts);
    ASSERT_FALSE(r.refusal);
    EXPECT_EQ(r.object.key, "http://h/p");
    EXPECT_EQ(r.object.body, "hello");
    EXPECT_EQ(r.object.status, 200);
    EXPECT_NE(r.object.head.find("X-Version: new\r\n"), std::string::npos);
    EXPECT_EQ(r.object.head.find("X-Version: old"), std::string::npos);
    EXPECT_EQ(r.object.head.find("Content-Length"), std::string::npos);  // framing is per response
    EXPECT_EQ(r.object.body.size(), 5u);
    EXPECT_EQ(r.object.meta.freshness_lifetime, 300s);
    EXPECT_TRUE(is_fresh(r.object.meta, t1 + 299s));
    EXPECT_EQ(r.object.expires_at, t1 + 300s);
}

TEST_F(ConditionalTest, RefreshCountsTheNotModifiedAge) {
    stored.add("ETag", "\"v1\"").add("Cache-Control", "max-age=60");
    auto o = store();
    Headers nm;
    nm.add("Age", "50");
    auto r = refresh_from_not_modified(*o, nm, t0, t0, opts);
    EXPECT_EQ(r.object.meta.corrected_initial_age, 50s);
    EXPECT_EQ(r.object.head.find("Age:"), std::string::npos);
}

TEST_F(ConditionalTest, RefreshThatBecomesUnstorable) {
    stored.add("ETag", "\"v1\"").add("Cache-Control", "max-age=60");
    auto o = store();
    Headers nm;
    nm.add("Cache-Control", "no-store");
    auto r = refresh_from_not_modified(*o, nm, t0, t0, opts);
    EXPECT_EQ(r.refusal, NoCacheReason::CacheControlNoStore);
    ASSERT_EQ(r.object.status, 200);
    EXPECT_TRUE(r.object.key.empty());
    EXPECT_EQ(r.object.body, "hello");
}

TEST_F(ConditionalTest, RefreshUnderRuleTtl) {
    stored.add("ETag", "\"v1\"").add("Cache-Control", "max-age=60");
    auto o = store();
    Headers nm;
    nm.add("Cache-Control", "no-cache");
    auto r = refresh_from_not_modified(*o, nm, t0, t0, opts, std::chrono::milliseconds{30000});
    EXPECT_FALSE(r.refusal);
    EXPECT_EQ(r.object.expires_at, t0 + 30s);
    EXPECT_FALSE(r.object.meta.no_cache);
}

}  // namespace
}  // namespace larder::cache
