// [upstream] pool settings: balance, slow start, retries, queue, per-server limits and backups,
// and [upstream.health]; defaults, values, and errors that name file:line:col, key and expectation.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using namespace std::chrono_literals;
using testing::error_of;

TEST(UpstreamPool, Defaults) {
    Config c = load_string(testing::kUpstream, "test.toml");
    const auto& u = c.upstream;
    EXPECT_EQ(u.balance, Balance::RoundRobin);
    EXPECT_EQ(u.slow_start, 10s);
    EXPECT_EQ(u.retries, 1u);
    EXPECT_EQ(u.queue, 256u);
    EXPECT_EQ(u.queue_timeout, 5s);
    EXPECT_EQ(u.servers[0].max_connections, 0u);
    EXPECT_FALSE(u.servers[0].backup);
    EXPECT_TRUE(u.health.path.empty());
    EXPECT_EQ(u.health.interval, 5s);
    EXPECT_EQ(u.health.timeout, 2s);
    EXPECT_EQ(u.health.expect_status, std::vector<int>{200});
    EXPECT_EQ(u.health.rise, 2u);
    EXPECT_EQ(u.health.fall, 3u);
    EXPECT_EQ(u.health.max_fails, 3u);
    EXPECT_EQ(u.health.fail_timeout, 10s);
}

TEST(UpstreamPool, EverySettingIsRead) {
    Config c = load_string(R"(
[upstream]
balance = "least_conn"
slow_start = "30s"
retries = 2
queue = 10
queue_timeout = "250ms"

[[upstream.servers]]
address = "127.0.0.1:8000"
weight = 3
max_connections = 8

[[upstream.servers]]
address = "127.0.0.1:8001"
backup = true

[upstream.health]
path = "/healthz"
interval = "2s"
timeout = "500ms"
expect_status = [200, 204]
rise = 3
fall = 1
max_fails = 0
fail_timeout = "1m"
)",
                           "test.toml");
    const auto& u = c.upstream;
    EXPECT_EQ(u.balance, Balance::LeastConn);
    EXPECT_EQ(u.slow_start, 30s);
    EXPECT_EQ(u.retries, 2u);
    EXPECT_EQ(u.queue, 10u);
    EXPECT_EQ(u.queue_timeout, 250ms);
    ASSERT_EQ(u.servers.size(), 2u);
    EXPECT_EQ(u.servers[0].max_connections, 8u);
    EXPECT_EQ(u.servers[0].weight, 3u);
    EXPECT_TRUE(u.servers[1].backup);
    EXPECT_EQ(u.health.path, "/healthz");
    EXPECT_EQ(u.health.interval, 2s);
    EXPECT_EQ(u.health.timeout, 500ms);
    EXPECT_EQ(u.health.expect_status, (std::vector<int>{200, 204}));
    EXPECT_EQ(u.health.rise, 3u);
    EXPECT_EQ(u.health.fall, 1u);
    EXPECT_EQ(u.health.max_fails, 0u);
    EXPECT_EQ(u.health.fail_timeout, 1min);
}

TEST(UpstreamPool, EachBalanceName) {
    const std::pair<const char*, Balance> cases[] = {{"round_robin", Balance::RoundRobin},
                                                     {"least_conn", Balance::LeastConn},
                                                     {"random_two", Balance::RandomTwo},
                                                     {"hash", Balance::Hash}};
    for (const auto& [name, value] : cases) {
        Config c = load_string(
            testing::with_upstream(std::string("[upstream]\nbalance = \"") + name + "\"\n"),
            "test.toml");
        EXPECT_EQ(c.upstream.balance, value) << name;
    }
}

TEST(UpstreamPool, SlowStartZeroTurnsItOff) {
    Config c = load_string(testing::with_upstream("[upstream]\nslow_start = \"0s\"\n"), "t.toml");
    EXPECT_EQ(c.upstream.slow_start, 0ms);
}

