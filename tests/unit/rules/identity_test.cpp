#include "larder/rules/identity.hpp"

#include <gtest/gtest.h>

#include "flask_cookies.hpp"
#include "test_request.hpp"

using namespace larder::rules;
using namespace larder::rules::testing;
using larder::config::FlaskSessionConfig;
using larder::config::IdentityConfig;
using larder::config::Visitor;

namespace {

IdentityConfig flask_identity(bool with_secret = false) {
    IdentityConfig c;
    c.cookies = {"remember_token", "sessionid"};
    FlaskSessionConfig f;
    if (with_secret) f.secret_key = std::string(kFlaskSecret);
    c.flask_session = f;
    return c;
}

Visitor classify(const Identity& id, std::string_view cookie_header) {
    TestRequest r("/");
    if (!cookie_header.empty()) r.cookie(cookie_header);
    return id.classify(r.get().headers);
}

}  // namespace

TEST(Identity, NotConfiguredEveryoneIsAnonymous) {
    Identity id{IdentityConfig{}};
    EXPECT_FALSE(id.configured());
    EXPECT_EQ(classify(id, "remember_token=abc; session=" + std::string(kUserCookie)),
              Visitor::Anonymous);
}

TEST(Identity, NamedCookiesPresentAndNonEmpty) {
    IdentityConfig c;
    c.cookies = {"remember_token", "sessionid"};
    Identity id(c);
    EXPECT_TRUE(id.configured());
    EXPECT_EQ(classify(id, ""), Visitor::Anonymous);
    EXPECT_EQ(classify(id, "_ga=GA1.2.3; theme=dark"), Visitor::Anonymous);
    EXPECT_EQ(classify(id, "remember_token=abc"), Visitor::Authenticated);
    EXPECT_EQ(classify(id, "_ga=1; sessionid=xyz"), Visitor::Authenticated);
    EXPECT_EQ(classify(id, "remember_token="), Visitor::Anonymous);
    EXPECT_EQ(classify(id, "Remember_Token=abc"), Visitor::Anonymous);  // names are exact
    EXPECT_EQ(classify(id, "remember_token=; remember_token=x"), Visitor::Authenticated);
}

TEST(Identity, FlaskSessionCookie) {
    Identity id(flask_identity());
    std::string s = "session=";
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie)), Visitor::Anonymous);
    EXPECT_EQ(classify(id, s + std::string(kUserCookie)), Visitor::Authenticated);
    EXPECT_EQ(classify(id, s + std::string(kCompressedUserCookie)), Visitor::Authenticated);
    EXPECT_EQ(classify(id, s + std::string(kCompressedAnonCookie)), Visitor::Anonymous);
    EXPECT_EQ(classify(id, "session="), Visitor::Anonymous);
    EXPECT_EQ(classify(id, s + std::string(kBadZlibCookie)), Visitor::Authenticated);
    EXPECT_EQ(classify(id, s + std::string(kBadJsonCookie)), Visitor::Authenticated);
    EXPECT_EQ(classify(id, "session=not-a-flask-cookie"), Visitor::Authenticated);
    // Anonymous session plus remember_token: logged in.
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie) + "; remember_token=t"),
              Visitor::Authenticated);
    // Several session cookies (different paths): any logged-in one is enough.
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie) + "; " + s + std::string(kUserCookie)),
              Visitor::Authenticated);
}

TEST(Identity, FlaskSessionWithSecret) {
    Identity id(flask_identity(true));
    std::string s = "session=";
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie)), Visitor::Anonymous);
    EXPECT_EQ(classify(id, s + std::string(kUserCookie)), Visitor::Authenticated);
    EXPECT_EQ(classify(id, s + std::string(kOtherKeyAnonCookie)), Visitor::Authenticated);
}

TEST(Identity, CustomFlaskCookieName) {
    IdentityConfig c;
    FlaskSessionConfig f;
    f.cookie = "app_session";
    c.flask_session = f;
    Identity id(c);
    EXPECT_EQ(classify(id, "session=" + std::string(kUserCookie)), Visitor::Anonymous);
    EXPECT_EQ(classify(id, "app_session=" + std::string(kUserCookie)), Visitor::Authenticated);
}
