// RFC 9111 section 3 storability for a shared cache, targeted fields and request directives.
#include "larder/cache/http_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "http_test_util.hpp"
#include "larder/cache/conditional.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;
using testing::date;
using testing::Headers;

struct HttpPolicyTest : ::testing::Test {
    obs::ManualClock clock;
    obs::TimePoint t0 = clock.now();
    Headers h;
    HttpPolicyOptions opts;
    ResponseInput in{.method = http::Method::Get,
                     .status = 200,
                     .response_headers = nullptr,
                     .body_size = 100,
                     .request_time = t0,
                     .response_time = t0};

    ResponseVerdict eval() {
        in.response_headers = &h.list();
        return evaluate_response(in, opts);
    }
    std::optional<NoCacheReason> why() { return eval().refusal; }
    bool drops(const ResponseVerdict& v, std::string_view name) {
        return std::find(v.drop_fields.begin(), v.drop_fields.end(), name) != v.drop_fields.end();
    }
};

TEST_F(HttpPolicyTest, MaxAgeStorable) {
    h.add("Cache-Control", "max-age=60");
    auto v = eval();
    ASSERT_TRUE(v.storable());
    EXPECT_EQ(v.meta.freshness_lifetime, 60s);
    EXPECT_EQ(v.expires_at, t0 + 60s);
}

TEST_F(HttpPolicyTest, OnlyGetAndHead) {
    h.add("Cache-Control", "max-age=60");
    in.method = http::Method::Head;
    EXPECT_EQ(why(), std::nullopt);
    for (auto m : {http::Method::Post, http::Method::Put, http::Method::Delete, http::Method::Patch,
                   http::Method::Options}) {
        in.method = m;
        EXPECT_EQ(why(), NoCacheReason::MethodNotCacheable);
    }
}

TEST_F(HttpPolicyTest, DefaultCacheableStatusesWithExplicitFreshness) {
    h.add("Cache-Control", "max-age=60");
    for (int s : {200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501}) {
        in.status = s;
        EXPECT_EQ(why(), std::nullopt) << s;
    }
}

TEST_F(HttpPolicyTest, OtherStatusesNeedExplicitFreshness) {
    h.add("ETag", "\"a\"");
    for (int s : {302, 307, 400, 403, 500, 503}) {
        in.status = s;
        EXPECT_EQ(why(), NoCacheReason::StatusNotCacheable) << s;
    }
    h.add("Cache-Control", "max-age=30");
    for (int s : {302, 307, 400, 403, 500, 503}) {
        in.status = s;
        EXPECT_EQ(why(), std::nullopt) << s;
    }
}

TEST_F(HttpPolicyTest, ExpiresCountsAsExplicitFreshness) {
    in.status = 302;
    h.add("Date", date(t0)).add("Expires", date(t0 + 60s));
    auto v = eval();
    EXPECT_TRUE(v.storable());
    EXPECT_EQ(v.meta.freshness_lifetime, 60s);
}

TEST_F(HttpPolicyTest, PublicMakesAnyStatusHeuristicallyStorable) {
    in.status = 302;
    opts.freshness.heuristic = 0.1;
    h.add("Cache-Control", "public").add("Date", date(t0)).add("Last-Modified", date(t0 - 1000s));
    auto v = eval();
    EXPECT_TRUE(v.storable());
    EXPECT_EQ(v.meta.freshness_lifetime, 100s);
    EXPECT_TRUE(v.meta.heuristic);
}

TEST_F(HttpPolicyTest, PartialContentNeverStored) {
    in.status = 206;
    h.add("Cache-Control", "public, max-age=600");
    EXPECT_EQ(why(), NoCacheReason::PartialContent);
}

TEST_F(HttpPolicyTest, NotModifiedAndInformationalNeverStored) {
    h.add("Cache-Control", "max-age=600");
    for (int s : {100, 101, 304}) {
        in.status = s;
        EXPECT_EQ(why(), NoCacheReason::StatusNotCacheable) << s;
    }
}

