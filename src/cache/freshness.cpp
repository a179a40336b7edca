// RFC 9111 section 4.2 arithmetic. Every duration is floored to whole seconds, and every
// difference that could go negative (clock skew between Larder and the app) is clamped at 0.
#include "larder/cache/freshness.hpp"

#include <algorithm>

#include "larder/cache/vary.hpp"
#include "larder/http/http_date.hpp"

namespace larder::cache {

namespace {

Seconds floor_seconds(obs::TimePoint::duration d) {
    return std::max(Seconds{0}, std::chrono::floor<Seconds>(d));
}

std::optional<obs::TimePoint> date_field(const http::HeaderList& headers, std::string_view name,
                                         obs::TimePoint now) {
    auto v = headers.get(name);
    if (!v) return std::nullopt;
    return http::parse_http_date(*v, now);
}

// Valid entity-tag: `"opaque"` or `W/"opaque"`, opaque without '"'.
bool valid_etag(std::string_view e) {
    if (e.starts_with("W/")) e.remove_prefix(2);
    if (e.size() < 2 || e.front() != '"' || e.back() != '"') return false;
    return e.substr(1, e.size() - 2).find('"') == std::string_view::npos;
}

}  // namespace

bool heuristically_cacheable(int status) {
    switch (status) {
        case 200:
        case 203:
        case 204:
        case 206:
        case 300:
        case 301:
        case 308:
        case 404:
        case 405:
        case 410:
        case 414:
        case 501:
            return true;
        default:
            return false;
    }
}

std::optional<Seconds> age_field(const http::HeaderList& headers) {
    auto v = headers.get("age");
    if (!v) return std::nullopt;
    std::string_view first = http::trim_ows(v->substr(0, v->find(',')));
    if (first.empty()) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : first) {
        if (c < '0' || c > '9') return std::nullopt;
        n = std::min<std::uint64_t>(n * 10 + static_cast<unsigned>(c - '0'),
                                    http::kDeltaSecondsMax);
    }
    return Seconds{n};
}

Seconds freshness_lifetime(int status, const http::HeaderList& headers,
                           const http::CacheControl& cc, bool use_expires,
                           obs::TimePoint response_time, const FreshnessOptions& options,
                           bool* heuristic) {
    if (heuristic) *heuristic = false;
    if (cc.s_maxage_malformed) return Seconds{0};
    if (cc.s_maxage) return Seconds{*cc.s_maxage};
    if (cc.max_age_malformed) return Seconds{0};
    if (cc.max_age) return Seconds{*cc.max_age};
    const obs::TimePoint date = date_field(headers, "date", response_time).value_or(response_time);
    if (use_expires && headers.contains("expires")) {
        std::optional<std::string_view> first;
        for (const auto& h : headers) {
            if (!http::iequals(h.name, "expires")) continue;
            if (first && http::trim_ows(*first) != http::trim_ows(h.value)) return Seconds{0};
            if (!first) first = h.value;
        }
        auto expires = http::parse_http_date(*first, response_time);
        if (!expires) return Seconds{0};  // invalid ("0", "-1", garbage): already expired
        // As for delta-seconds (RFC 9111 section 1.2.2), a lifetime past 2^31 s is 2^31 s.
        return std::min(floor_seconds(*expires - date), Seconds{http::kDeltaSecondsMax});
    }
    if (options.heuristic <= 0.0) return Seconds{0};
    if (!heuristically_cacheable(status) && !cc.public_) return Seconds{0};
    auto last_modified = date_field(headers, "last-modified", response_time);
    if (!last_modified || *last_modified >= date) return Seconds{0};
    const double since = std::chrono::duration<double>(date - *last_modified).count();
    const auto lifetime = std::min(Seconds{static_cast<std::int64_t>(since * options.heuristic)},
                                   options.heuristic_max);
    if (heuristic) *heuristic = lifetime > Seconds{0};
    return lifetime;
}

Seconds corrected_initial_age(const http::HeaderList& headers, obs::TimePoint request_time,
                              obs::TimePoint response_time) {
    const obs::TimePoint date = date_field(headers, "date", response_time).value_or(response_time);
    const Seconds apparent_age = floor_seconds(response_time - date);
    const Seconds response_delay = floor_seconds(response_time - request_time);
    const Seconds corrected_age_value = age_field(headers).value_or(Seconds{0}) + response_delay;
    return std::max(apparent_age, corrected_age_value);
}

ParsedMeta parse_meta(int status, const http::HeaderList& headers, const http::CacheControl& cc,
                      bool use_expires, obs::TimePoint request_time, obs::TimePoint response_time,
                      const FreshnessOptions& options) {
    ParsedMeta m = forced_ttl_meta(headers, request_time, response_time, {});
    m.freshness_lifetime =
        freshness_lifetime(status, headers, cc, use_expires, response_time, options, &m.heuristic);
    m.corrected_initial_age = corrected_initial_age(headers, request_time, response_time);
    m.fresh_until = response_time + m.freshness_lifetime - m.corrected_initial_age;
    m.no_cache = cc.no_cache_unqualified || cc.no_cache_fields_overflow;
    m.must_revalidate = cc.must_revalidate || cc.proxy_revalidate || cc.s_maxage.has_value() ||
                        cc.s_maxage_malformed;
    m.public_ = cc.public_;
    m.immutable = cc.immutable;
    m.authorization_ok = cc.public_ || cc.s_maxage.has_value() || cc.must_revalidate;
    if (cc.stale_while_revalidate && !cc.stale_while_revalidate_malformed)
        m.stale_while_revalidate = Seconds{*cc.stale_while_revalidate};
    if (cc.stale_if_error && !cc.stale_if_error_malformed)
        m.stale_if_error = Seconds{*cc.stale_if_error};
    return m;
}

