// parse_size, parse_duration and parse_host_port on their own.
#include <gtest/gtest.h>

#include "larder/config/loader.hpp"

namespace larder::config {
namespace {

TEST(ParseSize, AcceptsBinaryAndDecimalUnits) {
    EXPECT_EQ(parse_size("512"), 512u);
    EXPECT_EQ(parse_size("512B"), 512u);
    EXPECT_EQ(parse_size("16KiB"), 16u * 1024);
    EXPECT_EQ(parse_size("1MiB"), 1024u * 1024);
    EXPECT_EQ(parse_size("2GiB"), 2ull * 1024 * 1024 * 1024);
    EXPECT_EQ(parse_size("1TiB"), 1ull << 40);
    EXPECT_EQ(parse_size("10KB"), 10'000u);
    EXPECT_EQ(parse_size("2GB"), 2'000'000'000u);
    EXPECT_EQ(parse_size("3MB"), 3'000'000u);
    EXPECT_EQ(parse_size("16kib"), 16u * 1024);
    EXPECT_EQ(parse_size("16 KiB"), 16u * 1024);
    EXPECT_EQ(parse_size("0"), 0u);
}

TEST(ParseSize, RejectsMalformed) {
    for (const char* bad : {"", "lots", "KiB", "16XB", "-5", "1.5MiB", " 16KiB", "16KiBs",
                            "99999999999999999999", "20000000000TiB"}) {
        EXPECT_EQ(parse_size(bad), std::nullopt) << bad;
    }
}

TEST(ParseDuration, AcceptsUnitsAndSums) {
    EXPECT_EQ(parse_duration("250ms"), Duration{250});
    EXPECT_EQ(parse_duration("90s"), Duration{90'000});
    EXPECT_EQ(parse_duration("5m"), Duration{300'000});
    EXPECT_EQ(parse_duration("1h"), Duration{3'600'000});
    EXPECT_EQ(parse_duration("1d"), Duration{86'400'000});
    EXPECT_EQ(parse_duration("1h30m"), Duration{5'400'000});
    EXPECT_EQ(parse_duration("0s"), Duration{0});
}

TEST(ParseDuration, RejectsMalformed) {
    for (const char* bad : {"", "90", "soon", "s", "5 m", "1.5s", "-1s", "5M", "10y", "1h30",
                            "99999999999999999999d"}) {
        EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
    }
}

TEST(ParseHostPort, AcceptsNamesIpv4AndBracketedIpv6) {
    auto v4 = parse_host_port("127.0.0.1:8080");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 8080);
    auto v6 = parse_host_port("[::1]:80");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 80);
    auto name = parse_host_port("localhost:8000");
    ASSERT_TRUE(name);
    EXPECT_EQ(name->host, "localhost");
    EXPECT_EQ(name->port, 8000);
    auto any = parse_host_port("0.0.0.0:0");
    ASSERT_TRUE(any);
    EXPECT_EQ(any->port, 0);
}

TEST(ParseHostPort, RejectsMalformed) {
    for (const char* bad :
         {"", "localhost", ":8080", "host:", "host:http", "host:65536", "::1:80", "[::1]",
          "[::1]80", "[::1:80", "[]:80", "[zz::1]:80", "ho st:80", "host:80x"}) {
        EXPECT_EQ(parse_host_port(bad), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace larder::config
