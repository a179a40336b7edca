// Leaving a key out gives the default documented in config.hpp and docs/configuration.md.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using namespace std::chrono_literals;
using testing::kUpstream;

TEST(Defaults, MinimalConfigFillsEverySection) {
    const Config c = load_string(kUpstream, "min.toml");
    EXPECT_EQ(c.source_path, "min.toml");

    ASSERT_EQ(c.server.listen.size(), 1u);
    EXPECT_EQ(c.server.listen[0].host, "127.0.0.1");
    EXPECT_EQ(c.server.listen[0].port, 8080);
    EXPECT_EQ(c.server.workers, 0u);
    EXPECT_EQ(c.server.client_header_timeout, 10s);
    EXPECT_EQ(c.server.client_body_timeout, 30s);
    EXPECT_EQ(c.server.keepalive_timeout, 60s);
    EXPECT_EQ(c.server.send_timeout, 30s);
    EXPECT_EQ(c.server.upstream_connect_timeout, 3s);
    EXPECT_EQ(c.server.upstream_timeout, 30s);
    EXPECT_EQ(c.server.upstream_read_timeout, 10s);
    EXPECT_EQ(c.server.drain_timeout, 10s);
    EXPECT_EQ(c.server.max_header_size, 16 * KiB);
    EXPECT_EQ(c.server.max_body_size, 10 * MiB);
    EXPECT_EQ(c.server.body_buffer_size, 64 * KiB);
    EXPECT_EQ(c.server.body_temp_dir, "");  // $TMPDIR or /tmp, resolved at start-up
    EXPECT_EQ(c.server.max_connections, 10000u);
    EXPECT_FALSE(c.server.debug_headers);

    ASSERT_EQ(c.upstream.servers.size(), 1u);
    EXPECT_EQ(c.upstream.servers[0].weight, 1u);
    EXPECT_EQ(c.upstream.buffer_size, 8 * MiB);
    EXPECT_EQ(c.upstream.max_idle_per_server, 64u);
    EXPECT_EQ(c.upstream.idle_timeout, 30s);

    EXPECT_EQ(c.log.access, "stdout");
    EXPECT_EQ(c.log.error, "stderr");
    EXPECT_EQ(c.log.level, "info");
    EXPECT_EQ(c.log.format, "text");

    EXPECT_EQ(c.cache.max_size, 256 * MiB);
    EXPECT_EQ(c.cache.max_objects, 1'000'000u);
    EXPECT_EQ(c.cache.max_object_size, 1 * MiB);
    EXPECT_EQ(c.cache.default_policy, "pass");
    EXPECT_EQ(c.cache.cacheable_status, std::vector<int>{200});
    EXPECT_FALSE(c.cache.sort_query);
    EXPECT_TRUE(c.cache.drop_query.empty());
    EXPECT_TRUE(c.cache.snapshot.empty());  // no warm restart unless asked for
    EXPECT_EQ(c.cache.snapshot_interval, 0s);

    EXPECT_TRUE(c.identity.cookies.empty());
    EXPECT_FALSE(c.identity.flask_session);
    EXPECT_TRUE(c.rules.empty());
}

TEST(Defaults, RuleFieldsAndFlaskSessionFields) {
    const Config c = load_string(testing::with_upstream(R"(
[identity]
flask_session = {}

[[rules]]
name = "r"
pass = true
)"));
    ASSERT_TRUE(c.identity.flask_session);
    EXPECT_EQ(c.identity.flask_session->cookie, "session");
    EXPECT_EQ(c.identity.flask_session->user_key, "_user_id");
    EXPECT_FALSE(c.identity.flask_session->secret_key);

    ASSERT_EQ(c.rules.size(), 1u);
    const RuleConfig& r = c.rules[0];
    EXPECT_EQ(r.line, 7);
    EXPECT_EQ(r.methods, (std::vector<std::string>{"GET", "HEAD"}));
    EXPECT_TRUE(r.paths.empty());
    EXPECT_TRUE(r.path_prefixes.empty());
    EXPECT_FALSE(r.path_regex);
    EXPECT_TRUE(r.hosts.empty());
    EXPECT_TRUE(r.query.empty());
    EXPECT_TRUE(r.cookies.empty());
    EXPECT_TRUE(r.headers.empty());
    EXPECT_EQ(r.visitor, Visitor::Any);
    EXPECT_TRUE(r.pass);
    EXPECT_FALSE(r.ttl);
    EXPECT_FALSE(r.key);
    EXPECT_TRUE(r.vary_cookies.empty());
    EXPECT_FALSE(r.ignore_cookies);
    EXPECT_FALSE(r.strip_set_cookie);
    EXPECT_FALSE(r.sort_query);
    EXPECT_FALSE(r.drop_query);
}

}  // namespace
}  // namespace larder::config
