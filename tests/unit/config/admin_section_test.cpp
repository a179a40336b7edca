// [admin]: defaults, listen forms, the token and allow checks, and the refusal of a non-loopback
// admin address without a token (file, line, key); AddressRange parsing and matching.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using testing::error_of;
using testing::with_upstream;

TEST(AdminSection, DefaultsToLoopbackWithoutToken) {
    Config c = load_string(with_upstream(""));
    ASSERT_EQ(c.admin.listen.size(), 1u);
    EXPECT_EQ(c.admin.listen[0].host, "127.0.0.1");
    EXPECT_EQ(c.admin.listen[0].port, 9180);
    EXPECT_TRUE(c.admin.token.empty());
    EXPECT_TRUE(c.admin.allow.empty());
}

TEST(AdminSection, EmptyListTurnsTheListenerOff) {
    Config c = load_string(with_upstream("[admin]\nlisten = []\n"));
    EXPECT_TRUE(c.admin.listen.empty());
}

TEST(AdminSection, ReadsTokenAllowAndSeveralAddresses) {
    Config c = load_string(with_upstream(
        "[admin]\nlisten = [\"0.0.0.0:9180\", \"[::1]:9181\"]\ntoken = \"0123456789abcdef\"\n"
        "allow = [\"10.0.0.0/8\", \"::1\"]\n"));
    ASSERT_EQ(c.admin.listen.size(), 2u);
    EXPECT_EQ(c.admin.token, "0123456789abcdef");
    ASSERT_EQ(c.admin.allow.size(), 2u);
    EXPECT_TRUE(c.admin.allow[0].contains("10.20.30.40"));
}

TEST(AdminSection, NonLoopbackWithoutTokenIsRefusedAtTheAddress) {
    ConfigError e = error_of(with_upstream(
        "[admin]\nallow = [\"10.0.0.0/8\"]\nlisten = [\"127.0.0.1:0\", \"192.168.1.2:9180\"]\n"));
    EXPECT_EQ(e.file(), "test.toml");
    EXPECT_EQ(e.line(), 5);
    EXPECT_EQ(e.key(), "admin.listen[1]");
    EXPECT_NE(e.problem().find("not a loopback address"), std::string::npos);
    EXPECT_NE(e.problem().find("admin.token"), std::string::npos);

    ConfigError single = error_of(with_upstream("[admin]\nlisten = \"[::]:9180\"\n"));
    EXPECT_EQ(single.key(), "admin.listen");
    EXPECT_EQ(single.line(), 4);
}

TEST(AdminSection, LoopbackSpellingsNeedNoToken) {
    for (const char* address : {"127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "localhost:1"})
        EXPECT_NO_THROW(
            load_string(with_upstream(std::string("[admin]\nlisten = \"") + address + "\"\n")))
            << address;
}

TEST(AdminSection, BadValuesNameTheirKey) {
    EXPECT_EQ(error_of(with_upstream("[admin]\ntoken = \"short\"\n")).key(), "admin.token");
    EXPECT_EQ(error_of(with_upstream("[admin]\ntoken = \"has a space in it.....\"\n")).key(),
              "admin.token");
    EXPECT_EQ(error_of(with_upstream("[admin]\nallow = [\"::1\", \"10.0.0.0/40\"]\n")).key(),
              "admin.allow[1]");
    EXPECT_EQ(error_of(with_upstream("[admin]\nallow = \"example.com\"\n")).key(), "admin.allow");
    EXPECT_EQ(error_of(with_upstream("[admin]\nlisten = 9180\n")).key(), "admin.listen");
    EXPECT_EQ(error_of(with_upstream("[admin]\ntokn = \"0123456789abcdef\"\n")).key(),
              "admin.tokn");
}

TEST(AddressRange, ParsesAndMatches) {
    auto v4 = AddressRange::parse("10.1.2.3/8");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->contains("10.255.0.1"));
    EXPECT_TRUE(v4->contains("::ffff:10.0.0.1"));  // IPv4-mapped peers match IPv4 ranges
    EXPECT_FALSE(v4->contains("11.0.0.1"));
    EXPECT_FALSE(v4->contains("not an address"));

    auto one = AddressRange::parse("192.168.1.7");
    ASSERT_TRUE(one);
    EXPECT_TRUE(one->contains("192.168.1.7"));
    EXPECT_FALSE(one->contains("192.168.1.8"));

    auto v6 = AddressRange::parse("fd00::/8");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->contains("fd12:3456::1"));
    EXPECT_FALSE(v6->contains("fe80::1"));
    EXPECT_FALSE(v6->contains("10.0.0.1"));

    auto any = AddressRange::parse("0.0.0.0/0");
    ASSERT_TRUE(any);
    EXPECT_TRUE(any->contains("8.8.8.8"));
    EXPECT_FALSE(any->contains("::1"));  // an IPv4 range never matches a real IPv6 peer

    for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "::1/129", "10.1", "host.example",
                            "10.0.0.0/8/8", "10.0.0.0/-1", "1.2.3.4/ 8"})
        EXPECT_FALSE(AddressRange::parse(bad)) << bad;
}

TEST(AddressRange, LoopbackHosts) {
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.200.0.1"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_FALSE(is_loopback_host("0.0.0.0"));
    EXPECT_FALSE(is_loopback_host("::"));
    EXPECT_FALSE(is_loopback_host("10.0.0.1"));
    EXPECT_FALSE(is_loopback_host("example.com"));
}

}  // namespace
}  // namespace larder::config
