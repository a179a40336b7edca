// RFC 9111 section 4.2: lifetime, age, fresh/stale, reuse decisions and stale windows.
#include "larder/cache/freshness.hpp"

#include <gtest/gtest.h>

#include "http_test_util.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;
using testing::date;
using testing::Headers;

struct FreshnessTest : ::testing::Test {
    obs::ManualClock clock;
    obs::TimePoint t0 = clock.now();
    Headers h;
    FreshnessOptions opts;

    Seconds lifetime(int status = 200) {
        return freshness_lifetime(status, h, http::parse_cache_control(h.list()), true, t0, opts);
    }
    ParsedMeta meta(int status = 200, obs::TimePoint req = {}, obs::TimePoint resp = {}) {
        if (req == obs::TimePoint{}) req = t0;
        if (resp == obs::TimePoint{}) resp = t0;
        return parse_meta(status, h, http::parse_cache_control(h.list()), true, req, resp, opts);
    }
};

TEST_F(FreshnessTest, NothingMeansZero) {
    EXPECT_EQ(lifetime(), 0s);
}

TEST_F(FreshnessTest, MaxAge) {
    h.add("Cache-Control", "max-age=60");
    EXPECT_EQ(lifetime(), 60s);
}

TEST_F(FreshnessTest, SMaxageWinsOverMaxAge) {
    h.add("Cache-Control", "max-age=60, s-maxage=600");
    EXPECT_EQ(lifetime(), 600s);
}

TEST_F(FreshnessTest, MaxAgeWinsOverExpires) {
    h.add("Date", date(t0)).add("Expires", date(t0 + 3600s)).add("Cache-Control", "max-age=5");
    EXPECT_EQ(lifetime(), 5s);
}

TEST_F(FreshnessTest, ExpiresMinusDate) {
    // Date is an hour behind our clock: Expires − Date counts, not Expires − now.
    h.add("Date", date(t0 - 3600s)).add("Expires", date(t0 - 3600s + 120s));
    EXPECT_EQ(lifetime(), 120s);
}

TEST_F(FreshnessTest, ExpiresWithoutDateUsesResponseTime) {
    h.add("Expires", date(t0 + 90s));
    EXPECT_EQ(lifetime(), 90s);
}

TEST_F(FreshnessTest, ExpiresInThePastIsZero) {
    h.add("Date", date(t0)).add("Expires", date(t0 - 10s));
    EXPECT_EQ(lifetime(), 0s);
}

TEST_F(FreshnessTest, InvalidExpiresMeansExpired) {
    h.add("Date", date(t0)).add("Expires", "0");
    EXPECT_EQ(lifetime(), 0s);
}

TEST_F(FreshnessTest, ConflictingExpiresLinesMeanExpired) {
    h.add("Date", date(t0)).add("Expires", date(t0 + 60s)).add("Expires", date(t0 + 120s));
    EXPECT_EQ(lifetime(), 0s);
    Headers same;
    same.add("Date", date(t0)).add("Expires", date(t0 + 60s)).add("Expires", date(t0 + 60s));
    EXPECT_EQ(freshness_lifetime(200, same, {}, true, t0, opts), 60s);
}

TEST_F(FreshnessTest, ExpiresIgnoredWhenTargetedFieldGoverns) {
    h.add("Date", date(t0)).add("Expires", date(t0 + 60s));
    EXPECT_EQ(freshness_lifetime(200, h, {}, false, t0, opts), 0s);
}

TEST_F(FreshnessTest, MalformedMaxAgeIsStale) {
    h.add("Cache-Control", "max-age=abc").add("Expires", date(t0 + 60s));
    EXPECT_EQ(lifetime(), 0s);
}

TEST_F(FreshnessTest, MalformedSMaxageIsStaleEvenWithMaxAge) {
    h.add("Cache-Control", "s-maxage=-1, max-age=60");
    EXPECT_EQ(lifetime(), 0s);
}

