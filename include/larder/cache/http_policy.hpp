// cache::http_policy: RFC 9111 storability and request directives for a shared cache, for
// `[cache] default = "http"` and rules with `cache = "origin"`. Pure functions of
// (request facts, response, times, options); nothing reads a clock or the config at run time.
//
// The pipeline reaches these functions through cache::HttpPolicy (cache_policy.hpp), the RFC 9111
// implementation of the one CachePolicy interface; the rule-TTL policy shares the verdict type.
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
// Expires entirely; otherwise Cache-Control (and Expires) govern. A CDN-Cache-Control that is not
// a valid Structured Field Dictionary (http/structured_field.hpp) is ignored as if absent.
// Duplicated or conflicting directives: the most restrictive wins (no-store over everything, bare
// no-cache/private over their qualified forms, the smallest numeric value, malformed numbers →
// stale).
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
    ParsedMeta meta;                       // filled whenever the status was acceptable
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
// come from the verdict. Returned as a draft, so the caller can set the grace fields
// (grace_until = v.grace_until, error_until = v.error_until) before packing it (Object::make).
ObjectDraft build_http_object(std::string key, int status, std::string_view reason_phrase,
                              const http::HeaderList& headers, std::string body,
                              const ResponseVerdict& v, bool strip_set_cookie,
                              std::string rule_name);
// `headers` without the named (lower-case) fields; views into the same strings.
http::HeaderList without_fields(const http::HeaderList& headers,
                                const std::vector<std::string>& names);

}  // namespace larder::cache
