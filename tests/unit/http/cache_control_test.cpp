#include "larder/http/cache_control.hpp"

#include <gtest/gtest.h>

namespace larder::http {
namespace {

TEST(CacheControlTest, FlagsAndNumbers) {
    auto cc = parse_cache_control("public, max-age=60, s-maxage=30, must-revalidate, immutable");
    EXPECT_FALSE(cc.empty);
    EXPECT_TRUE(cc.public_);
    EXPECT_TRUE(cc.must_revalidate);
    EXPECT_TRUE(cc.immutable);
    EXPECT_FALSE(cc.no_store);
    EXPECT_FALSE(cc.private_);
    EXPECT_EQ(cc.max_age, 60u);
    EXPECT_EQ(cc.s_maxage, 30u);
    EXPECT_EQ(cc.stale_while_revalidate, std::nullopt);
}

TEST(CacheControlTest, EmptyAndUnknown) {
    EXPECT_TRUE(parse_cache_control("").empty);
    EXPECT_TRUE(parse_cache_control(" , ,, ").empty);
    auto cc = parse_cache_control("x-ext=\"a, b\", foo");
    EXPECT_TRUE(cc.empty);
}

TEST(CacheControlTest, NamesAreCaseInsensitiveAndWhitespaceTolerated) {
    auto cc = parse_cache_control("  NO-STORE ,\tPrivate , Max-Age = 5 ");
    EXPECT_TRUE(cc.no_store);
    EXPECT_TRUE(cc.private_);
    EXPECT_EQ(cc.max_age, 5u);
}

TEST(CacheControlTest, CommasInsideQuotedStringsDoNotSplit) {
    auto cc = parse_cache_control("ext=\"no-store, private\", max-age=10");
    EXPECT_FALSE(cc.no_store);
    EXPECT_FALSE(cc.private_);
    EXPECT_EQ(cc.max_age, 10u);
    auto esc = parse_cache_control(R"(ext="a \" , no-store", public)");
    EXPECT_FALSE(esc.no_store);
    EXPECT_TRUE(esc.public_);
}

TEST(CacheControlTest, FieldListsOnPrivateAndNoCache) {
    auto cc = parse_cache_control("private=\"Set-Cookie, X-User\", no-cache=Authorization");
    EXPECT_TRUE(cc.private_);
    EXPECT_TRUE(cc.private_has_fields);
    EXPECT_EQ(cc.private_fields, "Set-Cookie, X-User");
    EXPECT_TRUE(cc.no_cache);
    EXPECT_TRUE(cc.no_cache_has_fields);
    EXPECT_EQ(cc.no_cache_fields, "Authorization");
    auto bare = parse_cache_control("no-cache, private");
    EXPECT_TRUE(bare.no_cache);
    EXPECT_FALSE(bare.no_cache_has_fields);
    EXPECT_FALSE(bare.private_has_fields);
}

TEST(CacheControlTest, DuplicatesTakeTheSmallestValue) {
    EXPECT_EQ(parse_cache_control("max-age=60, max-age=10, max-age=30").max_age, 10u);
    HeaderList h;
    h.add("Cache-Control", "max-age=300, stale-if-error=100");
    h.add("Content-Type", "text/plain");
    h.add("cache-control", "max-age=120, stale-if-error=50, stale-while-revalidate=7");
    auto cc = parse_cache_control(h);
    EXPECT_EQ(cc.max_age, 120u);
    EXPECT_EQ(cc.stale_if_error, 50u);
    EXPECT_EQ(cc.stale_while_revalidate, 7u);
}

TEST(CacheControlTest, MalformedNumbersAreInvalid) {
    for (auto v : {"max-age=", "max-age", "max-age=-1", "max-age=10x", "max-age=1.5",
                   "max-age=\"\"", "max-age=abc", "max-age=1 2", "max-age=\"12"}) {
        auto cc = parse_cache_control(v);
        EXPECT_EQ(cc.max_age, std::nullopt) << v;
        EXPECT_TRUE(cc.max_age_malformed) << v;
    }
    // A malformed duplicate neither wins nor hides a valid one, but is still reported.
    auto cc = parse_cache_control("max-age=abc, max-age=40");
    EXPECT_EQ(cc.max_age, 40u);
    EXPECT_TRUE(cc.max_age_malformed);
    auto swr = parse_cache_control("stale-while-revalidate=soon, s-maxage=x");
    EXPECT_TRUE(swr.stale_while_revalidate_malformed);
    EXPECT_TRUE(swr.s_maxage_malformed);
    EXPECT_FALSE(swr.max_age_malformed);
}

TEST(CacheControlTest, QuotedNumbersAreAcceptedAndHugeValuesSaturate) {
    EXPECT_EQ(parse_cache_control("max-age=\"45\"").max_age, 45u);
    EXPECT_EQ(parse_cache_control("max-age=99999999999999999999").max_age, kDeltaSecondsMax);
    EXPECT_EQ(parse_cache_control("max-age=0").max_age, 0u);
}

TEST(CacheControlTest, RequestDirectives) {
    auto cc = parse_cache_control("max-stale, min-fresh=20, only-if-cached");
    EXPECT_TRUE(cc.max_stale_any);
    EXPECT_EQ(cc.max_stale, std::nullopt);
    EXPECT_EQ(cc.min_fresh, 20u);
    EXPECT_TRUE(cc.only_if_cached);
    EXPECT_EQ(parse_cache_control("max-stale=30").max_stale, 30u);
}

TEST(CacheControlTest, GarbageElementsDoNotBreakTheRest) {
    auto cc = parse_cache_control("\"junk, more\", no-store, bad\"x,y\", max-age=3");
    EXPECT_TRUE(cc.no_store);
    EXPECT_EQ(cc.max_age, 3u);
}

}  // namespace
}  // namespace larder::http
