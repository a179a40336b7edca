#include "larder/http/http_date.hpp"

#include <gtest/gtest.h>

namespace larder::http {
namespace {

using namespace std::chrono;

// 1994-11-06 08:49:37 UTC, the RFC's example.
constexpr auto kExample = HttpTime{seconds{784111777}};

TEST(HttpDate, ImfFixdate) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
}

TEST(HttpDate, Rfc850) {
    const HttpTime now = HttpTime{seconds{1'700'000'000}};  // 2023
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now), kExample);
    // Two-digit years more than 50 years ahead are the past century; others this century.
    auto y2030 = parse_http_date("Tuesday, 01-Jan-30 00:00:00 GMT", now);
    ASSERT_TRUE(y2030);
    EXPECT_EQ(year_month_day{floor<days>(*y2030)}.year(), year{2030});
}

TEST(HttpDate, Asctime) {
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kExample);
    EXPECT_EQ(parse_http_date("Sun Nov 06 08:49:37 1994"), kExample);
}

TEST(HttpDate, SurroundingWhitespaceIgnored) {
    EXPECT_EQ(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT\t"), kExample);
}

TEST(HttpDate, InvalidForms) {
    for (const char* bad :
         {"", "0", "-1", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 24:00:00 GMT",
          "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1995 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:49:37 CET", "Sun, 06 Nov 1994 08:49:37 GMT x",
          "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun Nov  6 08:49:37 94", "Sun, 06 Nov 994 08:49:37 GMT",
          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
          "06 Nov 1994 08:49:37 GMT", "Sun, 06-Nov 1994 08:49:37 GMT",
          "Sun,06 Nov 1994 08:49:37 GMT extra", "Sun, 00 Nov 1994 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:60:37 GMT"}) {
        EXPECT_FALSE(parse_http_date(bad)) << bad;
    }
}

TEST(HttpDate, LenientAsTheRfcEncourages) {
    const HttpTime now = HttpTime{seconds{1'700'000'000}};  // 2023
    for (const char* odd : {"sun, 06 nov 1994 08:49:37 gmt", "SUN, 06 NOV 1994 08:49:37 GMT",
                            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
                            "Sun, 06 Nov 1994 08:49:37 UT", "Sun,  06  Nov  1994 08:49:37  GMT",
                            "Sun, 06-Nov-1994 08:49:37 GMT", "Sun, 06-Nov-94 08:49:37 GMT",
                            "sunday, 06-nov-94 08:49:37 gmt", "Sunday, 06 Nov 1994 08:49:37 GMT",
                            "sun nov  6 08:49:37 1994", "Sun,06 Nov 1994 08:49:37 GMT"})
        EXPECT_EQ(parse_http_date(odd, now), kExample) << odd;
}

TEST(HttpDate, TwoDigitYearsFollowTheFiftyYearRule) {
    const HttpTime now = HttpTime{seconds{1'700'000'000}};  // 2023
    auto year_of = [&](const char* text) {
        auto t = parse_http_date(text, now);
        return t ? static_cast<int>(year_month_day{floor<days>(*t)}.year()) : 0;
    };
    EXPECT_EQ(year_of("Monday, 01-Jan-73 00:00:00 GMT"), 2073);  // exactly 50 years ahead
    EXPECT_EQ(year_of("Monday, 01-Jan-74 00:00:00 GMT"), 1974);  // more than 50: the past
    EXPECT_EQ(year_of("Monday, 01-Jan-00 00:00:00 GMT"), 2000);
}

TEST(HttpDate, FarDatesAreClampedNotOverflowed) {
    auto far = parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT");
    ASSERT_TRUE(far);
    EXPECT_GT(*far, HttpTime{seconds{1'700'000'000}} + years{150});
    EXPECT_EQ(year_month_day{floor<days>(*far)}.year(), year{2200});
    auto old = parse_http_date("Mon, 01 Jan 1601 00:00:00 GMT");
    ASSERT_TRUE(old);
    EXPECT_EQ(year_month_day{floor<days>(*old)}.year(), year{1900});
}

TEST(HttpDate, LeapDay) {
    EXPECT_TRUE(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT"));
}

TEST(HttpDate, FormatRoundTrips) {
    EXPECT_EQ(format_http_date(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
    const HttpTime t = HttpTime{seconds{1'700'000'000}} + milliseconds{999};
    EXPECT_EQ(format_http_date(t), "Tue, 14 Nov 2023 22:13:20 GMT");
    EXPECT_EQ(parse_http_date(format_http_date(t)), floor<seconds>(t));
}

}  // namespace
}  // namespace larder::http
