// http::parse_http_date / format_http_date: HTTP-date (RFC 9110 section 5.6.7).
//
// Parsing accepts the three forms a recipient must accept: IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT")
// and asctime ("Sun Nov  6 08:49:37 1994"). The day name is checked for shape but not against
// the date (senders get it wrong and nothing depends on it); month names are case-sensitive as
// the grammar says; fields out of range (hour 24, day 32, Feb 30) are invalid. A two-digit RFC 850
// year more than 50 years in the future is taken as the past century (section 5.6.7). Leading and
// trailing whitespace is ignored; anything else is invalid, and invalid dates are nullopt so
// callers can apply the RFC's rule for each field (an invalid Expires means "already expired").
// Formatting always produces IMF-fixdate. Pure functions: no locale, no time zone, no clock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace larder::http {

using HttpTime = std::chrono::system_clock::time_point;

// `now` is only used for the RFC 850 two-digit year rule.
std::optional<HttpTime> parse_http_date(std::string_view text, HttpTime now = {});
std::string format_http_date(HttpTime t);

}  // namespace larder::http
