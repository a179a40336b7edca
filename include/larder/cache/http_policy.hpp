// cache::http_policy: RFC 9111 storability and request directives for a shared cache, for
// `[cache] default = "http"` and rules with `cache = "origin"`. Pure functions of
// (request facts, response, times, options); nothing reads a clock or the config at run time.
//
// ---------------------------------------------------------------------------------------------
// INTEGRATION (for src/proxy/; nothing here is wired yet). With `opts = http_policy_options(
// config.cache)` built once, and `follow_origin = decision says origin` (default "http" for an
// unmatched GET/HEAD, or a rule with cache = "origin"; see docs/http-caching.md):
//  1. decide: a request that no rule matched, under default = "http", is a cache candidate with
//     key = the default template; Authorization requests are candidates too (the response
//     decides, RFC 9111 section 3.5) — rules::RuleSet needs that change (Decision gets
//     `bool follow_origin`, ttl 0).
//  2. request directives: `RequestDirectives rd = parse_request_directives(request.headers,
//     opts.client)` for every candidate.
//  3. lookup: `store.lookup_servable(store.resolve_variant(key, request.headers), now)` (stale
//     objects too; `store.lookup(key, request.headers, now)` for fresh only). On a hit with
//     `object->meta.parsed`: `ReuseDecision d = can_reuse(object->meta, rd, has_auth, now)`;
//       - only_if_cached_fails(rd, hit ? &d : nullptr) → answer 504 (no upstream request);
//       - Fresh / StaleByRequest → deliver; Age = d.age.count() (not now − stored_at); if the
//         client sent validators, `evaluate_conditional(request, *object)` == NotModified →
//         write not_modified_head(*object) + tail (no body);
//       - Revalidate → if within_stale_while_revalidate(meta, d, now): serve stale + background
//         refresh (issue 5's grace); else fetch with `revalidation_headers(object->meta)` added
//         to the upstream request (only if the client sent no conditionals of its own);
//       - Unusable → fetch as a miss (do not store over it unless storable).
//     Objects with meta.parsed == false (rule TTL) are fresh until expires_at as today.
//  4. fetch: record request_time before sending and response_time when the head arrives.
//       - upstream 304 for a revalidation: `refresh_from_not_modified(*stale, exchange.headers(),
//         request_time, response_time, opts, forced_ttl)` → insert `r.object` unless r.refusal,
//         deliver r.object (or the 304 itself when the client's own conditional matches);
//       - 5xx or upstream error and within_stale_if_error(meta, now) → deliver the stale object;
//       - otherwise `ResponseVerdict v = evaluate_response({...}, opts)`; build with
//         `auto o = build_http_object(store_key-or-"", status, reason, headers, body, v,
//         decision.strip_set_cookie, rule)`, then o->grace_until = v.grace_until,
//         o->error_until = v.error_until; store_key = v.meta.vary.empty() ? key :
//         variant_key(key, secondary_key(v.meta.vary, request.headers)); insert when
//         v.storable() (pass request_no_store = rd.no_store in the input).
//         Set opts.default_stale_if_error = [cache] stale_if_error once, if wanted.
//         Drop the pipeline's varies_beyond_cookie() check for these objects (variants handle it).
//       - passed/streamed responses: remove the targeted fields (opts.strip_targeted_headers,
//         `is_targeted_field(name)`) from what goes to the client.
//  5. invalidation: after any unsafe request's response, for each key in
//     `invalidation_keys({...})`: store.erase(key) (erases all variants of that key).
//  6. Rule TTL objects: build with `forced_ttl_meta(...)` in the extras so validators and Age
//     work for them too; refuse_to_store() stays their storability check.
// ---------------------------------------------------------------------------------------------
//
// evaluate_response() checks, in this fixed order (the first failure is the reported reason):
//   method GET/HEAD → status (206 never; 304/1xx never; other statuses need explicit freshness
//   unless heuristically cacheable or public) → request no-store (when honoured) → must-understand
//   → no-store → private (unqualified; qualified: those fields are dropped) → Authorization
//   (needs public, s-maxage or must-revalidate) → Vary (* never; any Vary needs variants) →
//   Set-Cookie (refused unless the rule strips it or private=/no-cache= name it, then it is
//   dropped) → not fresh on arrival and no validator and no stale-if-error → size.
// Effective directives: with `targeted_cache_control`, the first of CDN-Cache-Control (RFC 9213)
// and Surrogate-Control that holds at least one directive Larder knows replaces Cache-Control and
// Expires entirely; otherwise Cache-Control (and Expires) govern. Duplicated or conflicting
// directives: the most restrictive wins (no-store over everything, bare no-cache/private over
// their qualified forms, the smallest numeric value, malformed numbers → stale).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "larder/cache/freshness.hpp"
#include "larder/cache/object.hpp"
#include "larder/cache/policy.hpp"
#include "larder/config/config.hpp"
#include "larder/http/cache_control.hpp"
#include "larder/http/headers.hpp"
#include "larder/http/request.hpp"