TEST_F(HttpPolicyTest, NoStore) {
    h.add("Cache-Control", "max-age=60, no-store");
    EXPECT_EQ(why(), NoCacheReason::CacheControlNoStore);
}

TEST_F(HttpPolicyTest, NoStoreWinsOverEverything) {
    h.add("Cache-Control", "public, s-maxage=600, max-age=600, immutable")
        .add("Cache-Control", "no-store");
    EXPECT_EQ(why(), NoCacheReason::CacheControlNoStore);
}

TEST_F(HttpPolicyTest, MustUnderstandOverridesNoStoreForUnderstoodStatus) {
    h.add("Cache-Control", "must-understand, no-store, max-age=60");
    EXPECT_EQ(why(), std::nullopt);
    in.status = 299;
    EXPECT_EQ(why(), NoCacheReason::MustUnderstand);
}

TEST_F(HttpPolicyTest, PrivateUnqualifiedRefused) {
    h.add("Cache-Control", "private, max-age=60");
    EXPECT_EQ(why(), NoCacheReason::CacheControlPrivate);
}

TEST_F(HttpPolicyTest, PrivateQualifiedStoresWithoutThoseFields) {
    h.add("Cache-Control", "private=\"X-User, X-Session\", max-age=60")
        .add("X-User", "alice")
        .add("X-Other", "kept");
    auto v = eval();
    ASSERT_TRUE(v.storable());
    EXPECT_TRUE(drops(v, "x-user"));
    EXPECT_TRUE(drops(v, "x-session"));
    EXPECT_FALSE(drops(v, "x-other"));
}

TEST_F(HttpPolicyTest, PrivateBareAndQualifiedTogetherMostRestrictive) {
    h.add("Cache-Control", "private=\"X-User\", max-age=60").add("Cache-Control", "private");
    EXPECT_EQ(why(), NoCacheReason::CacheControlPrivate);
}

TEST_F(HttpPolicyTest, NoCacheUnqualifiedStorableButAlwaysRevalidated) {
    h.add("Cache-Control", "no-cache, max-age=600").add("ETag", "\"v1\"");
    auto v = eval();
    ASSERT_TRUE(v.storable());
    EXPECT_TRUE(v.meta.no_cache);
    EXPECT_EQ(v.expires_at, t0);  // never a plain fresh hit
    EXPECT_EQ(can_reuse(v.meta, {}, false, t0).reason, ReuseReason::ResponseNoCache);
}

TEST_F(HttpPolicyTest, NoCacheWithoutValidatorIsPointless) {
    h.add("Cache-Control", "no-cache, max-age=600");
    EXPECT_EQ(why(), NoCacheReason::StaleWithoutValidator);
}

TEST_F(HttpPolicyTest, NoCacheQualifiedDropsFields) {
    h.add("Cache-Control", "no-cache=\"Set-Cookie\", max-age=60").add("Set-Cookie", "a=b");
    auto v = eval();
    ASSERT_TRUE(v.storable());  // Set-Cookie named: dropped, so no HasSetCookie refusal
    EXPECT_TRUE(drops(v, "set-cookie"));
    EXPECT_FALSE(v.meta.no_cache);
}

TEST_F(HttpPolicyTest, SetCookieRefusedUnlessStrippedOrNamed) {
    h.add("Cache-Control", "max-age=60").add("Set-Cookie", "sid=1");
    EXPECT_EQ(why(), NoCacheReason::HasSetCookie);
    in.strip_set_cookie = true;
    EXPECT_EQ(why(), std::nullopt);
    in.strip_set_cookie = false;
    h.add("Cache-Control", "private=\"set-cookie\"");
    EXPECT_EQ(why(), std::nullopt);
}

