// http::CacheControl: the Cache-Control directives of a request or response (RFC 9111 section 5.2).
//
// The parser reads every Cache-Control field of a message as one comma-separated list of
// `name[=token|quoted-string]` elements. Directive names are case-insensitive; arguments may be
// quoted, and commas inside a quoted string do not split the list. Unknown directives are
// ignored. Numeric (delta-seconds) arguments:
//   - a value that is not all digits (empty, negative, trailing junk, missing "=") is malformed:
//     it contributes no value and sets the directive's *_malformed flag, so freshness code can
//     choose to treat the response as stale;
//   - a value too large to represent becomes 2147483648 (2^31), as RFC 9111 section 1.2.2 asks;
//   - the quoted form ("60") is accepted, though senders must not generate it;
//   - when a directive appears more than once, the most restrictive (smallest) value wins.
// Views (private_fields, no_cache_fields) point into the parsed header values.
// Qualified and unqualified forms of no-cache / private may both appear; the *_unqualified flags
// record that the bare form was seen, which is the more restrictive one and must win. When the
// qualified form appears more than once, the lists are kept in the *_fields_more views (a few;
// field_list_contains() looks through them all).
// The same parser reads the targeted fields of RFC 9213 (CDN-Cache-Control) and
// Surrogate-Control: their directives use the same names and argument syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::http {

struct CacheControl {
    // Response directives.
    bool no_store = false;
    bool no_cache = false;
    bool private_ = false;
    bool public_ = false;
    bool must_revalidate = false;
    bool proxy_revalidate = false;
    bool must_understand = false;
    bool no_transform = false;
    bool immutable = false;
    // `no-cache="Set-Cookie"` / `private="X"`: the directive named fields (raw list, unquoted).
    bool no_cache_has_fields = false;
    bool private_has_fields = false;
    std::string_view no_cache_fields;
    std::string_view private_fields;
    bool no_cache_unqualified = false;  // a bare `no-cache` was present
    bool private_unqualified = false;   // a bare `private` was present
    // Further qualified lists when the directive repeats (rare; capped, extra ones are dropped
    // after setting *_fields_overflow, which callers treat as the unqualified form).
    std::string_view no_cache_fields_more[3];
    std::string_view private_fields_more[3];
    bool no_cache_fields_overflow = false;
    bool private_fields_overflow = false;

    std::optional<std::uint32_t> max_age;
    std::optional<std::uint32_t> s_maxage;
    std::optional<std::uint32_t> stale_while_revalidate;
    std::optional<std::uint32_t> stale_if_error;
    bool max_age_malformed = false;
    bool s_maxage_malformed = false;
    bool stale_while_revalidate_malformed = false;
    bool stale_if_error_malformed = false;

    // Request directives.
    bool only_if_cached = false;
    std::optional<std::uint32_t> min_fresh;
    bool max_stale_any = false;  // `max-stale` without a value: any staleness is acceptable
    std::optional<std::uint32_t> max_stale;

    // True when no directive at all was recognised (including when there was no field).
    bool empty = true;
};

inline constexpr std::uint32_t kDeltaSecondsMax = 2147483648u;  // RFC 9111 section 1.2.2

// Parses one field value, adding to `cc` (so several fields combine).
void parse_cache_control(std::string_view value, CacheControl& cc);
CacheControl parse_cache_control(std::string_view value);
// Parses every Cache-Control field in `headers`.
CacheControl parse_cache_control(const HeaderList& headers);
// Parses every field called `field_name` (e.g. "CDN-Cache-Control") in `headers`.
CacheControl parse_cache_control(const HeaderList& headers, std::string_view field_name);

// True when the no-cache (which_no_cache) or private field lists of `cc` name `field`
// (case-insensitive). Unqualified forms are not lists: check *_unqualified first.
bool no_cache_names(const CacheControl& cc, std::string_view field);
bool private_names(const CacheControl& cc, std::string_view field);
// Calls fn(name) for each field name in a quoted list such as `Set-Cookie, X-User`.
template <typename Fn>
void for_each_listed_field(std::string_view list, Fn&& fn) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto item = trim_ows(list.substr(0, comma));
        if (!item.empty()) fn(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
}

}  // namespace larder::http
