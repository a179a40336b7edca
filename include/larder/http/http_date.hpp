// http::parse_http_date / format_http_date: HTTP-date (RFC 9110 section 5.6.7).
//
// Parsing accepts the three forms a recipient must accept: IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT")
// and asctime ("Sun Nov  6 08:49:37 1994"), read as leniently as the RFC encourages recipients to
// be: day and month names and the zone in any letter case, a short or long day name in either
// comma form, a one-digit day, a two- or four-digit year with spaces or dashes, runs of spaces,
// and GMT, UTC or UT. The day name is checked for shape but not against the date (senders get it
// wrong and nothing depends on it); fields out of range (hour 24, day 32, Feb 30) are invalid. A
// two-digit year more than 50 years in the future is taken as the past century. Dates are clamped
// to [1900, 2200] (the time type holds nanoseconds), so a far-future Expires such as the year 9999
// is far in the future, never an overflow. Leading and trailing whitespace is ignored; anything
// else is invalid, and invalid dates are nullopt so callers can apply the RFC's rule for each
// field (an invalid Expires, such as "0", means "already expired"). Formatting always produces
// IMF-fixdate. Pure functions: no locale, no time zone, no clock.
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
