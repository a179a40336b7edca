// Query strings as the rule engine sees them: iteration over raw parameters, percent-decoding
// of values for conditions, and the normalisation that goes into cache keys.
//
// Invariants: parameters are split on '&' only; empty segments ("a=1&&b=2", a trailing '&')
// are skipped. Names are never decoded and are compared byte for byte. Normalisation keeps every
// kept parameter exactly as sent (same encoding, same "name" vs "name=" form); it only drops
// parameters whose name matches a drop glob and, when asked, sorts by name (stable, so repeated
// names keep their order). None of these functions allocate except by growing the caller's
// output string (and, for queries of more than 64 parameters being sorted, a thread-local buffer).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/rules/glob.hpp"

namespace larder::rules {

struct QueryParam {
    std::string_view raw;    // "name=value" or "name", as sent
    std::string_view name;   // before the first '='
    std::string_view value;  // after the first '='; empty when there is none
};

template <typename Fn>
void for_each_query_param(std::string_view query, Fn&& fn) {
    while (!query.empty()) {
        std::size_t amp = query.find('&');
        std::string_view raw = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (raw.empty()) continue;
        std::size_t eq = raw.find('=');
        QueryParam p{raw, raw.substr(0, eq),
                     eq == std::string_view::npos ? std::string_view{} : raw.substr(eq + 1)};
        fn(p);
    }
}

// The raw value of the first parameter called `name`; nullopt when absent.
std::optional<std::string_view> find_query_param(std::string_view query, std::string_view name);

// application/x-www-form-urlencoded decoding, as Flask's request.args does it: "%XX" becomes
// the byte, '+' becomes a space; a malformed '%' escape is kept as it is.
void percent_decode(std::string_view encoded, std::string& out);
// percent_decode(encoded) == expected, without building the decoded string.
bool percent_decoded_equals(std::string_view encoded, std::string_view expected);
// True when percent_decode would change the text.
inline bool needs_decoding(std::string_view s) {
    return s.find_first_of("%+") != std::string_view::npos;
}

struct QueryPolicy {
    bool sort = false;
    std::vector<Glob> drop;  // parameter-name globs, e.g. "utm_*", "fbclid"
};

// Appends the normalised query (without '?') to `out`; appends nothing when no parameter is kept.
void append_normalised_query(std::string& out, std::string_view query, const QueryPolicy& policy);

}  // namespace larder::rules
