#include "larder/rules/query.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace larder::rules;

namespace {

std::string normalise(std::string_view q, bool sort, std::vector<std::string> drop = {}) {
    QueryPolicy p;
    p.sort = sort;
    for (const auto& d : drop) p.drop.emplace_back(d);
    std::string out = "prefix:";
    append_normalised_query(out, q, p);
    return out.substr(7);
}

}  // namespace

TEST(Query, IteratesRawParamsSkippingEmptySegments) {
    std::vector<std::string> seen;
    for_each_query_param("a=1&&b&c=&=x&d=e=f&", [&](const QueryParam& p) {
        seen.push_back(std::string(p.name) + "|" + std::string(p.value) + "|" + std::string(p.raw));
    });
    std::vector<std::string> want{"a|1|a=1", "b||b", "c||c=", "|x|=x", "d|e=f|d=e=f"};
    EXPECT_EQ(seen, want);
}

TEST(Query, FindParamComparesNamesExactly) {
    EXPECT_EQ(find_query_param("a=1&A=2&a=3", "a"), "1");
    EXPECT_EQ(find_query_param("a=1&A=2", "A"), "2");
    EXPECT_EQ(find_query_param("flag&x=1", "flag"), "");
    EXPECT_FALSE(find_query_param("x=1", "y").has_value());
    EXPECT_FALSE(find_query_param("a%5Fb=1", "a_b").has_value());  // names are not decoded
    EXPECT_FALSE(find_query_param("", "a").has_value());
}

TEST(Query, PercentDecoding) {
    std::string out;
    percent_decode("caf%C3%A9+au%20lait", out);
    EXPECT_EQ(out, "caf\xC3\xA9 au lait");
    percent_decode("100%", out);
    EXPECT_EQ(out, "100%");
    percent_decode("%zz%4", out);
    EXPECT_EQ(out, "%zz%4");
    EXPECT_TRUE(percent_decoded_equals("hello%20world", "hello world"));
    EXPECT_TRUE(percent_decoded_equals("a+b", "a b"));
    EXPECT_TRUE(percent_decoded_equals("%41", "A"));
    EXPECT_FALSE(percent_decoded_equals("%41", "%41"));
    EXPECT_FALSE(percent_decoded_equals("abc", "ab"));
    EXPECT_FALSE(percent_decoded_equals("ab", "abc"));
    EXPECT_TRUE(percent_decoded_equals("", ""));
}

TEST(Query, UnchangedWithoutPolicyButEmptySegmentsGo) {
    EXPECT_EQ(normalise("b=2&a=1", false), "b=2&a=1");
    EXPECT_EQ(normalise("b=2&&a=1&", false), "b=2&a=1");
    EXPECT_EQ(normalise("", false), "");
    EXPECT_EQ(normalise("q=caf%C3%A9&x=a+b", false), "q=caf%C3%A9&x=a+b");  // encoding kept
}

TEST(Query, DropsByGlob) {
    EXPECT_EQ(normalise("utm_source=x&id=3&fbclid=abc&utm_medium=y", false, {"utm_*", "fbclid"}),
              "id=3");
    EXPECT_EQ(normalise("utm_source=x&fbclid=abc", false, {"utm_*", "fbclid"}), "");
    // Exact names: "fbclid2" and "UTM_x" survive.
    EXPECT_EQ(normalise("fbclid2=1&UTM_x=2", false, {"utm_*", "fbclid"}), "fbclid2=1&UTM_x=2");
}

TEST(Query, SortsStablyByName) {
    EXPECT_EQ(normalise("b=2&a=1&c=3", true), "a=1&b=2&c=3");
    EXPECT_EQ(normalise("t=2&a=x&t=1&a=w", true), "a=x&a=w&t=2&t=1");
    EXPECT_EQ(normalise("b&a=", true), "a=&b");
    EXPECT_EQ(normalise("z=1&utm_source=q&a=2", true, {"utm_*"}), "a=2&z=1");
}

TEST(Query, SortsLongQueriesToo) {
    std::string q;
    std::string want;
    for (int i = 99; i >= 0; --i)
        q += (q.empty() ? "" : "&") + ("p" + std::to_string(1000 + i)) + "=" + std::to_string(i);
    for (int i = 0; i < 100; ++i)
        want +=
            (want.empty() ? "" : "&") + ("p" + std::to_string(1000 + i)) + "=" + std::to_string(i);
    EXPECT_EQ(normalise(q, true), want);
    // Repeated names stay in order past the inline limit too.
    std::string rep;
    for (int i = 0; i < 80; ++i) rep += "k=" + std::to_string(i) + "&";
    rep += "a=1";
    std::string rep_want = "a=1";
    for (int i = 0; i < 80; ++i) rep_want += "&k=" + std::to_string(i);
    EXPECT_EQ(normalise(rep, true), rep_want);
}

TEST(QueryNormalise, SortKeepsNamesTheAppDecodesAlikeInTheirOrder) {
    QueryPolicy p;
    p.sort = true;
    auto norm = [&](std::string_view q) {
        std::string out;
        append_normalised_query(out, q, p);
        return out;
    };
    // "%61" is "a" to the app: the first one it sees must stay first.
    EXPECT_EQ(norm("%61=1&a=2"), "%61=1&a=2");
    EXPECT_EQ(norm("a=2&%61=1"), "a=2&%61=1");
    EXPECT_EQ(norm("b=1&%61=2"), "%61=2&b=1");
    EXPECT_EQ(norm("x+y=1&x%20y=2&a=0"), "a=0&x+y=1&x%20y=2");
}
