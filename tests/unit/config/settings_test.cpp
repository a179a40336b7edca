// Every setting is read into its field: tests/data/config/full.toml sets each one to a value
// other than its default.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using namespace std::chrono_literals;

class FullConfig : public ::testing::Test {
  protected:
    Config c = load_file(testing::data_path("full.toml"));
};

TEST_F(FullConfig, Admin) {
    ASSERT_EQ(c.admin.listen.size(), 2u);
    EXPECT_EQ(c.admin.listen[0].host, "0.0.0.0");
    EXPECT_EQ(c.admin.listen[0].port, 9100);
    EXPECT_EQ(c.admin.listen[1].host, "::1");
    EXPECT_EQ(c.admin.token, "full-config-admin-token");
    ASSERT_EQ(c.admin.allow.size(), 2u);
    EXPECT_EQ(c.admin.allow[0].text, "10.0.0.0/8");
    EXPECT_TRUE(c.admin.allow[1].contains("2001:db8::1"));
}

TEST_F(FullConfig, Server) {
    ASSERT_EQ(c.server.listen.size(), 3u);
    EXPECT_EQ(c.server.listen[0].host, "0.0.0.0");
    EXPECT_EQ(c.server.listen[0].port, 80);
    EXPECT_EQ(c.server.listen[1].host, "::1");
    EXPECT_EQ(c.server.listen[1].port, 8080);
    EXPECT_EQ(c.server.listen[2].host, "localhost");
    EXPECT_EQ(c.server.listen[2].port, 0);
    EXPECT_EQ(c.server.workers, 4u);
    EXPECT_EQ(c.server.client_header_timeout, 5s);
    EXPECT_EQ(c.server.client_body_timeout, 250ms);
    EXPECT_EQ(c.server.keepalive_timeout, 2min);
    EXPECT_EQ(c.server.send_timeout, 15s);
    EXPECT_EQ(c.server.upstream_connect_timeout, 1s);
    EXPECT_EQ(c.server.upstream_timeout, 90min);
    EXPECT_EQ(c.server.upstream_read_timeout, 45s);
    EXPECT_EQ(c.server.drain_timeout, 0s);
    EXPECT_EQ(c.server.max_header_size, 32 * KiB);
    EXPECT_EQ(c.server.max_body_size, 2048u);
    EXPECT_EQ(c.server.body_buffer_size, 1 * KiB);
    EXPECT_EQ(c.server.body_temp_dir, "/var/tmp/larder");
    EXPECT_EQ(c.server.max_connections, 500u);
    EXPECT_TRUE(c.server.debug_headers);
}

TEST_F(FullConfig, Upstream) {
    EXPECT_EQ(c.upstream.buffer_size, 2'000'000u);
    EXPECT_EQ(c.upstream.max_idle_per_server, 0u);
    EXPECT_EQ(c.upstream.idle_timeout, 24h);
    ASSERT_EQ(c.upstream.servers.size(), 2u);
    EXPECT_EQ(c.upstream.servers[0].address.host, "10.0.0.1");
    EXPECT_EQ(c.upstream.servers[0].weight, 1u);
    EXPECT_EQ(c.upstream.servers[1].address.host, "fe80::1");
    EXPECT_EQ(c.upstream.servers[1].address.port, 9000);
    EXPECT_EQ(c.upstream.servers[1].weight, 3u);
}

TEST_F(FullConfig, LogCacheIdentity) {
    EXPECT_EQ(c.log.access, "/var/log/larder/access.log");
    EXPECT_EQ(c.log.error, "stdout");
    EXPECT_EQ(c.log.level, "debug");
    EXPECT_EQ(c.log.format, "json");

    EXPECT_EQ(c.cache.max_size, 2 * 1024 * MiB);
    EXPECT_EQ(c.cache.max_objects, 5000u);
    EXPECT_EQ(c.cache.max_object_size, 10 * MiB);
    EXPECT_EQ(c.cache.default_policy, "http");
    EXPECT_EQ(c.cache.cacheable_status, (std::vector<int>{200, 301, 404}));
    EXPECT_TRUE(c.cache.sort_query);
    EXPECT_EQ(c.cache.drop_query, (std::vector<std::string>{"utm_*", "fbclid"}));
    EXPECT_EQ(c.cache.snapshot, "/var/lib/larder/cache.snapshot");
    EXPECT_EQ(c.cache.snapshot_interval, 5min);

    EXPECT_EQ(c.identity.cookies, std::vector<std::string>{"remember_token"});
    ASSERT_TRUE(c.identity.flask_session);
    EXPECT_EQ(c.identity.flask_session->cookie, "app_session");
    EXPECT_EQ(c.identity.flask_session->user_key, "uid");
    EXPECT_EQ(c.identity.flask_session->secret_key, "s3cret");
}

TEST_F(FullConfig, PassRule) {
    ASSERT_EQ(c.rules.size(), 2u);
    const RuleConfig& r = c.rules[0];
    EXPECT_EQ(r.name, "admin");
    EXPECT_EQ(r.line, 57);
    EXPECT_EQ(r.methods, (std::vector<std::string>{"GET", "POST", "PURGE"}));
    EXPECT_EQ(r.path_regex, "^/admin(/|$)");
    EXPECT_EQ(r.hosts, (std::vector<std::string>{"example.com", "www.example.com"}));
    EXPECT_TRUE(r.pass);
    EXPECT_FALSE(r.ttl);
}