TEST_F(FreshnessTest, DuplicateMaxAgeSmallestWins) {
    h.add("Cache-Control", "max-age=60").add("Cache-Control", "max-age=10");
    EXPECT_EQ(lifetime(), 10s);
}

TEST_F(FreshnessTest, HugeMaxAgeSaturates) {
    h.add("Cache-Control", "max-age=99999999999999999999");
    EXPECT_EQ(lifetime(), Seconds{2147483648});
}

TEST_F(FreshnessTest, HeuristicOffByDefault) {
    h.add("Date", date(t0)).add("Last-Modified", date(t0 - 100 * 3600s));
    EXPECT_EQ(lifetime(), 0s);
}

TEST_F(FreshnessTest, HeuristicFractionOfLastModifiedAge) {
    opts.heuristic = 0.10;
    h.add("Date", date(t0)).add("Last-Modified", date(t0 - 1000s));
    EXPECT_EQ(lifetime(), 100s);
    bool heuristic = false;
    freshness_lifetime(200, h, {}, true, t0, opts, &heuristic);
    EXPECT_TRUE(heuristic);
}

TEST_F(FreshnessTest, HeuristicCapped) {
    opts.heuristic = 0.5;
    opts.heuristic_max = 3600s;
    h.add("Date", date(t0)).add("Last-Modified", date(t0 - 365 * 24h));
    EXPECT_EQ(lifetime(), 3600s);
}

TEST_F(FreshnessTest, HeuristicOnlyForDefaultCacheableStatusOrPublic) {
    opts.heuristic = 0.10;
    h.add("Date", date(t0)).add("Last-Modified", date(t0 - 1000s));
    EXPECT_EQ(lifetime(404), 100s);
    EXPECT_EQ(lifetime(302), 0s);
    EXPECT_EQ(lifetime(500), 0s);
    h.add("Cache-Control", "public");
    EXPECT_EQ(lifetime(302), 100s);
}

TEST_F(FreshnessTest, HeuristicNeedsLastModifiedBeforeDate) {
    opts.heuristic = 0.10;
    h.add("Date", date(t0)).add("Last-Modified", date(t0 + 10s));
    EXPECT_EQ(lifetime(), 0s);
}

TEST_F(FreshnessTest, NoHeuristicWithExplicitExpiration) {
    opts.heuristic = 0.10;
    h.add("Date", date(t0)).add("Last-Modified", date(t0 - 1000s)).add("Expires", date(t0 + 5s));
    EXPECT_EQ(lifetime(), 5s);
}

TEST_F(FreshnessTest, HeuristicallyCacheableList) {
    for (int s : {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501})
        EXPECT_TRUE(heuristically_cacheable(s)) << s;
    for (int s : {201, 302, 303, 307, 400, 403, 500, 502, 503})
        EXPECT_FALSE(heuristically_cacheable(s)) << s;
}

// --- age ---

TEST_F(FreshnessTest, AgeFieldFirstMemberAndInvalidIgnored) {
    EXPECT_EQ(age_field(h), std::nullopt);
    Headers a;
    a.add("Age", "30, 40");
    EXPECT_EQ(age_field(a), 30s);
    Headers bad;
    bad.add("Age", "-5");
    EXPECT_EQ(age_field(bad), std::nullopt);
    Headers junk;
    junk.add("Age", "5s");
    EXPECT_EQ(age_field(junk), std::nullopt);
}

TEST_F(FreshnessTest, AgeFieldOddShapes) {
    // RFC 9111 section 5.1: the first member of a list, or of the first of repeated lines; an
    // invalid value (not a non-negative integer) is ignored; a huge one is 2^31 (section 1.2.2).
    auto age_of = [](std::vector<std::string> values) {
        Headers a;
        for (auto& v : values) a.add("Age", v);
        return age_field(a);
    };
    EXPECT_EQ(age_of({"3000"}), 3000s);
    EXPECT_EQ(age_of({" 7 "}), 7s);
    EXPECT_EQ(age_of({"20", "5"}), 20s);  // repeated lines: the first
    EXPECT_EQ(age_of({"20,5"}), 20s);
    EXPECT_EQ(age_of({"99999999999999999999999"}), Seconds{http::kDeltaSecondsMax});
    for (const char* bad : {"-1", "3.5", "1e3", "", "abc", "+5", "0x10", ", 5"})
        EXPECT_EQ(age_of({bad}), std::nullopt) << bad;
}

