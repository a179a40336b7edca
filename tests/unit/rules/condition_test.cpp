#include "larder/rules/condition.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "larder/rules/regex.hpp"
#include "test_request.hpp"

using namespace larder::rules;
using larder::rules::testing::TestRequest;
using Kind = larder::config::Condition::Kind;

namespace {

Condition cond(std::string name, Kind kind, std::string value = {}) {
    return Condition(larder::config::Condition{std::move(name), kind, std::move(value)});
}

}  // namespace

TEST(Regex, CompilesWithJitAndSearchesUnanchored) {
    Regex r("^/api/v[0-9]+/");
    EXPECT_TRUE(r.jit());
    EXPECT_TRUE(r.search("/api/v2/users"));
    EXPECT_FALSE(r.search("/x/api/v2/users"));
    Regex loose("\\.(css|js)$");
    EXPECT_TRUE(loose.search("/static/a.css"));
    EXPECT_FALSE(loose.search("/static/a.css.map"));
    Regex empty_ok("^$");
    EXPECT_TRUE(empty_ok.search(""));
}

TEST(Regex, BadPatternThrowsWithMessage) {
    try {
        Regex r("(unclosed");
        FAIL() << "expected a throw";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("(unclosed"), std::string::npos) << e.what();
    }
}

TEST(Regex, SearchesFromManyThreads) {
    Regex r("^/p/[0-9]+$");
    std::vector<std::thread> threads;
    std::atomic<int> hits{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) hits += r.search("/p/" + std::to_string(i)) ? 1 : 0;
            hits += r.search("/p/x") ? 1 : 0;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(hits.load(), 4000);
}

TEST(Condition, KindsOnValues) {
    EXPECT_TRUE(cond("x", Kind::Present).holds("", false));
    EXPECT_FALSE(cond("x", Kind::Present).holds(std::nullopt, false));
    EXPECT_TRUE(cond("x", Kind::Absent).holds(std::nullopt, false));
    EXPECT_FALSE(cond("x", Kind::Absent).holds("v", false));
    EXPECT_TRUE(cond("x", Kind::Empty).holds("", false));
    EXPECT_FALSE(cond("x", Kind::Empty).holds("v", false));
    EXPECT_FALSE(cond("x", Kind::Empty).holds(std::nullopt, false));
    EXPECT_TRUE(cond("x", Kind::Equals, "a b").holds("a b", false));
    EXPECT_FALSE(cond("x", Kind::Equals, "a b").holds("a+b", false));
    EXPECT_TRUE(cond("x", Kind::Equals, "a b").holds("a+b", true));
    EXPECT_FALSE(cond("x", Kind::Equals, "").holds(std::nullopt, false));
    EXPECT_TRUE(cond("x", Kind::Regex, "^en").holds("en-GB", false));
    EXPECT_FALSE(cond("x", Kind::Regex, "^en").holds(std::nullopt, false));
    EXPECT_THROW(cond("x", Kind::Regex, "[a-"), std::invalid_argument);
}

TEST(Condition, QueryValuesArePercentDecodedNamesAreNot) {
    std::string_view q = "lang=fr&q=caf%C3%A9+cr%C3%A8me&page=2&flag&e=&a%20b=1";
    EXPECT_TRUE(cond("lang", Kind::Equals, "fr").holds_in_query(q));
    EXPECT_TRUE(cond("q", Kind::Equals, "caf\xC3\xA9 cr\xC3\xA8me").holds_in_query(q));
    EXPECT_TRUE(cond("q", Kind::Regex, "^caf\xC3\xA9 ").holds_in_query(q));
    EXPECT_FALSE(cond("q", Kind::Regex, "%C3").holds_in_query(q));
    EXPECT_TRUE(cond("page", Kind::Regex, "^[0-9]+$").holds_in_query(q));
    EXPECT_TRUE(cond("flag", Kind::Present).holds_in_query(q));
    EXPECT_TRUE(cond("flag", Kind::Empty).holds_in_query(q));
    EXPECT_TRUE(cond("e", Kind::Empty).holds_in_query(q));
    EXPECT_FALSE(cond("lang", Kind::Empty).holds_in_query(q));
    EXPECT_TRUE(cond("debug", Kind::Absent).holds_in_query(q));
    EXPECT_FALSE(cond("Lang", Kind::Present).holds_in_query(q));
    EXPECT_FALSE(cond("a b", Kind::Present).holds_in_query(q));
    EXPECT_TRUE(cond("a%20b", Kind::Present).holds_in_query(q));
    EXPECT_TRUE(cond("x", Kind::Absent).holds_in_query(""));
}

TEST(Condition, CookiesAsSent) {
    TestRequest r("/");
    r.cookie("lang=fr; consent=\"yes\"; empty=").cookie("second=2");
    const auto& h = r.get().headers;
    EXPECT_TRUE(cond("lang", Kind::Equals, "fr").holds_in_cookies(h));
    EXPECT_TRUE(cond("consent", Kind::Equals, "\"yes\"").holds_in_cookies(h));
    EXPECT_TRUE(cond("empty", Kind::Empty).holds_in_cookies(h));
    EXPECT_TRUE(cond("second", Kind::Present).holds_in_cookies(h));
    EXPECT_TRUE(cond("LANG", Kind::Absent).holds_in_cookies(h));
    EXPECT_TRUE(cond("lang", Kind::Regex, "^f").holds_in_cookies(h));
}

TEST(Condition, HeadersByCaseInsensitiveName) {
    TestRequest r("/");
    r.header("X-Requested-With", "XMLHttpRequest").header("Accept", "text/html").header("X-E", "");
    const auto& h = r.get().headers;
    EXPECT_TRUE(cond("x-requested-with", Kind::Present).holds_in_headers(h));
    EXPECT_TRUE(cond("X-REQUESTED-WITH", Kind::Equals, "XMLHttpRequest").holds_in_headers(h));
    EXPECT_FALSE(cond("x-requested-with", Kind::Equals, "xmlhttprequest").holds_in_headers(h));
    EXPECT_TRUE(cond("accept", Kind::Regex, "text/html").holds_in_headers(h));
    EXPECT_TRUE(cond("x-e", Kind::Empty).holds_in_headers(h));
    EXPECT_TRUE(cond("x-none", Kind::Absent).holds_in_headers(h));
}