TEST_F(HttpPolicyTest, AuthorizationRequiresPublicSMaxageOrMustRevalidate) {
    in.request_has_authorization = true;
    h.add("Cache-Control", "max-age=60");
    EXPECT_EQ(why(), NoCacheReason::RequestHadAuthorization);
    for (const char* cc : {"public, max-age=60", "s-maxage=60", "max-age=60, must-revalidate"}) {
        Headers other;
        other.add("Cache-Control", cc);
        in.response_headers = &other.list();
        EXPECT_EQ(evaluate_response(in, opts).refusal, std::nullopt) << cc;
    }
}

TEST_F(HttpPolicyTest, VaryStarNeverStored) {
    h.add("Cache-Control", "max-age=60").add("Vary", "Accept-Encoding, *");
    EXPECT_EQ(why(), NoCacheReason::VaryStar);
}

TEST_F(HttpPolicyTest, VaryStoredAsVariantsUnlessDisabled) {
    h.add("Cache-Control", "max-age=60").add("Vary", "Accept-Language");
    auto v = eval();
    EXPECT_TRUE(v.storable());
    EXPECT_EQ(v.meta.vary, "accept-language");
    opts.variants = false;
    EXPECT_EQ(why(), NoCacheReason::VaryUnsupported);
}

TEST_F(HttpPolicyTest, StaleOnArrivalWithoutValidatorRefused) {
    h.add("Cache-Control", "max-age=0");
    EXPECT_EQ(why(), NoCacheReason::StaleWithoutValidator);
    Headers with_etag;
    with_etag.add("Cache-Control", "max-age=0").add("ETag", "\"x\"");
    in.response_headers = &with_etag.list();
    EXPECT_TRUE(evaluate_response(in, opts).storable());
}

TEST_F(HttpPolicyTest, NoFreshnessInfo200WithValidatorStoredForRevalidation) {
    h.add("Last-Modified", date(t0 - 3600s));
    auto v = eval();
    ASSERT_TRUE(v.storable());
    EXPECT_EQ(v.meta.freshness_lifetime, 0s);
    EXPECT_EQ(v.meta.keep_until, t0 + opts.validator_keep);
}

TEST_F(HttpPolicyTest, StaleIfErrorKeepsValidatorLessStaleResponse) {
    h.add("Cache-Control", "max-age=0, stale-if-error=60");
    auto v = eval();
    ASSERT_TRUE(v.storable());
    EXPECT_EQ(v.error_until, t0 + 60s);
}

TEST_F(HttpPolicyTest, DefaultStaleIfErrorOnlyWhenNotForbidden) {
    opts.default_stale_if_error = 300s;
    h.add("Cache-Control", "max-age=60");
    EXPECT_EQ(eval().error_until, t0 + 360s);
    Headers strict;
    strict.add("Cache-Control", "max-age=60, must-revalidate");
    in.response_headers = &strict.list();
    EXPECT_EQ(evaluate_response(in, opts).error_until, t0 + 60s);
    Headers own;
    own.add("Cache-Control", "max-age=60, stale-if-error=5");
    in.response_headers = &own.list();
    EXPECT_EQ(evaluate_response(in, opts).error_until, t0 + 65s);
}

TEST_F(HttpPolicyTest, GraceWindowFromStaleWhileRevalidate) {
    h.add("Cache-Control", "max-age=60, stale-while-revalidate=30");
    auto v = eval();
    EXPECT_EQ(v.grace_until, t0 + 90s);
    EXPECT_GE(v.meta.keep_until, t0 + 90s);
}

TEST_F(HttpPolicyTest, TooLarge) {
    h.add("Cache-Control", "max-age=60");
    opts.max_object_size = 99;
    EXPECT_EQ(why(), NoCacheReason::TooLarge);
}

TEST_F(HttpPolicyTest, RequestNoStore) {
    h.add("Cache-Control", "max-age=60");
    in.request_no_store = true;
    EXPECT_EQ(why(), NoCacheReason::RequestNoStore);
}

TEST_F(HttpPolicyTest, FixedOrderOfReasons) {
    in.method = http::Method::Post;
    in.status = 206;
    h.add("Cache-Control", "no-store, private").add("Set-Cookie", "a=b");
    EXPECT_EQ(why(), NoCacheReason::MethodNotCacheable);
    in.method = http::Method::Get;
    EXPECT_EQ(why(), NoCacheReason::PartialContent);
    in.status = 200;
    EXPECT_EQ(why(), NoCacheReason::CacheControlNoStore);
}