TEST_F(FreshnessTest, MaxAge3600WithAge3000IsFreshFor600Seconds) {
    h.add("Date", date(t0)).add("Cache-Control", "max-age=3600").add("Age", "3000");
    Meta m = meta();
    EXPECT_EQ(m.corrected_initial_age, 3000s);
    EXPECT_TRUE(is_fresh(m, t0 + 599s));
    EXPECT_FALSE(is_fresh(m, t0 + 600s));
    EXPECT_EQ(current_age(m, t0 + 100s), 3100s);  // what a hit sends as Age
}

TEST_F(FreshnessTest, InvalidAgeIsIgnoredInFreshness) {
    auto fresh_at = [&](const char* age, Seconds later) {
        Headers a;
        a.add("Date", date(t0)).add("Cache-Control", "max-age=60").add("Age", age);
        Meta m = parse_meta(200, a, http::parse_cache_control(a.list()), true, t0, t0, opts);
        return is_fresh(m, t0 + later);
    };
    EXPECT_TRUE(fresh_at("-500", 59s));
    EXPECT_TRUE(fresh_at("1.5", 59s));
    EXPECT_FALSE(fresh_at("4294967296", 0s));  // 2^31 s old: stale on arrival, no overflow
}

TEST_F(FreshnessTest, FarFutureAndInvalidExpires) {
    auto lifetime_with = [&](const char* expires) {
        Headers e;
        e.add("Date", date(t0)).add("Expires", expires);
        return freshness_lifetime(200, e, http::parse_cache_control(e.list()), true, t0, opts);
    };
    EXPECT_EQ(lifetime_with("Fri, 31 Dec 9999 23:59:59 GMT"), Seconds{http::kDeltaSecondsMax});
    for (const char* expired : {"0", "-1", "never", "Thu, 01 Jan 1970 00:00:00 GMT"})
        EXPECT_EQ(lifetime_with(expired), 0s) << expired;
    EXPECT_GT(lifetime_with("thu, 01 jan 2099 00:00:00 gmt"), 24h * 365 * 50);
    h.add("Date", date(t0)).add("Expires", "Fri, 31 Dec 9999 23:59:59 GMT");
    EXPECT_TRUE(is_fresh(meta(), t0 + 24h * 365 * 10));
}

TEST_F(FreshnessTest, CorrectedInitialAgeUsesAgeAndResponseDelay) {
    h.add("Date", date(t0)).add("Age", "10");
    // Request sent at t0, response at t0 + 3s: corrected_age_value = 10 + 3.
    EXPECT_EQ(corrected_initial_age(h, t0, t0 + 3s), 13s);
}

TEST_F(FreshnessTest, CorrectedInitialAgeUsesApparentAgeWhenLarger) {
    h.add("Date", date(t0 - 100s)).add("Age", "10");
    EXPECT_EQ(corrected_initial_age(h, t0, t0), 100s);
}

TEST_F(FreshnessTest, DateInTheFutureGivesNoNegativeAge) {
    h.add("Date", date(t0 + 100s));
    EXPECT_EQ(corrected_initial_age(h, t0, t0), 0s);
}

TEST_F(FreshnessTest, UpstreamAgeShortensFreshness) {
    h.add("Date", date(t0)).add("Cache-Control", "max-age=60").add("Age", "50");
    Meta m = meta();
    EXPECT_TRUE(is_fresh(m, t0 + 9s));
    EXPECT_FALSE(is_fresh(m, t0 + 10s));
    EXPECT_EQ(current_age(m, t0 + 5s), 55s);
}

