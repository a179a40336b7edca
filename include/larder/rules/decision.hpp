// rules::Decision: what the rule engine says about one request, before anything is looked up.
//
// Invariants: when action == Cache, `key` is the full cache key and either `ttl` > 0 or
// `follow_origin`, and `forwarded_cookies` is set: a fetch that may be stored sends only those
// cookies upstream (the ones the key is built from) and no Authorization, so what is stored is
// the page a visitor without cookies gets (docs/privacy.md). When Pass, `key` is empty and
// `reason` says why (`visitor` too, for PersonalVisitor). `rule_name` and `forwarded_cookies`
// point into the RuleSet, which outlives every request.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larder::rules {

enum class Action { Cache, Pass };

// Why a request is or is not a cache candidate. Names (to_string) appear in the access log,
// in X-Cache-Reason and in tests.
enum class DecisionReason {
    RuleCache,                // a rule said cache (the log shows the rule's name)
    RulePass,                 // a rule said pass = true
    NoRuleMatched,            // no rule matched and [cache] default = "pass"
    MethodNotCacheable,       // only GET and HEAD are ever served from cache
    RequestHasAuthorization,  // credentials: the page is this visitor's alone
    HttpDefault,              // no rule matched; [cache] default = "http": the response decides
    // The visitor is logged in or holds personal state (rules::Identity); Decision::visitor
    // says which cookie or session key decided.
    PersonalVisitor,
    // A GET or HEAD with a body: a shared fetch sends none, and the app may read it.
    RequestHasBody,
    // Connection names fields to drop before forwarding (e.g. "Connection: Cookie"): the key
    // was built from fields the app would not see, so such a request never shares the cache.
    ConnectionNamesFields,
};

std::string_view to_string(DecisionReason r);

struct Decision {
    Action action = Action::Pass;
    DecisionReason reason = DecisionReason::NoRuleMatched;
    std::string_view rule_name;  // empty when no rule matched
    // The matched rule's position in the config's [[rules]] (per-rule counters); kNoRule when
    // no rule matched.
    static constexpr std::uint32_t kNoRule = UINT32_MAX;
    std::uint32_t rule_index = kNoRule;
    std::string key;
    std::chrono::milliseconds ttl{0};
    std::chrono::milliseconds grace{0};           // the rule's, else [cache] grace
    std::chrono::milliseconds stale_if_error{0};  // the rule's, else [cache] stale_if_error
    bool strip_set_cookie = false;
    // The app's headers decide storability and freshness (RFC 9111): [cache] default = "http"
    // for unmatched requests, or a rule with cache = "origin". Otherwise `ttl` is forced.
    bool follow_origin = false;
    // Cache: the cookies a fetch may forward (see above). Never null when action == Cache.
    const std::vector<std::string>* forwarded_cookies = nullptr;
    // PersonalVisitor: "reason:detail" from rules::VisitorClass, e.g.
    // "login_cookie:remember_token".
    std::string visitor;

    // What the access log and X-Cache-Reason say for a Pass.
    std::string_view why() const { return visitor.empty() ? to_string(reason) : visitor; }
};

}  // namespace larder::rules
