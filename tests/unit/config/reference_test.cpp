// The shipped config/larder.toml loads and says what the architecture brief's seed config says.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using namespace std::chrono_literals;

Config reference() {
    return load_file(std::string(LARDER_TEST_DATA) + "/../../config/larder.toml");
}

TEST(ReferenceConfig, ListensWhereTheDemoExpects) {
    const Config c = reference();
    ASSERT_EQ(c.server.listen.size(), 1u);
    EXPECT_EQ(c.server.listen[0].host, "127.0.0.1");
    EXPECT_EQ(c.server.listen[0].port, 8080);
    ASSERT_EQ(c.upstream.servers.size(), 1u);
    EXPECT_EQ(c.upstream.servers[0].address.host, "127.0.0.1");
    EXPECT_EQ(c.upstream.servers[0].address.port, 8000);
    EXPECT_EQ(c.log.access, "stdout");
    EXPECT_EQ(c.cache.max_size, 256 * MiB);
    EXPECT_NE(c.source_path.find("larder.toml"), std::string::npos);
}

TEST(ReferenceConfig, IdentityKnowsFlaskLogins) {
    const Config c = reference();
    EXPECT_EQ(c.identity.cookies, (std::vector<std::string>{"remember_token"}));
    EXPECT_EQ(c.identity.flask_session->personal_keys, (std::vector<std::string>{"_flashes"}));
    EXPECT_EQ(c.identity.personal_cookies, (std::vector<std::string>{"messages"}));
    EXPECT_FALSE(c.identity.django_session);
    ASSERT_TRUE(c.identity.flask_session);
    EXPECT_EQ(c.identity.flask_session->cookie, "session");
    EXPECT_EQ(c.identity.flask_session->user_key, "_user_id");
    EXPECT_FALSE(c.identity.flask_session->secret_key);
}

TEST(ReferenceConfig, SeedRules) {
    const Config c = reference();
    ASSERT_EQ(c.rules.size(), 2u);
    const RuleConfig& pages = c.rules[0];
    EXPECT_EQ(pages.name, "anonymous pages");
    EXPECT_EQ(pages.paths, (std::vector<std::string>{"/", "/about", "/project/*"}));
    EXPECT_EQ(pages.visitor, Visitor::Anonymous);
    EXPECT_EQ(pages.ttl, Duration{60s});
    EXPECT_TRUE(pages.strip_set_cookie);
    EXPECT_FALSE(pages.pass);
    EXPECT_GT(pages.line, 0);

    const RuleConfig& statics = c.rules[1];
    EXPECT_EQ(statics.name, "static files");
    EXPECT_EQ(statics.path_prefixes, (std::vector<std::string>{"/static/"}));
    EXPECT_EQ(statics.ttl, Duration{1h});
    EXPECT_TRUE(statics.ignore_cookies);
    EXPECT_EQ(statics.visitor, Visitor::Any);
    EXPECT_GT(statics.line, pages.line);
}

}  // namespace
}  // namespace larder::config