TEST_F(FreshnessTest, AgeAtLeastLifetimeArrivesStale) {
    h.add("Cache-Control", "max-age=60").add("Age", "60");
    EXPECT_FALSE(is_fresh(meta(), t0));
}

TEST_F(FreshnessTest, FreshThenStaleWithManualClock) {
    h.add("Date", date(t0)).add("Cache-Control", "max-age=60");
    Meta m = meta();
    clock.advance(59s);
    EXPECT_TRUE(is_fresh(m, clock.now()));
    EXPECT_EQ(staleness(m, clock.now()), 0s);
    clock.advance(1s);
    EXPECT_FALSE(is_fresh(m, clock.now()));
    clock.advance(5s);
    EXPECT_EQ(staleness(m, clock.now()), 5s);
    EXPECT_EQ(current_age(m, clock.now()), 65s);
}

TEST_F(FreshnessTest, MetaParsesValidatorsAndDirectives) {
    h.add("ETag", "W/\"v1\"")
        .add("Last-Modified", date(t0 - 10s))
        .add("Date", date(t0))
        .add("Vary", "Accept-Language, accept-encoding")
        .add("Cache-Control",
             "public, max-age=10, must-revalidate, immutable, stale-while-revalidate=5, "
             "stale-if-error=7");
    ParsedMeta m = meta();
    EXPECT_TRUE(m.parsed);
    EXPECT_EQ(m.etag, "W/\"v1\"");
    EXPECT_TRUE(m.has_etag);
    EXPECT_EQ(m.last_modified, std::chrono::floor<Seconds>(t0 - 10s));
    EXPECT_EQ(m.vary, "accept-language");  // Accept-Encoding never splits (encodings.hpp)
    EXPECT_TRUE(m.public_);
    EXPECT_TRUE(m.must_revalidate);
    EXPECT_TRUE(m.immutable);
    EXPECT_TRUE(m.authorization_ok);
    EXPECT_EQ(m.stale_while_revalidate, 5s);
    EXPECT_EQ(m.stale_if_error, 7s);
}

TEST_F(FreshnessTest, InvalidEtagIgnored) {
    h.add("ETag", "v1-no-quotes");
    EXPECT_EQ(meta().etag, "");
    EXPECT_FALSE(meta().has_etag);
}

TEST_F(FreshnessTest, ProxyRevalidateAndSMaxageImplyMustRevalidate) {
    Headers a, b;
    a.add("Cache-Control", "max-age=5, proxy-revalidate");
    b.add("Cache-Control", "s-maxage=5");
    EXPECT_TRUE(parse_meta(200, a, http::parse_cache_control(a.list()), true, t0, t0, opts)
                    .must_revalidate);
    EXPECT_TRUE(parse_meta(200, b, http::parse_cache_control(b.list()), true, t0, t0, opts)
                    .must_revalidate);
}

TEST_F(FreshnessTest, ForcedTtlMeta) {
    h.add("ETag", "\"x\"").add("Cache-Control", "no-cache, max-age=0").add("Age", "100");
    ParsedMeta m = forced_ttl_meta(h, t0, t0, 30s);
    EXPECT_EQ(m.etag, "\"x\"");
    EXPECT_FALSE(m.no_cache);
    EXPECT_EQ(m.corrected_initial_age, 0s);
    EXPECT_TRUE(is_fresh(m, t0 + 29s));
    EXPECT_FALSE(is_fresh(m, t0 + 30s));
}

// --- reuse ---

struct ReuseTest : FreshnessTest {
    RequestDirectives rd;
    ReuseDecision at(Seconds later, bool auth = false) {
        return can_reuse(m, rd, auth, t0 + later);
    }
    Meta m;
    void with(std::string cc) {
        h.add("Date", date(t0)).add("Cache-Control", std::move(cc));
        m = meta();
    }
};

TEST_F(ReuseTest, FreshThenStale) {
    with("max-age=60");
    EXPECT_EQ(at(10s).reuse, Reuse::Fresh);
    EXPECT_EQ(at(10s).age, 10s);
    EXPECT_EQ(at(60s).reuse, Reuse::Revalidate);
    EXPECT_EQ(at(60s).reason, ReuseReason::Stale);
}

