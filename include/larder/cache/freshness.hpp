// cache::freshness: RFC 9111 section 4.2 for a shared cache, as pure functions of their inputs.
//
// Nothing here reads a clock: request/response times and `now` are parameters. All ages and
// lifetimes are whole seconds (delta-seconds), rounded down, as the Age field carries them.
//
// Freshness lifetime (section 4.2.1), first that applies, from the *effective* directives (a
// targeted field when one governs, see http_policy.hpp, else Cache-Control):
//   s-maxage > max-age > Expires − Date > heuristic.
//   - a malformed s-maxage or max-age (or a malformed max-age when there is no s-maxage) makes the
//     response stale on arrival (lifetime 0): "invalid freshness information → stale";
//   - duplicated numeric directives: the smallest wins (the parser does it);
//   - Expires is ignored when a targeted field governs (RFC 9213) or when max-age/s-maxage exist;
//     an invalid Expires, or several Expires lines with different values, mean already expired;
//     a missing or invalid Date uses the response time;
//   - heuristic: only when `heuristic` > 0, the response has no explicit expiration, its status
//     is heuristically cacheable (RFC 9110 section 15.1) or it is `public`, and Last-Modified is
//     earlier than Date: heuristic × (Date − Last-Modified), capped at `heuristic_max`.
// Age (section 4.2.3): corrected_initial_age = max(apparent_age, Age + response_delay), computed
// at build time; current_age(now) adds the resident time.
// Reuse (section 4.2, 5.2.1): can_reuse() applies the stored directives and the honoured request
// directives; stale serving is forbidden by must-revalidate, proxy-revalidate, s-maxage and
// no-cache, and stale_windows() is zero then.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "larder/cache/object.hpp"
#include "larder/http/cache_control.hpp"
#include "larder/http/headers.hpp"

namespace larder::cache {

using Seconds = std::chrono::seconds;

struct FreshnessOptions {
    double heuristic = 0.0;            // fraction of (Date − Last-Modified); 0 = off
    Seconds heuristic_max{24 * 3600};  // cap on a heuristic lifetime
};

// RFC 9110 section 15.1: statuses cacheable by default (heuristically cacheable).
bool heuristically_cacheable(int status);

// Parses validators, dates, Age, Vary and the effective directives `cc` into a ParsedMeta (a Meta
// with the ETag and Vary texts, which a stored object keeps in its own allocation) with its
// lifetime and corrected initial age. `use_expires` is false when a targeted field governs.
ParsedMeta parse_meta(int status, const http::HeaderList& headers, const http::CacheControl& cc,
                      bool use_expires, obs::TimePoint request_time, obs::TimePoint response_time,
                      const FreshnessOptions& options);
// Meta for a rule's forced TTL: validators, dates and Vary as parse_meta, lifetime = ttl counted
// from the response time, age 0, no directives (the rule decides).
ParsedMeta forced_ttl_meta(const http::HeaderList& headers, obs::TimePoint request_time,
                           obs::TimePoint response_time, std::chrono::milliseconds ttl);

// Pieces, exposed for tests and for callers that hold no Meta.
Seconds freshness_lifetime(int status, const http::HeaderList& headers,
                           const http::CacheControl& cc, bool use_expires,
                           obs::TimePoint response_time, const FreshnessOptions& options,
                           bool* heuristic = nullptr);
Seconds corrected_initial_age(const http::HeaderList& headers, obs::TimePoint request_time,
                              obs::TimePoint response_time);
// The Age field's first member; nullopt when absent or invalid (then it is ignored).
std::optional<Seconds> age_field(const http::HeaderList& headers);

Seconds current_age(const Meta& meta, obs::TimePoint now);
inline bool is_fresh(const Meta& meta, obs::TimePoint now) {
    return now < meta.fresh_until;
}
// How long past its freshness (0 while fresh).
Seconds staleness(const Meta& meta, obs::TimePoint now);

// The request directives Larder honours (http_policy.hpp parses them according to the config).
struct RequestDirectives {
    bool no_cache = false;  // also Pragma: no-cache without Cache-Control
    bool no_store = false;
    std::optional<Seconds> max_age;
    std::optional<Seconds> min_fresh;
    std::optional<Seconds> max_stale;
    bool max_stale_any = false;
    bool only_if_cached = false;
};

enum class Reuse {
    Fresh,           // serve it
    StaleByRequest,  // stale, but within the client's max-stale: serve it (with Age)
    Revalidate,      // validate upstream first (a conditional request when it has validators)
    Unusable,        // must not be used for this request at all: fetch normally
};

enum class ReuseReason {
    Fresh,
    ClientMaxStale,      // served stale because the request allowed it
    Stale,               // plain stale: revalidate (or, within stale-while-revalidate, grace)
    ResponseNoCache,     // stored with no-cache: every reuse is validated
    MustRevalidate,      // stale and must-revalidate / proxy-revalidate / s-maxage
    RequestNoCache,      // the client sent no-cache (honoured)
    RequestMaxAge,       // older than the client's max-age
    RequestMinFresh,     // not fresh for the client's min-fresh
    AuthorizationNotOk,  // request with Authorization, response not public/s-maxage/must-revalidate
};
std::string_view to_string(ReuseReason r);

struct ReuseDecision {
    Reuse reuse = Reuse::Revalidate;
    ReuseReason reason = ReuseReason::Stale;
    Seconds age{0};  // current age: the Age field value when served
};

ReuseDecision can_reuse(const Meta& meta, const RequestDirectives& request,
                        bool request_has_authorization, obs::TimePoint now);

// only-if-cached (section 5.2.1.7): true when the answer must be 504 — the request asked for
// only-if-cached and nothing stored may be served (`decision` null = nothing stored).
bool only_if_cached_fails(const RequestDirectives& request, const ReuseDecision* decision);

// Stale-serving windows for the grace logic (RFC 5861), zero when the response forbids serving
// stale (must-revalidate, proxy-revalidate, s-maxage, no-cache).
struct StaleWindows {
    Seconds while_revalidate{0};
    Seconds if_error{0};
};
StaleWindows stale_windows(const Meta& meta);
// Within stale-while-revalidate at `now`: serve stale and revalidate in the background. False
// when the decision was not plain staleness (client no-cache, max-age, etc. forbid it).
bool within_stale_while_revalidate(const Meta& meta, const ReuseDecision& decision,
                                   obs::TimePoint now);
// Within stale-if-error at `now`: on an upstream error or 5xx, serve the stale object instead.
bool within_stale_if_error(const Meta& meta, obs::TimePoint now);

// When the store may drop the object: freshness end plus the longest stale window, and at least
// `validator_keep` past freshness when the object has a validator (kept to be revalidated).
obs::TimePoint retention_deadline(const Meta& meta, Seconds validator_keep);

}  // namespace larder::cache
