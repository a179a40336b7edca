// [cluster]: off by default, every key read, and mistakes named with file, line and key.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using namespace std::chrono_literals;
using testing::error_of;
using testing::with_upstream;

TEST(ClusterSection, OffWithoutTheSection) {
    Config c = load_string(with_upstream(""));
    EXPECT_FALSE(c.cluster.enabled);
}

TEST(ClusterSection, DefaultsWhenPresent) {
    Config c = load_string(with_upstream("[cluster]\n"));
    EXPECT_TRUE(c.cluster.enabled);
    EXPECT_EQ(c.cluster.node, "");
    EXPECT_EQ(c.cluster.redis.host, "127.0.0.1");
    EXPECT_EQ(c.cluster.redis.port, 6379);
    EXPECT_EQ(c.cluster.stream, "larder:purges");
    EXPECT_EQ(c.cluster.nodes_key, "larder:nodes");
    EXPECT_EQ(c.cluster.stream_max_length, 100'000u);
    EXPECT_EQ(c.cluster.heartbeat, 1s);
    EXPECT_EQ(c.cluster.command_timeout, 2s);
    EXPECT_EQ(c.cluster.max_queued_purges, 10'000u);
    EXPECT_EQ(c.cluster.state_file, "");
}

TEST(ClusterSection, ReadsEveryKey) {
    Config c = load_string(with_upstream(
        "[cluster]\nnode = \"cache-1\"\nredis = \"unix:/run/redis/redis.sock\"\n"
        "stream = \"s\"\nnodes_key = \"n\"\nstream_max_length = 500\nconnect_timeout = \"250ms\"\n"
        "command_timeout = \"3s\"\nheartbeat = \"2s\"\nreconnect_max = \"10s\"\n"
        "max_queued_purges = 7\nstate_file = \"/var/lib/larder/pos\"\n"));
    EXPECT_EQ(c.cluster.node, "cache-1");
    EXPECT_EQ(c.cluster.redis_socket, "/run/redis/redis.sock");
    EXPECT_EQ(c.cluster.stream, "s");
    EXPECT_EQ(c.cluster.nodes_key, "n");
    EXPECT_EQ(c.cluster.stream_max_length, 500u);
    EXPECT_EQ(c.cluster.connect_timeout, 250ms);
    EXPECT_EQ(c.cluster.heartbeat, 2s);
    EXPECT_EQ(c.cluster.reconnect_max, 10s);
    EXPECT_EQ(c.cluster.max_queued_purges, 7u);
    EXPECT_EQ(c.cluster.state_file, "/var/lib/larder/pos");
    Config tcp = load_string(with_upstream("[cluster]\nredis = \"10.0.0.5:6380\"\n"));
    EXPECT_EQ(tcp.cluster.redis.host, "10.0.0.5");
    EXPECT_EQ(tcp.cluster.redis.port, 6380);
}

TEST(ClusterSection, NamesTheKeyAndLine) {
    ConfigError e = error_of(with_upstream("[cluster]\nnode = \"cache 1\"\n"));
    EXPECT_EQ(e.key(), "cluster.node");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(error_of(with_upstream("[cluster]\nredis = \"localhost\"\n")).key(), "cluster.redis");
    EXPECT_EQ(error_of(with_upstream("[cluster]\nredis = \"host:0\"\n")).key(), "cluster.redis");
    EXPECT_EQ(error_of(with_upstream("[cluster]\nredis = \"unix:relative.sock\"\n")).key(),
              "cluster.redis");
    EXPECT_EQ(error_of(with_upstream("[cluster]\nstream = \"a b\"\n")).key(), "cluster.stream");
    EXPECT_EQ(error_of(with_upstream("[cluster]\nstream_max_length = 5\n")).key(),
              "cluster.stream_max_length");
    EXPECT_EQ(error_of(with_upstream("[cluster]\nheartbeat = \"2m\"\n")).key(),
              "cluster.heartbeat");
    EXPECT_EQ(error_of(with_upstream("[cluster]\nnodes_key = \"larder:purges\"\n")).key(),
              "cluster.nodes_key");
    EXPECT_EQ(error_of(with_upstream("[cluster]\nnoed = \"a\"\n")).key(), "cluster.noed");
}

}  // namespace
}  // namespace larder::config