TEST_F(ReuseTest, ResponseNoCacheAlwaysRevalidates) {
    with("no-cache, max-age=600");
    EXPECT_EQ(at(0s).reuse, Reuse::Revalidate);
    EXPECT_EQ(at(0s).reason, ReuseReason::ResponseNoCache);
}

TEST_F(ReuseTest, QualifiedNoCacheDoesNotForceRevalidation) {
    with("no-cache=\"Set-Cookie\", max-age=600");
    EXPECT_EQ(at(0s).reuse, Reuse::Fresh);
}

TEST_F(ReuseTest, RequestNoCache) {
    with("max-age=600");
    rd.no_cache = true;
    EXPECT_EQ(at(0s).reason, ReuseReason::RequestNoCache);
}

TEST_F(ReuseTest, RequestMaxAge) {
    with("max-age=600");
    rd.max_age = 30s;
    EXPECT_EQ(at(30s).reuse, Reuse::Fresh);
    EXPECT_EQ(at(31s).reason, ReuseReason::RequestMaxAge);
    rd.max_age = 0s;
    EXPECT_EQ(at(0s).reuse, Reuse::Fresh);  // age 0 is not older than 0
    EXPECT_EQ(at(1s).reason, ReuseReason::RequestMaxAge);
}

TEST_F(ReuseTest, RequestMinFresh) {
    with("max-age=60");
    rd.min_fresh = 20s;
    EXPECT_EQ(at(40s).reuse, Reuse::Fresh);
    EXPECT_EQ(at(41s).reason, ReuseReason::RequestMinFresh);
}

TEST_F(ReuseTest, RequestMaxStale) {
    with("max-age=60");
    rd.max_stale = 10s;
    EXPECT_EQ(at(65s).reuse, Reuse::StaleByRequest);
    EXPECT_EQ(at(70s).reuse, Reuse::StaleByRequest);
    EXPECT_EQ(at(71s).reuse, Reuse::Revalidate);
    rd.max_stale.reset();
    rd.max_stale_any = true;
    EXPECT_EQ(at(100000s).reuse, Reuse::StaleByRequest);
}

TEST_F(ReuseTest, MaxStaleNeverPastMustRevalidate) {
    for (const char* cc :
         {"max-age=60, must-revalidate", "max-age=60, proxy-revalidate", "s-maxage=60"}) {
        h = Headers{};
        with(cc);
        rd.max_stale_any = true;
        EXPECT_EQ(at(61s).reason, ReuseReason::MustRevalidate) << cc;
        EXPECT_EQ(at(30s).reuse, Reuse::Fresh) << cc;
    }
}

TEST_F(ReuseTest, MinFreshAndMaxStaleTogetherStayStrict) {
    with("max-age=60");
    rd.max_stale_any = true;
    rd.min_fresh = 5s;
    EXPECT_EQ(at(61s).reason, ReuseReason::RequestMinFresh);
}

TEST_F(ReuseTest, AuthorizationNeedsPublicSMaxageOrMustRevalidate) {
    with("max-age=60");
    EXPECT_EQ(at(1s, true).reuse, Reuse::Unusable);
    EXPECT_EQ(at(1s, true).reason, ReuseReason::AuthorizationNotOk);
    for (const char* cc : {"public, max-age=60", "s-maxage=60", "max-age=60, must-revalidate"}) {
        h = Headers{};
        with(cc);
        EXPECT_EQ(at(1s, true).reuse, Reuse::Fresh) << cc;
    }
    h = Headers{};
    with("max-age=60, proxy-revalidate");
    EXPECT_EQ(at(1s, true).reuse, Reuse::Unusable);
}

