#include "larder/cache/policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace larder::cache {
namespace {

struct PolicyTest : ::testing::Test {
    http::HeaderList headers;
    StorableInput in{200, &headers, 1000, false, false};
    StorableLimits limits;

    std::optional<NoCacheReason> check() { return refuse_to_store(in, limits); }
};

TEST_F(PolicyTest, PlainOkResponseIsStorable) {
    headers.add("Content-Type", "text/html");
    headers.add("Cache-Control", "public, max-age=60");
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(PolicyTest, NullHeadersMeansNone) {
    in.response_headers = nullptr;
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(PolicyTest, StatusNotCacheable) {
    for (int status : {201, 204, 301, 404, 500, 503}) {
        in.status = status;
        EXPECT_EQ(check(), NoCacheReason::StatusNotCacheable) << status;
    }
    const std::vector<int> allowed{200, 301, 404};
    limits.cacheable_status = &allowed;
    in.status = 404;
    EXPECT_EQ(check(), std::nullopt);
    in.status = 200;
    EXPECT_EQ(check(), std::nullopt);
    in.status = 302;
    EXPECT_EQ(check(), NoCacheReason::StatusNotCacheable);
}

TEST_F(PolicyTest, RequestHadAuthorization) {
    in.request_has_authorization = true;
    EXPECT_EQ(check(), NoCacheReason::RequestHadAuthorization);
}

TEST_F(PolicyTest, SetCookieRefusedUnlessStripped) {
    headers.add("set-cookie", "session=abc; HttpOnly");
    EXPECT_EQ(check(), NoCacheReason::HasSetCookie);
    in.strip_set_cookie = true;
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(PolicyTest, CacheControlPrivate) {
    headers.add("Cache-Control", "max-age=60, PRIVATE");
    EXPECT_EQ(check(), NoCacheReason::CacheControlPrivate);
}

TEST_F(PolicyTest, QualifiedPrivateIsStillRefused) {
    headers.add("Cache-Control", "private=\"Set-Cookie, X-User\"");
    EXPECT_EQ(check(), NoCacheReason::CacheControlPrivate);
}

TEST_F(PolicyTest, CacheControlNoStoreInASecondField) {
    headers.add("Cache-Control", "max-age=60");
    headers.add("cache-control", "No-Store");
    EXPECT_EQ(check(), NoCacheReason::CacheControlNoStore);
}

TEST_F(PolicyTest, DirectiveNamesInsideQuotedArgumentsDoNotCount) {
    headers.add("Cache-Control", "community=\"private, no-store\", max-age=5");
    EXPECT_EQ(check(), std::nullopt);
}

TEST_F(PolicyTest, VaryStar) {
    headers.add("Vary", "Accept-Encoding");
    EXPECT_EQ(check(), std::nullopt);
    headers.add("Vary", "Accept-Language, *");
    EXPECT_EQ(check(), NoCacheReason::VaryStar);
}

TEST_F(PolicyTest, TooLarge) {
    limits.max_object_size = 1000;
    EXPECT_EQ(check(), std::nullopt);
    in.body_size = 1001;
    EXPECT_EQ(check(), NoCacheReason::TooLarge);
}

TEST_F(PolicyTest, FirstReasonInAFixedOrder) {
    in.status = 500;
    in.request_has_authorization = true;
    headers.add("Set-Cookie", "a=b");
    headers.add("Cache-Control", "no-store, private");
    EXPECT_EQ(check(), NoCacheReason::StatusNotCacheable);
    in.status = 200;
    EXPECT_EQ(check(), NoCacheReason::RequestHadAuthorization);
    in.request_has_authorization = false;
    EXPECT_EQ(check(), NoCacheReason::HasSetCookie);
    in.strip_set_cookie = true;
    EXPECT_EQ(check(), NoCacheReason::CacheControlPrivate);
}

TEST(NoCacheReasonTest, NamesAreShortSnakeCase) {
    EXPECT_EQ(to_string(NoCacheReason::StatusNotCacheable), "status_not_cacheable");
    EXPECT_EQ(to_string(NoCacheReason::HasSetCookie), "response_has_set_cookie");
    EXPECT_EQ(to_string(NoCacheReason::CacheControlPrivate), "cache_control_private");
    EXPECT_EQ(to_string(NoCacheReason::CacheControlNoStore), "cache_control_no_store");
    EXPECT_EQ(to_string(NoCacheReason::TooLarge), "too_large");
    EXPECT_EQ(to_string(NoCacheReason::RequestHadAuthorization), "request_had_authorization");
    EXPECT_EQ(to_string(NoCacheReason::VaryStar), "vary_star");
    EXPECT_EQ(to_string(NoCacheReason::UpstreamError), "upstream_error");
}

TEST(Policy, OnlyLastingReasonsAreRememberedForHitForPass) {
    EXPECT_TRUE(is_lasting(NoCacheReason::HasSetCookie));
    EXPECT_TRUE(is_lasting(NoCacheReason::CacheControlPrivate));
    EXPECT_TRUE(is_lasting(NoCacheReason::CacheControlNoStore));
    EXPECT_TRUE(is_lasting(NoCacheReason::TooLarge));
    EXPECT_FALSE(is_lasting(NoCacheReason::StatusNotCacheable));  // 5xx are temporary
    EXPECT_FALSE(is_lasting(NoCacheReason::UpstreamError));
}

}  // namespace
}  // namespace larder::cache
