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

}  // namespace larder::http
