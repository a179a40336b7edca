// HTTP-date parsing with hand-written scanners (no sscanf/strptime: locale-free and strict).
#include "larder/http/http_date.hpp"

#include <array>
#include <cstdint>

namespace larder::http {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

struct Scanner {
    std::string_view s;
    std::size_t pos = 0;

    bool lit(std::string_view t) {
        if (s.substr(pos, t.size()) != t) return false;
        pos += t.size();
        return true;
    }
    // Exactly `n` digits.
    bool digits(int n, int& out) {
        out = 0;
        for (int i = 0; i < n; ++i, ++pos) {
            if (pos >= s.size() || s[pos] < '0' || s[pos] > '9') return false;
            out = out * 10 + (s[pos] - '0');
        }
        return true;
    }
    bool month(int& out) {
        for (std::size_t i = 0; i < kMonths.size(); ++i) {
            if (s.substr(pos, 3) == kMonths[i]) {
                pos += 3;
                out = static_cast<int>(i) + 1;
                return true;
            }
        }
        return false;
    }
    template <std::size_t N>
    bool one_of(const std::array<std::string_view, N>& names) {
        for (auto n : names)
            if (lit(n)) return true;
        return false;
    }
    // "HH:MM:SS"
    bool time(int& h, int& m, int& sec) {
        return digits(2, h) && lit(":") && digits(2, m) && lit(":") && digits(2, sec);
    }
    bool done() const { return pos == s.size(); }
};

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDaysIn[m - 1];
}

std::optional<HttpTime> make(int y, int mon, int d, int h, int m, int s) {
    if (y < 1601 || mon < 1 || mon > 12 || d < 1 || d > days_in_month(y, mon) || h > 23 || m > 59 ||
        s > 60)  // 60: a leap second, as the grammar allows
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y},
                                          std::chrono::month{static_cast<unsigned>(mon)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    const auto day = std::chrono::sys_days{ymd};
    return HttpTime{day.time_since_epoch() + std::chrono::hours{h} + std::chrono::minutes{m} +
                    std::chrono::seconds{s}};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<HttpTime> imf_fixdate(std::string_view text) {
    Scanner sc{text};
    int d, mon, y, h, m, s;
    if (sc.one_of(kDays) && sc.lit(", ") && sc.digits(2, d) && sc.lit(" ") && sc.month(mon) &&
        sc.lit(" ") && sc.digits(4, y) && sc.lit(" ") && sc.time(h, m, s) && sc.lit(" GMT") &&
        sc.done())
        return make(y, mon, d, h, m, s);
    return std::nullopt;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<HttpTime> rfc850(std::string_view text, HttpTime now) {
    Scanner sc{text};
    int d, mon, yy, h, m, s;
    if (!(sc.one_of(kLongDays) && sc.lit(", ") && sc.digits(2, d) && sc.lit("-") && sc.month(mon) &&
          sc.lit("-") && sc.digits(2, yy) && sc.lit(" ") && sc.time(h, m, s) && sc.lit(" GMT") &&
          sc.done()))
        return std::nullopt;
    // The year in the current century, unless that is more than 50 years ahead of `now`.
    const auto now_days = std::chrono::floor<std::chrono::days>(now);
    const int this_year = static_cast<int>(std::chrono::year_month_day{now_days}.year());
    int y = this_year - this_year % 100 + yy;
    if (y > this_year + 50) y -= 100;
    return make(y, mon, d, h, m, s);
}

// "Sun Nov  6 08:49:37 1994" (day padded with a space, or two digits)
std::optional<HttpTime> asctime_date(std::string_view text) {
    Scanner sc{text};
    int mon, d, h, m, s, y;
    if (!(sc.one_of(kDays) && sc.lit(" ") && sc.month(mon) && sc.lit(" "))) return std::nullopt;
    if (sc.lit(" ")) {
        if (!sc.digits(1, d)) return std::nullopt;
    } else if (!sc.digits(2, d)) {
        return std::nullopt;
    }
    if (sc.lit(" ") && sc.time(h, m, s) && sc.lit(" ") && sc.digits(4, y) && sc.done())
        return make(y, mon, d, h, m, s);
    return std::nullopt;
}

}  // namespace

std::optional<HttpTime> parse_http_date(std::string_view text, HttpTime now) {
    text = trim(text);
    if (text.size() < 24) return std::nullopt;
    if (text[3] == ',') return imf_fixdate(text);
    if (text[3] == ' ') return asctime_date(text);
    return rfc850(text, now);
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