namespace larder::cache {

// Which request directives are honoured (see docs/http-caching.md for the defaults).
struct ClientDirectiveOptions {
    // no-cache, Pragma: no-cache, max-age, min-fresh, no-store: the directives that make Larder
    // go to the app (or not store) because a client said so.
    bool honor_no_cache = true;
    // max-stale: let a client accept a stale object (never past must-revalidate).
    bool honor_max_stale = true;
    // only-if-cached is always honoured: it can only spare the app a request.
};

struct HttpPolicyOptions {
    FreshnessOptions freshness;
    ClientDirectiveOptions client;
    bool targeted_cache_control = true;  // CDN-Cache-Control / Surrogate-Control govern
    bool strip_targeted_headers = true;  // and are not passed on to clients
    std::size_t max_object_size = 1024 * 1024;
    bool variants = true;          // false when [cache] max_variants = 0
    Seconds validator_keep{3600};  // stale objects with a validator kept this long
    // stale-if-error window for responses that neither give one nor forbid serving stale (the
    // integration sets it from [cache] stale_if_error); 0 = only what the response allows.
    Seconds default_stale_if_error{0};
};

HttpPolicyOptions http_policy_options(const config::CacheConfig& cache);

// Which field the directives came from.
enum class ControlSource { CacheControl, CdnCacheControl, SurrogateControl };
std::string_view to_string(ControlSource s);

struct EffectiveControl {
    http::CacheControl cc;
    ControlSource source = ControlSource::CacheControl;
};
EffectiveControl effective_cache_control(const http::HeaderList& response_headers, bool targeted);
// CDN-Cache-Control or Surrogate-Control (case-insensitive).
bool is_targeted_field(std::string_view name);

RequestDirectives parse_request_directives(const http::HeaderList& request_headers,
                                           const ClientDirectiveOptions& options);

struct ResponseInput {
    http::Method method = http::Method::Get;
    int status = 200;
    const http::HeaderList* response_headers = nullptr;
    std::size_t body_size = 0;
    bool request_has_authorization = false;
    bool request_no_store = false;  // RequestDirectives::no_store (already filtered by options)
    bool strip_set_cookie = false;  // a rule strips Set-Cookie before storing
    obs::TimePoint request_time{};
    obs::TimePoint response_time{};
};

struct ResponseVerdict {
    std::optional<NoCacheReason> refusal;  // nullopt: store it
    Meta meta;                             // filled whenever the status was acceptable
    // Lower-case field names to leave out of the stored head: private="..." and no-cache="..."
    // fields, and the targeted fields when strip_targeted_headers.
    std::vector<std::string> drop_fields;
    // Times for the object (the grace model of object.hpp): expires_at = meta.fresh_until (the
    // response time for no-cache); the stale windows below are zero-length when the response
    // forbids serving stale. meta.keep_until = retention_deadline(meta, validator_keep).
    obs::TimePoint expires_at{};
    obs::TimePoint grace_until{};  // fresh_until + stale-while-revalidate
    obs::TimePoint error_until{};  // fresh_until + stale-if-error (or the default window)
    ControlSource source = ControlSource::CacheControl;
    bool storable() const { return !refusal.has_value(); }
};

ResponseVerdict evaluate_response(const ResponseInput& in, const HttpPolicyOptions& options);

// Builds the object for a verdict: the fields in v.drop_fields are left out, meta and expires_at
// come from the verdict. Returned mutable and unpublished, so the caller can set the grace
// fields (grace_until = v.grace_until, error_until = v.error_until) before storing it.
std::shared_ptr<Object> build_http_object(std::string key, int status,
                                          std::string_view reason_phrase,
                                          const http::HeaderList& headers, std::string body,
                                          const ResponseVerdict& v, bool strip_set_cookie,
                                          std::string rule_name);
// `headers` without the named (lower-case) fields; views into the same strings.
http::HeaderList without_fields(const http::HeaderList& headers,
                                const std::vector<std::string>& names);

}  // namespace larder::cache