ParsedMeta forced_ttl_meta(const http::HeaderList& headers, obs::TimePoint request_time,
                           obs::TimePoint response_time, std::chrono::milliseconds ttl) {
    ParsedMeta m;
    m.parsed = true;
    if (auto e = headers.get("etag"); e && valid_etag(http::trim_ows(*e)))
        m.etag = std::string(http::trim_ows(*e));
    m.has_etag = !m.etag.empty();
    m.last_modified = date_field(headers, "last-modified", response_time);
    m.date = date_field(headers, "date", response_time);
    m.request_time = request_time;
    m.response_time = response_time;
    m.freshness_lifetime = std::chrono::floor<Seconds>(ttl);
    m.fresh_until = response_time + ttl;
    m.vary = normalise_vary(headers);
    return m;
}

Seconds current_age(const Meta& meta, obs::TimePoint now) {
    return meta.corrected_initial_age + floor_seconds(now - meta.response_time);
}

Seconds staleness(const Meta& meta, obs::TimePoint now) {
    return now < meta.fresh_until ? Seconds{0} : floor_seconds(now - meta.fresh_until);
}

std::string_view to_string(ReuseReason r) {
    switch (r) {
        case ReuseReason::Fresh:
            return "fresh";
        case ReuseReason::ClientMaxStale:
            return "client_max_stale";
        case ReuseReason::Stale:
            return "stale";
        case ReuseReason::ResponseNoCache:
            return "response_no_cache";
        case ReuseReason::MustRevalidate:
            return "must_revalidate";
        case ReuseReason::RequestNoCache:
            return "request_no_cache";
        case ReuseReason::RequestMaxAge:
            return "request_max_age";
        case ReuseReason::RequestMinFresh:
            return "request_min_fresh";
        case ReuseReason::AuthorizationNotOk:
            return "authorization_not_ok";
    }
    return "unknown";
}

ReuseDecision can_reuse(const Meta& meta, const RequestDirectives& request,
                        bool request_has_authorization, obs::TimePoint now) {
    ReuseDecision d;
    d.age = current_age(meta, now);
    auto result = [&](Reuse reuse, ReuseReason reason) {
        d.reuse = reuse;
        d.reason = reason;
        return d;
    };
    if (request_has_authorization && !meta.authorization_ok)
        return result(Reuse::Unusable, ReuseReason::AuthorizationNotOk);
    if (meta.no_cache) return result(Reuse::Revalidate, ReuseReason::ResponseNoCache);
    if (request.no_cache) return result(Reuse::Revalidate, ReuseReason::RequestNoCache);
    if (request.max_age && d.age > *request.max_age)
        return result(Reuse::Revalidate, ReuseReason::RequestMaxAge);
    const bool fresh = is_fresh(meta, now);
    if (fresh) {
        if (request.min_fresh && meta.fresh_until - now < *request.min_fresh)
            return result(Reuse::Revalidate, ReuseReason::RequestMinFresh);
        return result(Reuse::Fresh, ReuseReason::Fresh);
    }
    if (meta.must_revalidate) return result(Reuse::Revalidate, ReuseReason::MustRevalidate);
    if (request.min_fresh) return result(Reuse::Revalidate, ReuseReason::RequestMinFresh);
    if (request.max_stale_any || (request.max_stale && staleness(meta, now) <= *request.max_stale))
        return result(Reuse::StaleByRequest, ReuseReason::ClientMaxStale);
    return result(Reuse::Revalidate, ReuseReason::Stale);
}

bool only_if_cached_fails(const RequestDirectives& request, const ReuseDecision* decision) {
    if (!request.only_if_cached) return false;
    return !decision ||
           (decision->reuse != Reuse::Fresh && decision->reuse != Reuse::StaleByRequest);
}

StaleWindows stale_windows(const Meta& meta) {
    if (meta.must_revalidate || meta.no_cache) return {};
    return {meta.stale_while_revalidate, meta.stale_if_error};
}

bool within_stale_while_revalidate(const Meta& meta, const ReuseDecision& decision,
                                   obs::TimePoint now) {
    if (decision.reuse != Reuse::Revalidate || decision.reason != ReuseReason::Stale) return false;
    const auto w = stale_windows(meta).while_revalidate;
    return w > Seconds{0} && now < meta.fresh_until + w;
}

bool within_stale_if_error(const Meta& meta, obs::TimePoint now) {
    const auto w = stale_windows(meta).if_error;
    return w > Seconds{0} && now < meta.fresh_until + w;
}

obs::TimePoint retention_deadline(const Meta& meta, Seconds validator_keep) {
    const StaleWindows w = stale_windows(meta);
    Seconds extra = std::max(w.while_revalidate, w.if_error);
    if (meta.has_etag || meta.last_modified) extra = std::max(extra, validator_keep);
    return meta.fresh_until + extra;
}

}  // namespace larder::cache