TEST_F(HttpPolicyTest, NewReasonNames) {
    EXPECT_EQ(to_string(NoCacheReason::MethodNotCacheable), "method_not_cacheable");
    EXPECT_EQ(to_string(NoCacheReason::PartialContent), "partial_content");
    EXPECT_EQ(to_string(NoCacheReason::RequestNoStore), "request_no_store");
    EXPECT_EQ(to_string(NoCacheReason::MustUnderstand), "must_understand");
    EXPECT_EQ(to_string(NoCacheReason::StaleWithoutValidator), "stale_without_validator");
    EXPECT_EQ(to_string(NoCacheReason::VaryUnsupported), "vary_unsupported");
}

// --- targeted fields ---

TEST_F(HttpPolicyTest, CdnCacheControlOverridesCacheControl) {
    h.add("Cache-Control", "no-store").add("CDN-Cache-Control", "max-age=120");
    auto v = eval();
    ASSERT_TRUE(v.storable());
    EXPECT_EQ(v.source, ControlSource::CdnCacheControl);
    EXPECT_EQ(v.meta.freshness_lifetime, 120s);
    EXPECT_TRUE(drops(v, "cdn-cache-control"));
    EXPECT_TRUE(drops(v, "surrogate-control"));
}

TEST_F(HttpPolicyTest, TargetedFieldStrippedFromStoredHead) {
    h.add("CDN-Cache-Control", "max-age=60").add("Surrogate-Control", "max-age=5");
    auto v = eval();
    auto o = Object::make(build_http_object("k", 200, "OK", h, "", v, false, ""));
    EXPECT_EQ(o->head().find("CDN-Cache-Control"), std::string::npos);
    EXPECT_EQ(o->head().find("Surrogate-Control"), std::string::npos);
}

TEST_F(HttpPolicyTest, TargetedFieldReplacesCacheControlPrivateToo) {
    // RFC 9213: Cache-Control is ignored entirely; the origin addressed Larder explicitly.
    h.add("Cache-Control", "private").add("CDN-Cache-Control", "max-age=60");
    EXPECT_TRUE(eval().storable());
}

TEST_F(HttpPolicyTest, CdnCacheControlCanForbid) {
    h.add("Cache-Control", "public, max-age=600").add("CDN-Cache-Control", "no-store");
    EXPECT_EQ(why(), NoCacheReason::CacheControlNoStore);
}

TEST_F(HttpPolicyTest, SurrogateControlWhenNoCdnCacheControl) {
    h.add("Cache-Control", "max-age=5").add("Surrogate-Control", "max-age=300");
    auto v = eval();
    EXPECT_EQ(v.source, ControlSource::SurrogateControl);
    EXPECT_EQ(v.meta.freshness_lifetime, 300s);
    h.add("CDN-Cache-Control", "max-age=30");
    EXPECT_EQ(eval().meta.freshness_lifetime, 30s);  // CDN-Cache-Control comes first
}

TEST_F(HttpPolicyTest, TargetedFieldIgnoresExpires) {
    h.add("Date", date(t0)).add("Expires", date(t0 + 600s)).add("CDN-Cache-Control", "public");
    opts.freshness.heuristic = 0;
    auto v = eval();
    EXPECT_EQ(v.meta.freshness_lifetime, 0s);
}

TEST_F(HttpPolicyTest, InvalidTargetedFieldFallsBack) {
    h.add("Cache-Control", "max-age=60").add("CDN-Cache-Control", "foo, bar=baz");
    auto v = eval();
    EXPECT_EQ(v.source, ControlSource::CacheControl);
    EXPECT_EQ(v.meta.freshness_lifetime, 60s);
}

