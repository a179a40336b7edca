// [identity]: personal state, anonymous cookies and Django sessions, with their defaults and the
// mistakes the loader names.
#include <gtest/gtest.h>

#include "config_test_util.hpp"
#include "larder/config/loader.hpp"

namespace larder::config {
namespace {

using testing::error_of;
using testing::with_upstream;

Config load(std::string_view body) {
    return load_string(with_upstream(std::string(body)), "test.toml");
}

TEST(IdentitySection, Defaults) {
    Config c = load("");
    EXPECT_FALSE(c.identity.knows_visitors());
    EXPECT_EQ(c.identity.personal_cookies, std::vector<std::string>{"messages"});
    EXPECT_EQ(c.identity.anonymous_cookies, default_anonymous_cookies());
    Config f = load("[identity]\nflask_session = {}\n");
    EXPECT_TRUE(f.identity.knows_visitors());
    EXPECT_EQ(f.identity.flask_session->personal_keys, std::vector<std::string>{"_flashes"});
}

TEST(IdentitySection, PersonalAndAnonymousCookies) {
    Config c = load(
        "[identity]\npersonal_cookies = [\"basket\", \"messages\"]\n"
        "anonymous_cookies = \"theme\"\n"
        "flask_session = { personal_keys = [\"_flashes\", \"basket\"] }\n");
    EXPECT_EQ(c.identity.personal_cookies, (std::vector<std::string>{"basket", "messages"}));
    EXPECT_EQ(c.identity.anonymous_cookies, std::vector<std::string>{"theme"});
    EXPECT_EQ(c.identity.flask_session->personal_keys,
              (std::vector<std::string>{"_flashes", "basket"}));
}

TEST(IdentitySection, DjangoSignedCookies) {
    Config c = load(
        "[identity]\ndjango_session = { secret_key = \"k\", personal_keys = [\"_messages\"] }\n");
    ASSERT_TRUE(c.identity.django_session);
    const auto& d = *c.identity.django_session;
    EXPECT_EQ(d.cookie, "sessionid");
    EXPECT_TRUE(d.signed_cookies());
    EXPECT_EQ(d.user_key, "_auth_user_id");
    EXPECT_EQ(d.secret_key, "k");
    EXPECT_TRUE(c.identity.knows_visitors());
}

TEST(IdentitySection, DjangoServerSideWithMarker) {
    Config c = load(
        "[identity.django_session]\nbackend = \"db\"\nlogin_cookie = \"logged_in\"\n");
    ASSERT_TRUE(c.identity.django_session);
    EXPECT_FALSE(c.identity.django_session->signed_cookies());
    EXPECT_EQ(c.identity.django_session->login_cookie, "logged_in");
}

TEST(IdentitySection, DjangoMistakesAreNamed) {
    EXPECT_STREQ(error_of(with_upstream("[identity]\ndjango_session = { backend = \"redis\" }\n"))
                     .what(),
                 "test.toml:4:20: identity.django_session.backend: expected one of "
                 "\"signed_cookies\", \"db\", \"cache\", \"cached_db\", \"file\" (Django's "
                 "SESSION_ENGINE), got \"redis\"");
    std::string marker =
        error_of(with_upstream("[identity]\ndjango_session = { login_cookie = \"x\" }\n")).what();
    EXPECT_NE(marker.find("identity.django_session.login_cookie: only for server-side"),
              std::string::npos)
        << marker;
    std::string secret = error_of(with_upstream(
                             "[identity]\ndjango_session = { backend = \"db\", secret_key = \"k\" }\n"))
                             .what();
    EXPECT_NE(secret.find("identity.django_session.secret_key: only for backend"),
              std::string::npos)
        << secret;
    std::string unknown =
        error_of(with_upstream("[identity]\ndjango_session = { cookies = \"x\" }\n")).what();
    EXPECT_NE(unknown.find("identity.django_session.cookies: unknown key"), std::string::npos)
        << unknown;
}

}  // namespace
}  // namespace larder::config
