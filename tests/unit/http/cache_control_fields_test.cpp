// The additions for RFC 9111 policy: qualified vs unqualified no-cache/private, field lists,
// and parsing a named (targeted) field.
#include <gtest/gtest.h>

#include "larder/http/cache_control.hpp"

namespace larder::http {
namespace {

TEST(CacheControlFields, UnqualifiedFlags) {
    auto cc = parse_cache_control("no-cache, private");
    EXPECT_TRUE(cc.no_cache_unqualified);
    EXPECT_TRUE(cc.private_unqualified);
    EXPECT_FALSE(cc.no_cache_has_fields);
}

TEST(CacheControlFields, QualifiedAndBareBothRecorded) {
    auto cc = parse_cache_control("no-cache=\"Set-Cookie\", no-cache");
    EXPECT_TRUE(cc.no_cache_has_fields);
    EXPECT_TRUE(cc.no_cache_unqualified);  // the bare form is more restrictive and is kept
}

TEST(CacheControlFields, ListsAreSearchedCaseInsensitively) {
    auto cc = parse_cache_control("private=\"Set-Cookie, X-User\", no-cache=\"x-debug\"");
    EXPECT_TRUE(private_names(cc, "set-cookie"));
    EXPECT_TRUE(private_names(cc, "X-USER"));
    EXPECT_FALSE(private_names(cc, "x-debug"));
    EXPECT_TRUE(no_cache_names(cc, "X-Debug"));
    EXPECT_FALSE(cc.private_unqualified);
}

TEST(CacheControlFields, RepeatedQualifiedListsAccumulate) {
    auto cc = parse_cache_control("private=\"a\", private=\"b\", private=\"c\"");
    EXPECT_TRUE(private_names(cc, "a"));
    EXPECT_TRUE(private_names(cc, "b"));
    EXPECT_TRUE(private_names(cc, "c"));
    EXPECT_FALSE(cc.private_fields_overflow);
    auto many = parse_cache_control(
        "private=\"a\", private=\"b\", private=\"c\", private=\"d\", "
        "private=\"e\"");
    EXPECT_TRUE(many.private_fields_overflow);
}

TEST(CacheControlFields, ForEachListedField) {
    std::vector<std::string_view> seen;
    for_each_listed_field(" a ,b,, c ", [&](std::string_view f) { seen.push_back(f); });
    EXPECT_EQ(seen, (std::vector<std::string_view>{"a", "b", "c"}));
}

TEST(CacheControlFields, NamedField) {
    HeaderList h;
    h.add("Cache-Control", "no-store");
    h.add("CDN-Cache-Control", "max-age=60");
    h.add("cdn-cache-control", "stale-if-error=30");
    auto cdn = parse_cache_control(h, "cdn-cache-control");
    EXPECT_FALSE(cdn.no_store);
    EXPECT_EQ(cdn.max_age, 60u);
    EXPECT_EQ(cdn.stale_if_error, 30u);
    EXPECT_TRUE(parse_cache_control(h).no_store);
    EXPECT_TRUE(parse_cache_control(h, "surrogate-control").empty);
}

}  // namespace
}  // namespace larder::http