TEST_F(HttpPolicyTest, CdnCacheControlThatIsNoDictionaryIsIgnored) {
    // RFC 9213 section 2.1: not a Structured Field Dictionary → ignored as a whole, even when the
    // Cache-Control parser would find directives in it.
    for (const char* bad :
         {"Max-Age=600", "max-age=600,", "max-age=600;;", "max-age=\"600", "max-age=600 public"}) {
        Headers hh;
        hh.add("Cache-Control", "max-age=60").add("CDN-Cache-Control", bad);
        in.response_headers = &hh.list();
        auto v = evaluate_response(in, opts);
        EXPECT_EQ(v.source, ControlSource::CacheControl) << bad;
        EXPECT_EQ(v.meta.freshness_lifetime, 60s) << bad;
    }
    // Surrogate-Control comes next when CDN-Cache-Control is invalid.
    h.add("Cache-Control", "max-age=60")
        .add("CDN-Cache-Control", "max-age=600,,")
        .add("Surrogate-Control", "max-age=300");
    EXPECT_EQ(eval().source, ControlSource::SurrogateControl);
}

TEST_F(HttpPolicyTest, OptionsFromConfigTurnTheHeuristicOnForHttpDefault) {
    config::CacheConfig c;
    EXPECT_EQ(http_policy_options(c).freshness.heuristic, 0.0);
    c.default_policy = "http";
    EXPECT_EQ(http_policy_options(c).freshness.heuristic, 0.10);
    EXPECT_EQ(http_policy_options(c).freshness.heuristic_max, 24h);
    c.heuristic_max = std::chrono::hours(2);
    EXPECT_EQ(http_policy_options(c).freshness.heuristic_max, 2h);
    c.heuristic = 0.0;
    EXPECT_EQ(http_policy_options(c).freshness.heuristic, 0.0);
}

TEST_F(HttpPolicyTest, TargetedFieldsOffByConfig) {
    opts.targeted_cache_control = false;
    opts.strip_targeted_headers = false;
    h.add("Cache-Control", "max-age=60").add("CDN-Cache-Control", "no-store");
    auto v = eval();
    EXPECT_TRUE(v.storable());
    EXPECT_EQ(v.source, ControlSource::CacheControl);
    EXPECT_FALSE(drops(v, "cdn-cache-control"));
}

TEST_F(HttpPolicyTest, IsTargetedField) {
    EXPECT_TRUE(is_targeted_field("CDN-Cache-Control"));
    EXPECT_TRUE(is_targeted_field("surrogate-control"));
    EXPECT_FALSE(is_targeted_field("cache-control"));
    EXPECT_EQ(to_string(ControlSource::CdnCacheControl), "cdn-cache-control");
}

// --- building the object ---

TEST_F(HttpPolicyTest, BuildHttpObjectDropsFieldsAndCarriesMeta) {
    h.add("Cache-Control", "private=\"X-User\", max-age=60")
        .add("X-User", "alice")
        .add("Surrogate-Capability", "x")
        .add("Age", "5")
        .add("ETag", "\"e\"");
    auto v = eval();
    ASSERT_TRUE(v.storable());
    auto o = Object::make(build_http_object("k", 200, "OK", h, "body", v, false, "r"));
    EXPECT_EQ(o->head().find("X-User: alice"), std::string::npos);
    EXPECT_NE(o->head().find("Surrogate-Capability: x"), std::string::npos);
    EXPECT_EQ(o->head().find("Age:"), std::string::npos);
    EXPECT_NE(o->head().find("ETag: \"e\"\r\n"), std::string::npos);
    EXPECT_EQ(o->etag(), "\"e\"");
    EXPECT_EQ(o->expires_at, v.expires_at);
    EXPECT_EQ(o->meta.corrected_initial_age, 5s);
    EXPECT_EQ(o->body(), "body");
}

TEST_F(HttpPolicyTest, StaleObjectWithValidatorIsRetainedForRevalidation) {
    h.add("Cache-Control", "max-age=10").add("ETag", "\"e\"");
    auto v = eval();
    auto o = Object::make(build_http_object("k", 200, "OK", h, "", v, false, ""));
    EXPECT_FALSE(o->fresh(t0 + 10s));
    EXPECT_EQ(o->retain_until(), t0 + 10s + opts.validator_keep);
}

