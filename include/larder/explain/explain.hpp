// explain: why Larder would or would not cache a request, as one JSON value — the answer of
// `larder explain` (text is rendered from this value, text.hpp) and of the admin API's
// GET /explain. Pure functions of the config, the compiled rules and (for the stored state) the
// store: nothing here touches the network or the daemon's hot path.
//
// The answer (docs/operations.md shows a full one):
//   request    {method, url, host, path, query, cookies, headers}: what was asked about
//   rules      one entry per rule in config order: {index (1-based), name, line, verdict:
//              "skipped" | "matched" | "not_reached", why_not (rules::Mismatch name, skipped
//              only), detail (a sentence naming the failing matcher and the request's value)}
//   decision   {action: "cache" | "pass", reason (rules::DecisionReason name), rule (or null),
//              why (what X-Cache-Reason would say), detail (a sentence)}
//   visitor    {kind: anonymous | personal | logged_in, reason (rules::VisitorReason name),
//              detail (the cookie or key), summary ("reason:detail")}
//   key        the cache key (null for a pass); bytes outside printable ASCII as \u00XX
//   forwarded_cookies  [{name, value or null}]: the only cookies a storing fetch sends
//   freshness  null for a pass; else {follows_origin, ttl_ms, grace_ms, stale_if_error_ms}
//   stored     added by add_stored(): null when nothing is stored under the key, else
//              {vary, flights, hit_for_pass_ms (remaining, or null), variants: [{secondary,
//              status, state: fresh | stale | expired, age_ms, ttl_left_ms, body_bytes,
//              charge_bytes, grace_left_ms, stale_if_error_left_ms, policy: rule | http, etag,
//              rule, tags, referenced}]}
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "larder/cache/inspection.hpp"
#include "larder/cache/store.hpp"
#include "larder/config/config.hpp"
#include "larder/explain/probe.hpp"
#include "larder/obs/clock.hpp"
#include "larder/rules/ruleset.hpp"

namespace larder::explain {

// The explanation of `probe` under `config` and its compiled `rules` (built from the same
// config). Throws ProbeError when the probe is not a request. `key`, when given, receives the
// cache key as the store holds it (the JSON's "key" reads non-ASCII bytes as Latin-1); empty for
// a pass.
boost::json::object explain(const Probe& probe, const config::Config& config,
                            const rules::RuleSet& rules, std::string* key = nullptr);

// Adds "stored": what the store holds under the answer's key (nothing for a pass), as of `now`.
void add_stored(boost::json::object& answer, const std::optional<cache::StoredKey>& stored,
                obs::TimePoint now);

// The admin API's GET /explain?<query>: explain() plus add_stored() from `store`. A bad query
// answers {"error": "..."}; the caller maps that to 400.
boost::json::value explain_route(std::string_view query, const config::Config& config,
                                 const rules::RuleSet& rules, cache::Store& store,
                                 obs::TimePoint now);

}  // namespace larder::explain
