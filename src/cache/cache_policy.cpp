#include "larder/cache/cache_policy.hpp"

#include <algorithm>

#include "larder/cache/conditional.hpp"
#include "larder/cache/object_builder.hpp"
#include "larder/http/cache_control.hpp"

namespace larder::cache {

namespace {

// Vary names request fields the stored response depends on. A rule that caches has already
// said what splits its pages (identity and vary_cookies), and its fetches carry no other
// cookies, so Vary: Cookie is covered; Accept-Encoding is too (every coding of the response is
// in the one object, encodings.hpp); any other field would need variants, so such a response is
// not stored under a rule.
bool varies_beyond_cookie(const http::HeaderList& headers) {
    for (const auto& h : headers) {
        if (!http::iequals(h.name, "vary")) continue;
        std::string_view list = h.value;
        while (!list.empty()) {
            auto comma = list.find(',');
            auto item = http::trim_ows(list.substr(0, comma));
            if (!item.empty() && !http::iequals(item, "cookie") &&
                !http::iequals(item, "accept-encoding"))
                return true;
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    return false;
}

bool has_token(const http::HeaderList& headers, std::string_view field, std::string_view token) {
    for (const auto& h : headers)
        if (http::iequals(h.name, field) && http::has_token(h.value, token)) return true;
    return false;
}

bool has_validator(const Meta& meta) {
    return meta.has_etag || meta.last_modified.has_value();
}

std::int64_t seconds_between(obs::TimePoint from, obs::TimePoint to) {
    return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

}  // namespace

ObjectDraft build(std::string key, int status, std::string_view reason_phrase,
                  const http::HeaderList& headers, std::string body, const ResponseVerdict& v,
                  bool strip_set_cookie, std::string rule_name) {
    ObjectDraft object =
        build_http_object(std::move(key), status, reason_phrase, headers, std::move(body), v,
                          strip_set_cookie, std::move(rule_name));
    object.grace_until = v.grace_until;
    object.error_until = v.error_until;
    return object;
}

Revalidated revalidate(const CachePolicy& policy, const Object& stored,
                       const http::HeaderList& not_modified, ResponseFacts facts,
                       bool strip_set_cookie) {
    const ParsedHead parsed = parse_head(stored.head());
    const http::HeaderList merged = merge_not_modified(parsed.headers, not_modified);
    facts.status = stored.status;
    facts.headers = &merged;
    facts.body_size = stored.body().size();
    Revalidated r;
    r.verdict = policy.judge_response(facts, strip_set_cookie);
    r.object = build(r.verdict.storable() ? std::string(stored.key()) : std::string(),
                     stored.status, parsed.reason, merged, std::string(stored.body()), r.verdict,
                     strip_set_cookie, stored.rule_name);
    return r;
}

// --- rule TTL ---------------------------------------------------------------------------------

ResponseVerdict RuleTtlPolicy::judge_response(const ResponseFacts& f, bool strip_set_cookie) const {
    ResponseVerdict v;
    v.refusal = refuse_to_store({.status = f.status,
                                 .response_headers = f.headers,
                                 .body_size = f.body_size,
                                 .request_has_authorization = f.request_has_authorization,
                                 .strip_set_cookie = strip_set_cookie},
                                limits_);
    if (!v.refusal && varies_beyond_cookie(*f.headers)) v.refusal = NoCacheReason::VaryUnsupported;
    v.meta = forced_ttl_meta(*f.headers, f.request_time, f.response_time, w_.ttl);
    v.meta.vary.clear();  // the rule's key already splits what Vary: Cookie would
    // The rule's windows, unless the response names its own.
    http::CacheControl cc = http::parse_cache_control(*f.headers);
    auto grace = cc.stale_while_revalidate
                     ? std::chrono::seconds(*cc.stale_while_revalidate)
                     : std::chrono::duration_cast<std::chrono::seconds>(w_.grace);
    auto on_error = cc.stale_if_error
                        ? std::chrono::seconds(*cc.stale_if_error)
                        : std::chrono::duration_cast<std::chrono::seconds>(w_.stale_if_error);
    v.meta.stale_while_revalidate = grace;
    v.meta.stale_if_error = on_error;
    v.expires_at = f.response_time + w_.ttl;
    v.grace_until = v.expires_at + grace;
    v.error_until = v.expires_at + on_error;
    v.meta.keep_until = std::max(v.grace_until, v.error_until);
    return v;
}

ReuseVerdict RuleTtlPolicy::judge_reuse(const Object& o, const RequestDirectives&,
                                        obs::TimePoint now) const {
    ReuseVerdict r{.age = seconds_between(o.stored_at, now),
                   .has_validator = has_validator(o.meta)};
    if (o.fresh(now))
        r.kind = ReuseVerdict::Kind::Fresh;
    else if (o.servable_in_grace(now))
        r.kind = ReuseVerdict::Kind::Grace;
    else
        r.kind = ReuseVerdict::Kind::Revalidate;
    return r;
}

RequestDirectives RuleTtlPolicy::directives(const http::Request& request) const {
    RequestDirectives d;  // a rule's forced TTL is not the client's to override
    if (request.has(http::Field::CacheControl))
        d.only_if_cached = has_token(request.headers, "cache-control", "only-if-cached");
    return d;
}

// --- RFC 9111 ---------------------------------------------------------------------------------

ResponseVerdict HttpPolicy::judge_response(const ResponseFacts& f, bool strip_set_cookie) const {
    ResponseVerdict v = evaluate_response({.method = f.method,
                                           .status = f.status,
                                           .response_headers = f.headers,
                                           .body_size = f.body_size,
                                           .request_has_authorization = f.request_has_authorization,
                                           .request_no_store = f.request_no_store,
                                           .strip_set_cookie = strip_set_cookie,
                                           .request_time = f.request_time,
                                           .response_time = f.response_time},
                                          options_);
    // Targeted fields are Larder's, stored or not (the verdict names them only when stored).
    if (options_.strip_targeted_headers)
        for (const char* name : {"cdn-cache-control", "surrogate-control"})
            if (std::find(v.drop_fields.begin(), v.drop_fields.end(), name) == v.drop_fields.end())
                v.drop_fields.emplace_back(name);
    return v;
}

ReuseVerdict HttpPolicy::judge_reuse(const Object& o, const RequestDirectives& request,
                                     obs::TimePoint now) const {
    ReuseVerdict r{.has_validator = has_validator(o.meta)};
    ReuseDecision d = can_reuse(o.meta, request, false, now);
    r.age = d.age.count();
    switch (d.reuse) {
        case Reuse::Fresh:
        case Reuse::StaleByRequest:
            r.kind = ReuseVerdict::Kind::Fresh;
            break;
        case Reuse::Revalidate:
            r.kind = within_stale_while_revalidate(o.meta, d, now) ? ReuseVerdict::Kind::Grace
                                                                   : ReuseVerdict::Kind::Revalidate;
            break;
        case Reuse::Unusable:
            r.kind = ReuseVerdict::Kind::Unusable;
            break;
    }
    return r;
}

RequestDirectives HttpPolicy::directives(const http::Request& request) const {
    if (!request.has(http::Field::CacheControl) && !request.has(http::Field::Pragma)) return {};
    return parse_request_directives(request.headers, options_.client);
}

}  // namespace larder::cache