TEST(UpstreamPool, ExpectStatusMayBeOneCode) {
    Config c = load_string(testing::with_upstream("[upstream.health]\nexpect_status = 204\n"), "t");
    EXPECT_EQ(c.upstream.health.expect_status, std::vector<int>{204});
}

TEST(UpstreamPoolErrors, UnknownBalance) {
    auto e = error_of(testing::with_upstream("[upstream]\nbalance = \"fastest\"\n"));
    EXPECT_EQ(e.key(), "upstream.balance");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 1);
    EXPECT_NE(
        std::string(e.what()).find("\"round_robin\", \"least_conn\", \"random_two\", \"hash\""),
        std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("test.toml:4:1"), std::string::npos) << e.what();
}

TEST(UpstreamPoolErrors, NegativeMaxConnections) {
    auto e = error_of("[[upstream.servers]]\naddress = \"127.0.0.1:8000\"\nmax_connections = -1\n");
    EXPECT_EQ(e.key(), "upstream.servers[0].max_connections");
    EXPECT_EQ(e.line(), 3);
}

TEST(UpstreamPoolErrors, BackupMustBeBool) {
    auto e = error_of("[[upstream.servers]]\naddress = \"127.0.0.1:8000\"\nbackup = \"yes\"\n");
    EXPECT_EQ(e.key(), "upstream.servers[0].backup");
    EXPECT_NE(std::string(e.what()).find("true or false"), std::string::npos) << e.what();
}

TEST(UpstreamPoolErrors, OnlyBackups) {
    auto e = error_of("[[upstream.servers]]\naddress = \"127.0.0.1:8000\"\nbackup = true\n");
    EXPECT_EQ(e.key(), "upstream.servers");
    EXPECT_NE(std::string(e.what()).find("backup = false"), std::string::npos) << e.what();
}

TEST(UpstreamPoolErrors, HealthPathMustBeAPath) {
    auto e = error_of(testing::with_upstream("[upstream.health]\npath = \"healthz\"\n"));
    EXPECT_EQ(e.key(), "upstream.health.path");
    EXPECT_EQ(e.line(), 4);
    EXPECT_NE(std::string(e.what()).find("starting with '/'"), std::string::npos) << e.what();
}

TEST(UpstreamPoolErrors, HealthExpectStatusOutOfRange) {
    auto e = error_of(testing::with_upstream("[upstream.health]\nexpect_status = [200, 999]\n"));
    EXPECT_EQ(e.key(), "upstream.health.expect_status[1]");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 23);
    EXPECT_NE(std::string(e.what()).find("status code from 100 to 599"), std::string::npos);
}

TEST(UpstreamPoolErrors, HealthRiseZero) {
    auto e = error_of(testing::with_upstream("[upstream.health]\nrise = 0\n"));
    EXPECT_EQ(e.key(), "upstream.health.rise");
}

TEST(UpstreamPoolErrors, HealthTimeoutLongerThanInterval) {
    auto e = error_of(testing::with_upstream(
        "[upstream.health]\npath = \"/h\"\ninterval = \"1s\"\ntimeout = \"2s\"\n"));
    EXPECT_EQ(e.key(), "upstream.health.timeout");
    EXPECT_EQ(e.line(), 6);
}

TEST(UpstreamPoolErrors, UnknownHealthKeyIsNamed) {
    auto e = error_of(testing::with_upstream("[upstream.health]\nfalls = 2\n"));
    EXPECT_EQ(e.key(), "upstream.health.falls");
    EXPECT_NE(std::string(e.what()).find("fall"), std::string::npos) << e.what();
}

TEST(UpstreamPoolErrors, QueueTimeoutZero) {
    auto e = error_of(testing::with_upstream("[upstream]\nqueue_timeout = \"0s\"\n"));
    EXPECT_EQ(e.key(), "upstream.queue_timeout");
}

}  // namespace
}  // namespace larder::config
