// proxy::prepare_purge: turns what an operator asked to purge into a cache::Purge.
//
// The operator names a URL, a prefix, a pattern or a tag (the admin API's `POST /purge`, see
// docs/purge.md). A URL is normalised exactly as the rules normalise the URLs they store
// (rules::RuleSet::url_of: scheme-independent, lower-case host, default port dropped) and its
// query compared with each stored object's the way the rule that stored that object normalises
// queries (sort_query, drop_query), so `?b=2&a=1` purges what `?a=1&b=2` stored under a
// sort_query rule, whatever rule and key template stored it. Prefixes and patterns match
// cache::purge_subject() ("host/path?query", host lower-case); a prefix may be given with or
// without its scheme. The returned Purge's `matches` holds everything it needs by value except
// the RuleSet, which must outlive the purge's stay in the store (the purge window).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "larder/cache/purge.hpp"
#include "larder/rules/ruleset.hpp"

namespace larder::proxy {

enum class PurgeError : std::uint8_t { None, InvalidUrl, InvalidPattern, InvalidTag, EmptyPrefix };
const char* to_string(PurgeError error);

struct PurgeOrder {
    cache::PurgeKind kind = cache::PurgeKind::Url;
    std::string value;
    bool soft = false;
};

struct PreparedPurge {
    std::optional<cache::Purge> purge;  // set when error == None
    PurgeError error = PurgeError::None;
    std::string detail;  // for InvalidPattern: PCRE2's message
};

PreparedPurge prepare_purge(const rules::RuleSet& rules, const PurgeOrder& order);

}  // namespace larder::proxy
