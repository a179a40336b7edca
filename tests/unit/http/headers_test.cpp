// Header utilities: case-insensitive lookups, token lists, cookies.
#include "larder/http/headers.hpp"
#include "larder/http/cookies.hpp"

#include <gtest/gtest.h>

using namespace larder::http;

TEST(Headers, LookupIsCaseInsensitiveAndKeepsDuplicates) {
    HeaderList h;
    h.add("Set-Cookie", "a=1");
    h.add("set-cookie", "b=2");
    EXPECT_EQ(h.get("SET-COOKIE").value(), "a=1");
    EXPECT_EQ(h.count("Set-Cookie"), 2u);
    EXPECT_FALSE(h.get("cookie").has_value());
}

TEST(Headers, HasTokenFindsListMembers) {
    EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
    EXPECT_TRUE(has_token("close", "close"));
    EXPECT_FALSE(has_token("closed", "close"));
    EXPECT_FALSE(has_token("", "close"));
}

TEST(Headers, TrimOws) {
    EXPECT_EQ(trim_ows(" \t a b \t"), "a b");
    EXPECT_EQ(trim_ows(""), "");
}

TEST(Cookies, FindsCookiesAcrossHeaders) {
    HeaderList h;
    h.add("Cookie", "_ga=GA1.2; session=abc");
    h.add("Cookie", "lang=fr;broken; =x; remember_token=");
    EXPECT_EQ(find_cookie(h, "session").value(), "abc");
    EXPECT_EQ(find_cookie(h, "lang").value(), "fr");
    EXPECT_EQ(find_cookie(h, "remember_token").value(), "");
    EXPECT_FALSE(find_cookie(h, "broken").has_value());
    EXPECT_FALSE(find_cookie(h, "Session").has_value());
}