TEST_F(ReuseTest, OnlyIfCached) {
    with("max-age=60");
    rd.only_if_cached = true;
    EXPECT_TRUE(only_if_cached_fails(rd, nullptr));
    auto fresh = at(1s);
    EXPECT_FALSE(only_if_cached_fails(rd, &fresh));
    auto stale = at(61s);
    EXPECT_TRUE(only_if_cached_fails(rd, &stale));
    rd.max_stale_any = true;
    auto allowed = at(61s);
    EXPECT_FALSE(only_if_cached_fails(rd, &allowed));
    RequestDirectives plain;
    EXPECT_FALSE(only_if_cached_fails(plain, nullptr));
}

TEST_F(ReuseTest, ReasonNames) {
    EXPECT_EQ(to_string(ReuseReason::Fresh), "fresh");
    EXPECT_EQ(to_string(ReuseReason::ClientMaxStale), "client_max_stale");
    EXPECT_EQ(to_string(ReuseReason::Stale), "stale");
    EXPECT_EQ(to_string(ReuseReason::ResponseNoCache), "response_no_cache");
    EXPECT_EQ(to_string(ReuseReason::MustRevalidate), "must_revalidate");
    EXPECT_EQ(to_string(ReuseReason::RequestNoCache), "request_no_cache");
    EXPECT_EQ(to_string(ReuseReason::RequestMaxAge), "request_max_age");
    EXPECT_EQ(to_string(ReuseReason::RequestMinFresh), "request_min_fresh");
    EXPECT_EQ(to_string(ReuseReason::AuthorizationNotOk), "authorization_not_ok");
}

// --- stale windows ---

TEST_F(ReuseTest, StaleWhileRevalidateWindow) {
    with("max-age=60, stale-while-revalidate=30");
    EXPECT_FALSE(within_stale_while_revalidate(m, at(30s), t0 + 30s));  // fresh: not needed
    EXPECT_TRUE(within_stale_while_revalidate(m, at(60s), t0 + 60s));
    EXPECT_TRUE(within_stale_while_revalidate(m, at(89s), t0 + 89s));
    EXPECT_FALSE(within_stale_while_revalidate(m, at(90s), t0 + 90s));
    rd.no_cache = true;  // the client insists: no stale answer
    EXPECT_FALSE(within_stale_while_revalidate(m, at(61s), t0 + 61s));
}

TEST_F(ReuseTest, StaleIfErrorWindow) {
    with("max-age=60, stale-if-error=100");
    EXPECT_TRUE(within_stale_if_error(m, t0 + 159s));
    EXPECT_FALSE(within_stale_if_error(m, t0 + 160s));
    EXPECT_EQ(stale_windows(m).if_error, 100s);
}

TEST_F(ReuseTest, StaleForbiddenZeroesWindows) {
    for (const char* cc :
         {"max-age=60, stale-while-revalidate=30, stale-if-error=30, must-revalidate",
          "max-age=60, stale-while-revalidate=30, stale-if-error=30, proxy-revalidate",
          "s-maxage=60, stale-while-revalidate=30, stale-if-error=30",
          "no-cache, stale-while-revalidate=30, stale-if-error=30"}) {
        h = Headers{};
        with(cc);
        EXPECT_EQ(stale_windows(m).while_revalidate, 0s) << cc;
        EXPECT_EQ(stale_windows(m).if_error, 0s) << cc;
        EXPECT_FALSE(within_stale_if_error(m, t0 + 61s)) << cc;
    }
}

TEST_F(ReuseTest, MalformedStaleWindowsIgnored) {
    with("max-age=60, stale-while-revalidate=x, stale-if-error=");
    EXPECT_EQ(stale_windows(m).while_revalidate, 0s);
    EXPECT_EQ(stale_windows(m).if_error, 0s);
}

TEST_F(ReuseTest, RetentionDeadline) {
    with("max-age=60, stale-if-error=100");
    EXPECT_EQ(retention_deadline(m, 3600s), t0 + 160s);  // no validator: windows only
    h = Headers{};
    h.add("ETag", "\"a\"");
    with("max-age=60, stale-if-error=100");
    EXPECT_EQ(retention_deadline(m, 3600s), t0 + 60s + 3600s);
}

}  // namespace
}  // namespace larder::cache