TEST_F(FullConfig, CacheRuleWithEveryMatcherAndAction) {
    ASSERT_EQ(c.rules.size(), 2u);
    const RuleConfig& r = c.rules[1];
    EXPECT_EQ(r.name, "everything");
    EXPECT_EQ(r.line, 64);
    EXPECT_EQ(r.methods, std::vector<std::string>{"GET"});
    EXPECT_EQ(r.paths, std::vector<std::string>{"/items/*"});
    EXPECT_EQ(r.path_prefixes, (std::vector<std::string>{"/a/", "/b/"}));

    // Conditions come in key order (TOML tables are unordered); all of them must hold.
    ASSERT_EQ(r.query.size(), 4u);
    EXPECT_EQ(r.query[0].name, "debug");
    EXPECT_EQ(r.query[0].kind, Condition::Kind::Absent);
    EXPECT_EQ(r.query[1].name, "page");
    EXPECT_EQ(r.query[1].kind, Condition::Kind::Present);
    EXPECT_EQ(r.query[2].name, "q");
    EXPECT_EQ(r.query[2].kind, Condition::Kind::Empty);
    EXPECT_EQ(r.query[3].name, "sort");
    EXPECT_EQ(r.query[3].kind, Condition::Kind::Equals);
    EXPECT_EQ(r.query[3].value, "asc");
    ASSERT_EQ(r.cookies.size(), 1u);
    EXPECT_EQ(r.cookies[0].name, "theme");
    EXPECT_EQ(r.cookies[0].kind, Condition::Kind::Regex);
    EXPECT_EQ(r.cookies[0].value, "^(dark|light)$");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].name, "Accept-Language");
    EXPECT_EQ(r.headers[0].kind, Condition::Kind::Equals);
    EXPECT_EQ(r.headers[0].value, "");

    EXPECT_EQ(r.visitor, Visitor::Authenticated);
    EXPECT_FALSE(r.pass);
    EXPECT_EQ(r.ttl, Duration{90s});
    EXPECT_EQ(r.key,
              "${method} ${scheme}://${host}${path}${query} ${cookie:lang} ${header:Accept}");
    EXPECT_EQ(r.vary_cookies, (std::vector<std::string>{"lang", "currency"}));
    EXPECT_TRUE(r.ignore_cookies);
    EXPECT_TRUE(r.strip_set_cookie);
    EXPECT_EQ(r.sort_query, false);
    ASSERT_TRUE(r.drop_query);
    EXPECT_TRUE(r.drop_query->empty());
}

TEST_F(FullConfig, Purge) {
    EXPECT_EQ(c.purge.tag_headers, (std::vector<std::string>{"Cache-Tag"}));
    EXPECT_FALSE(c.purge.strip_tag_headers);
    EXPECT_EQ(c.purge.window, 5min);
    EXPECT_EQ(c.purge.max_pending, 500u);
}

TEST(Settings, PurgeDefaultsAndErrors) {
    const std::string up = "[[upstream.servers]]\naddress = \"127.0.0.1:8000\"\n";
    const Config d = load_string(up);
    EXPECT_EQ(d.purge.tag_headers, (std::vector<std::string>{"Surrogate-Key", "xkey"}));
    EXPECT_TRUE(d.purge.strip_tag_headers);
    EXPECT_EQ(d.purge.window, 2min);
    EXPECT_EQ(d.purge.max_pending, 10000u);
    try {
        load_string(up + "[purge]\ntag_headers = [\"Bad Name\"]\n", "t.toml");
        FAIL() << "accepted a field name with a space";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("purge.tag_headers"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("t.toml:4"), std::string::npos) << e.what();
    }
    EXPECT_THROW(load_string(up + "[purge]\nmax_pending = 0\n"), ConfigError);
    EXPECT_THROW(load_string(up + "[purge]\nwindoww = \"1m\"\n"), ConfigError);
}

TEST(Settings, SingleListenStringAndIntegerSizes) {
    const Config c = load_string(testing::with_upstream(R"(
[server]
listen = "[::]:8443"
max_header_size = 100
)"));
    ASSERT_EQ(c.server.listen.size(), 1u);
    EXPECT_EQ(c.server.listen[0].host, "::");
    EXPECT_EQ(c.server.listen[0].port, 8443);
    EXPECT_EQ(c.server.max_header_size, 100u);
}

TEST(Settings, InlineArrayOfServersAndRules) {
    const Config c = load_string(R"(
upstream = { servers = [{ address = "a:1" }, { address = "b:2", weight = 2 }] }
rules = [{ name = "x", pass = true }]
)");
    ASSERT_EQ(c.upstream.servers.size(), 2u);
    EXPECT_EQ(c.upstream.servers[1].weight, 2u);
    ASSERT_EQ(c.rules.size(), 1u);
    EXPECT_EQ(c.rules[0].line, 3);
}

}  // namespace
}  // namespace larder::config
