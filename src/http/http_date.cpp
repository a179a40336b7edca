// HTTP-date parsing with a hand-written scanner (no sscanf/strptime: locale-free, lenient only
// where http_date.hpp says).
#include "larder/http/http_date.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace larder::http {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct Scanner {
    std::string_view s;
    std::size_t pos = 0;

    bool lit(char c) {
        if (pos >= s.size() || s[pos] != c) return false;
        ++pos;
        return true;
    }
    // One or more spaces.
    bool spaces() {
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] == ' ') ++pos;
        return pos > start;
    }
    // `min` to `max` digits; how many were read goes to `count`.
    bool digits(int min, int max, int& out, int* count = nullptr) {
        out = 0;
        int i = 0;
        for (; i < max && pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++i, ++pos)
            out = out * 10 + (s[pos] - '0');
        if (count) *count = i;
        return i >= min;
    }
    std::string_view word() {
        const std::size_t start = pos;
        while (pos < s.size() && is_letter(s[pos])) ++pos;
        return s.substr(start, pos - start);
    }
    bool month(int& out) {
        const std::string_view w = word();
        for (std::size_t i = 0; i < kMonths.size(); ++i) {
            if (iequal(w, kMonths[i])) {
                out = static_cast<int>(i) + 1;
                return true;
            }
        }
        return false;
    }
    // "HH:MM:SS"
    bool time(int& h, int& m, int& sec) {
        return digits(2, 2, h) && lit(':') && digits(2, 2, m) && lit(':') && digits(2, 2, sec);
    }
    bool done() const { return pos == s.size(); }
};

bool day_name(std::string_view w) {
    for (auto n : kDays)
        if (iequal(w, n)) return true;
    for (auto n : kLongDays)
        if (iequal(w, n)) return true;
    return false;
}

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDaysIn[m - 1];
}

// Dates are held in nanoseconds (about 1678-2262): anything outside [1900, 2200] is clamped to
// those bounds, so "Fri, 31 Dec 9999 23:59:59 GMT" is far in the future, not an overflow.
constexpr std::int64_t kEarliest = -2208988800;  // 1900-01-01T00:00:00Z
constexpr std::int64_t kLatest = 7258118400;     // 2200-01-01T00:00:00Z

std::optional<HttpTime> make(int y, int mon, int d, int h, int m, int s) {
    if (y < 1601 || y > 9999 || mon < 1 || mon > 12 || d < 1 || d > days_in_month(y, mon) ||
        h > 23 || m > 59 || s > 60)  // 60: a leap second, as the grammar allows
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y},
                                          std::chrono::month{static_cast<unsigned>(mon)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    const std::int64_t day = std::chrono::sys_days{ymd}.time_since_epoch().count();
    const std::int64_t secs =
        std::clamp<std::int64_t>(day * 86400 + h * 3600 + m * 60 + s, kEarliest, kLatest);
    return HttpTime{std::chrono::seconds{secs}};
}

// A two-digit year: in the century of `now`, unless that is more than 50 years ahead of it
// (RFC 9110 section 5.6.7).
int full_year(int yy, HttpTime now) {
    const auto now_days = std::chrono::floor<std::chrono::days>(now);
    const int this_year = static_cast<int>(std::chrono::year_month_day{now_days}.year());
    int y = this_year - this_year % 100 + yy;
    if (y > this_year + 50) y -= 100;
    return y;
}

// After "day-name,": "06 Nov 1994 08:49:37 GMT" (IMF-fixdate) or "06-Nov-94 08:49:37 GMT"
// (RFC 850), read leniently: names in any case, a one-digit day, a two- or four-digit year with
// either separator, runs of spaces, GMT, UTC or UT in any case.
std::optional<HttpTime> day_month_year(Scanner& sc, HttpTime now) {
    int d, mon, y, h, m, s, year_digits = 0;
    if (!sc.digits(1, 2, d)) return std::nullopt;
    const bool dashes = sc.lit('-');
    if (!dashes && !sc.spaces()) return std::nullopt;
    if (!sc.month(mon)) return std::nullopt;
    if (!(dashes ? sc.lit('-') : sc.spaces())) return std::nullopt;
    if (!sc.digits(2, 4, y, &year_digits) || year_digits == 3) return std::nullopt;
    if (!sc.spaces() || !sc.time(h, m, s) || !sc.spaces()) return std::nullopt;
    const std::string_view zone = sc.word();
    if (!iequal(zone, "GMT") && !iequal(zone, "UTC") && !iequal(zone, "UT")) return std::nullopt;
    if (!sc.done()) return std::nullopt;
    if (year_digits == 2) y = full_year(y, now);
    return make(y, mon, d, h, m, s);
}

// After "day-name ": "Nov  6 08:49:37 1994" (asctime).
std::optional<HttpTime> asctime_rest(Scanner& sc) {
    int mon, d, h, m, s, y;
    if (!sc.month(mon) || !sc.spaces() || !sc.digits(1, 2, d) || !sc.spaces() ||
        !sc.time(h, m, s) || !sc.spaces() || !sc.digits(4, 4, y) || !sc.done())
        return std::nullopt;
    return make(y, mon, d, h, m, s);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<HttpTime> parse_http_date(std::string_view text, HttpTime now) {
    Scanner sc{trim(text)};
    if (!day_name(sc.word())) return std::nullopt;
    if (sc.lit(',')) {  // IMF-fixdate or RFC 850
        sc.spaces();
        return day_month_year(sc, now);
    }
    if (!sc.spaces()) return std::nullopt;
    return asctime_rest(sc);
}

std::string format_http_date(HttpTime t) {
    const auto secs = std::chrono::floor<std::chrono::seconds>(t);
    const auto day = std::chrono::floor<std::chrono::days>(secs);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{secs - day};
    const std::chrono::weekday wd{day};
    // Monday is index 0 in kDays; weekday::c_encoding() has Sunday = 0.
    const std::string_view day_name = kDays[(wd.c_encoding() + 6) % 7];
    char buf[32];
    auto two = [](char* p, unsigned v) {
        p[0] = static_cast<char>('0' + v / 10);
        p[1] = static_cast<char>('0' + v % 10);
    };
    std::string out;
    out.reserve(29);
    out.append(day_name).append(", ");
    two(buf, static_cast<unsigned>(ymd.day()));
    out.append(buf, 2).push_back(' ');
    out.append(kMonths[static_cast<unsigned>(ymd.month()) - 1]).push_back(' ');
    const int y = static_cast<int>(ymd.year());
    two(buf, static_cast<unsigned>(y / 100 % 100));
    two(buf + 2, static_cast<unsigned>(y % 100));
    out.append(buf, 4).push_back(' ');
    two(buf, static_cast<unsigned>(hms.hours().count()));
    buf[2] = ':';
    two(buf + 3, static_cast<unsigned>(hms.minutes().count()));
    buf[5] = ':';
    two(buf + 6, static_cast<unsigned>(hms.seconds().count()));
    out.append(buf, 8).append(" GMT");
    return out;
}

}  // namespace larder::http
