#include "larder/obs/request_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace larder::obs;

TEST(RequestId, PrefixThenCounterInHex) {
    RequestIds ids(0x0123456789abcdefull);
    EXPECT_EQ(ids.next().view(), "0123456789abcdef0000000000000001");
    EXPECT_EQ(ids.next().view(), "0123456789abcdef0000000000000002");
}

TEST(RequestId, GeneratorsDrawDifferentPrefixes) {
    RequestIds a, b;
    std::string x(a.next().view()), y(b.next().view());
    EXPECT_NE(x.substr(0, 16), y.substr(0, 16));  // 2^-64 chance of a false failure
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) seen.emplace(a.next().view());
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestId, AcceptableClientIds) {
    EXPECT_TRUE(acceptable_request_id("abc-123"));
    EXPECT_TRUE(acceptable_request_id(std::string(kMaxRequestIdLength, 'a')));
    EXPECT_FALSE(acceptable_request_id(""));
    EXPECT_FALSE(acceptable_request_id(std::string(kMaxRequestIdLength + 1, 'a')));
    EXPECT_FALSE(acceptable_request_id("a b"));
    EXPECT_FALSE(acceptable_request_id("a\tb"));
    EXPECT_FALSE(acceptable_request_id("caf\xc3\xa9"));
    EXPECT_FALSE(acceptable_request_id(std::string("a\0b", 3)));
    EXPECT_FALSE(acceptable_request_id("a\x7f"));
}
