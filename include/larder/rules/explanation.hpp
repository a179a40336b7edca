// rules::Explanation: decide()'s answer together with how it was reached, for `larder explain`
// and the admin API (src/explain). RuleSet::explain() runs the very code decide() runs (one
// template, ruleset.cpp), with an observer that records each rule it skipped; decide() runs it
// with an observer that does nothing, so the hot path pays nothing for explanations.
//
// Invariants: `skipped` lists, in config order, every rule evaluated before the deciding one
// (every rule when none decided), each with the first matcher that failed, checked in the order
// decide() checks them: method, host, paths, path_prefixes, path_regex, query, headers, cookies,
// visitor. `condition` is the index of the failing condition within the rule's query, headers or
// cookies list (0 otherwise). `matched` is the config index of the deciding rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/rules/decision.hpp"
#include "larder/rules/identity.hpp"

namespace larder::rules {

// Why a rule did not match (to_string: "method", "host", ...).
enum class Mismatch : std::uint8_t {
    None,
    Method,      // the request's method is not in methods
    Host,        // Host (without port) is none of hosts
    Path,        // the path matches none of paths (globs)
    PathPrefix,  // the path starts with none of path_prefixes
    PathRegex,   // path_regex does not match
    Query,       // a query condition does not hold
    Header,      // a header condition does not hold
    Cookie,      // a cookie condition does not hold
    Visitor,     // the rule is for another kind of visitor (logged in or not)
};

std::string_view to_string(Mismatch m);

struct RuleMiss {
    std::size_t rule = 0;  // index in config.rules
    Mismatch why = Mismatch::None;
    std::size_t condition = 0;
    config::Visitor wanted = config::Visitor::Any;  // Visitor: the rule's effective visitor
};

struct Explanation {
    Decision decision;
    std::vector<RuleMiss> skipped;
    std::optional<std::size_t> matched;
    // The identity verdict on the request's cookies, whatever the rules needed (without
    // [identity], cookies a rule keys on are not undeclared: the deciding rule's are used).
    VisitorClass visitor;
};

}  // namespace larder::rules