TEST_F(HttpPolicyTest, WithoutFields) {
    h.add("A", "1").add("b", "2").add("C", "3");
    auto out = without_fields(h, {"a", "c"});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out.get("B"), "2");
}

// --- request directives ---

struct RequestDirectivesTest : ::testing::Test {
    Headers h;
    ClientDirectiveOptions opts;
    RequestDirectives parse() { return parse_request_directives(h, opts); }
};

TEST_F(RequestDirectivesTest, AllParsed) {
    h.add("Cache-Control",
          "no-cache, no-store, max-age=5, min-fresh=3, max-stale=7, only-if-cached");
    auto rd = parse();
    EXPECT_TRUE(rd.no_cache);
    EXPECT_TRUE(rd.no_store);
    EXPECT_EQ(rd.max_age, 5s);
    EXPECT_EQ(rd.min_fresh, 3s);
    EXPECT_EQ(rd.max_stale, 7s);
    EXPECT_TRUE(rd.only_if_cached);
}

TEST_F(RequestDirectivesTest, MaxStaleWithoutValue) {
    h.add("Cache-Control", "max-stale");
    EXPECT_TRUE(parse().max_stale_any);
}

TEST_F(RequestDirectivesTest, HonorNoCacheOff) {
    opts.honor_no_cache = false;
    h.add("Cache-Control", "no-cache, no-store, max-age=0, min-fresh=3, only-if-cached");
    auto rd = parse();
    EXPECT_FALSE(rd.no_cache);
    EXPECT_FALSE(rd.no_store);
    EXPECT_FALSE(rd.max_age);
    EXPECT_FALSE(rd.min_fresh);
    EXPECT_TRUE(rd.only_if_cached);  // always honoured
}

TEST_F(RequestDirectivesTest, HonorMaxStaleOff) {
    opts.honor_max_stale = false;
    h.add("Cache-Control", "max-stale=10");
    EXPECT_FALSE(parse().max_stale);
    h.add("Cache-Control", "max-stale");
    EXPECT_FALSE(parse().max_stale_any);
}

TEST_F(RequestDirectivesTest, PragmaOnlyWithoutCacheControl) {
    h.add("Pragma", "no-cache");
    EXPECT_TRUE(parse().no_cache);
    h.add("Cache-Control", "max-age=60");
    EXPECT_FALSE(parse().no_cache);
}

TEST_F(RequestDirectivesTest, PragmaOtherTokensIgnored) {
    h.add("Pragma", "x-foo");
    EXPECT_FALSE(parse().no_cache);
}

TEST_F(RequestDirectivesTest, MalformedMaxAgeIsZero) {
    h.add("Cache-Control", "max-age=soon");
    EXPECT_EQ(parse().max_age, 0s);
}

TEST(HttpPolicyOptions, FromConfig) {
    config::CacheConfig c;
    auto o = http_policy_options(c);
    EXPECT_FALSE(o.client.honor_no_cache);  // default "pass"
    c.default_policy = "http";
    EXPECT_TRUE(http_policy_options(c).client.honor_no_cache);
    c.honor_client_no_cache = false;
    EXPECT_FALSE(http_policy_options(c).client.honor_no_cache);
    c.heuristic = 0.1;
    c.max_variants = 0;
    c.targeted_cache_control = false;
    c.strip_targeted_headers = false;
    c.honor_client_max_stale = false;
    o = http_policy_options(c);
    EXPECT_DOUBLE_EQ(o.freshness.heuristic, 0.1);
    EXPECT_FALSE(o.variants);
    EXPECT_FALSE(o.targeted_cache_control);
    EXPECT_FALSE(o.strip_targeted_headers);
    EXPECT_FALSE(o.client.honor_max_stale);
}

}  // namespace
}  // namespace larder::cache
