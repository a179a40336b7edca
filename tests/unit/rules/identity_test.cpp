#include "larder/rules/identity.hpp"

#include <gtest/gtest.h>

#include "flask_cookies.hpp"
#include "test_request.hpp"

using namespace larder::rules;
using namespace larder::rules::testing;
using larder::config::FlaskSessionConfig;
using larder::config::IdentityConfig;

namespace {

IdentityConfig flask_identity(bool with_secret = false) {
    IdentityConfig c;
    c.cookies = {"remember_token", "sessionid"};
    FlaskSessionConfig f;
    if (with_secret) f.secret_key = std::string(kFlaskSecret);
    c.flask_session = f;
    return c;
}

// The verdict, explained while the request it views is still alive.
struct Judged {
    VisitorKind kind;
    std::string text;
    std::string explain() const { return text; }
};

Judged judge(const Identity& id, std::string_view cookie_header) {
    TestRequest r("/");
    if (!cookie_header.empty()) r.cookie(cookie_header);
    VisitorClass v = id.classify(r.get().headers);
    return {v.kind, v.explain()};
}

VisitorKind classify(const Identity& id, std::string_view cookie_header) {
    return judge(id, cookie_header).kind;
}

}  // namespace

TEST(Identity, WithoutIdentityEveryUndeclaredCookieIsPersonal) {
    Identity id{IdentityConfig{}};
    EXPECT_FALSE(id.knows_visitors());
    EXPECT_EQ(classify(id, ""), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, "_ga=GA1.2.3; _gid=x; _ga_ABC=1; __utma=2"), VisitorKind::Anonymous);
    Judged v = judge(id, "_ga=1; session=" + std::string(kUserCookie));
    EXPECT_EQ(v.kind, VisitorKind::Personal);
    EXPECT_EQ(v.explain(), "undeclared_cookie:session");
    EXPECT_EQ(classify(id, "theme=dark"), VisitorKind::Personal);
    EXPECT_EQ(classify(id, "theme="), VisitorKind::Anonymous);  // empty says nothing
}

TEST(Identity, AnonymousCookiesAreConfigurable) {
    IdentityConfig c;
    c.anonymous_cookies = {"theme", "ab_*"};
    Identity id(c);
    EXPECT_EQ(classify(id, "theme=dark; ab_test=b"), VisitorKind::Anonymous);
    EXPECT_EQ(judge(id, "_ga=1").explain(), "undeclared_cookie:_ga");
}

TEST(Identity, FlashedMessagesArePersonal) {
    Identity id(flask_identity());
    Judged v = judge(id, "session=" + std::string(kFlashCookie));
    EXPECT_EQ(v.kind, VisitorKind::Personal);
    EXPECT_EQ(v.explain(), "session_personal_key:_flashes");
    // A cart and a CSRF token are not personal pages: the visitor shares the cache.
    EXPECT_EQ(judge(id, "session=" + std::string(kCartCookie)).kind, VisitorKind::Anonymous);
    // Logged in wins over personal.
    EXPECT_EQ(judge(id, "session=" + std::string(kUserFlashCookie)).explain(),
              "session_user:session");
    EXPECT_EQ(judge(id, "session=" + std::string(kFlashCookie) + "; remember_token=t").explain(),
              "login_cookie:remember_token");
    // With identity configured, unknown cookies say nothing.
    EXPECT_EQ(classify(id, "theme=dark; cart=3"), VisitorKind::Anonymous);
}

TEST(Identity, PersonalKeysAndCookiesAreConfigurable) {
    IdentityConfig c = flask_identity();
    c.flask_session->personal_keys = {"cart"};
    c.personal_cookies = {"basket"};
    Identity id(c);
    EXPECT_EQ(judge(id, "session=" + std::string(kCartCookie)).explain(),
              "session_personal_key:cart");
    EXPECT_EQ(classify(id, "session=" + std::string(kFlashCookie)), VisitorKind::Personal);
    EXPECT_EQ(judge(id, "basket=1").explain(), "personal_cookie:basket");
    EXPECT_EQ(classify(id, "messages=x"), VisitorKind::Anonymous);  // default list replaced
}

TEST(Identity, DjangoMessagesCookieIsPersonalByDefault) {
    Identity id(flask_identity());
    EXPECT_EQ(judge(id, "messages=abc:xyz").explain(), "personal_cookie:messages");
}

TEST(Identity, DjangoServerSideSessions) {
    IdentityConfig c;
    larder::config::DjangoSessionConfig d;
    d.backend = "db";
    c.django_session = d;
    {
        Identity id(c);  // no marker: the session cookie alone means logged in
        EXPECT_EQ(judge(id, "sessionid=abc").explain(), "server_session:sessionid");
        EXPECT_EQ(classify(id, "csrftoken=x"), VisitorKind::Anonymous);
    }
    c.django_session->login_cookie = "logged_in";
    Identity id(c);
    EXPECT_EQ(classify(id, "sessionid=abc; csrftoken=x"), VisitorKind::Anonymous);
    EXPECT_EQ(judge(id, "sessionid=abc; logged_in=1").explain(), "login_cookie:logged_in");
    EXPECT_EQ(judge(id, "sessionid=abc; messages=m").explain(), "personal_cookie:messages");
}

TEST(Identity, NamedCookiesPresentAndNonEmpty) {
    IdentityConfig c;
    c.cookies = {"remember_token", "sessionid"};
    Identity id(c);
    EXPECT_TRUE(id.knows_visitors());
    EXPECT_EQ(classify(id, ""), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, "_ga=GA1.2.3; theme=dark"), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, "remember_token=abc"), VisitorKind::LoggedIn);
    EXPECT_EQ(classify(id, "_ga=1; sessionid=xyz"), VisitorKind::LoggedIn);
    EXPECT_EQ(classify(id, "remember_token="), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, "Remember_Token=abc"), VisitorKind::Anonymous);  // names are exact
    EXPECT_EQ(classify(id, "remember_token=; remember_token=x"), VisitorKind::LoggedIn);
}

TEST(Identity, FlaskSessionCookie) {
    Identity id(flask_identity());
    std::string s = "session=";
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie)), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, s + std::string(kUserCookie)), VisitorKind::LoggedIn);
    EXPECT_EQ(classify(id, s + std::string(kCompressedUserCookie)), VisitorKind::LoggedIn);
    EXPECT_EQ(classify(id, s + std::string(kCompressedAnonCookie)), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, "session="), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, s + std::string(kBadZlibCookie)), VisitorKind::LoggedIn);
    EXPECT_EQ(classify(id, s + std::string(kBadJsonCookie)), VisitorKind::LoggedIn);
    EXPECT_EQ(classify(id, "session=not-a-flask-cookie"), VisitorKind::LoggedIn);
    // Anonymous session plus remember_token: logged in.
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie) + "; remember_token=t"),
              VisitorKind::LoggedIn);
    // Several session cookies (different paths): any logged-in one is enough.
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie) + "; " + s + std::string(kUserCookie)),
              VisitorKind::LoggedIn);
}

TEST(Identity, FlaskSessionWithSecret) {
    Identity id(flask_identity(true));
    std::string s = "session=";
    EXPECT_EQ(classify(id, s + std::string(kAnonCookie)), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, s + std::string(kUserCookie)), VisitorKind::LoggedIn);
    EXPECT_EQ(classify(id, s + std::string(kOtherKeyAnonCookie)), VisitorKind::LoggedIn);
}

TEST(Identity, CustomFlaskCookieName) {
    IdentityConfig c;
    FlaskSessionConfig f;
    f.cookie = "app_session";
    c.flask_session = f;
    Identity id(c);
    EXPECT_EQ(classify(id, "session=" + std::string(kUserCookie)), VisitorKind::Anonymous);
    EXPECT_EQ(classify(id, "app_session=" + std::string(kUserCookie)), VisitorKind::LoggedIn);
}

TEST(Identity, CookieNamesTheAppMightReadDifferentlyPass) {
    // Django strips Unicode whitespace around cookie names: "\xc2\xa0sessionid" is its
    // sessionid. Larder never decides more leniently than the app's parser.
    larder::config::IdentityConfig c;
    larder::config::DjangoSessionConfig d;
    d.backend = "db";
    d.login_cookie = "logged_in";
    c.django_session = d;
    Identity id(c);
    EXPECT_EQ(classify(id, "sessionid=abc"), VisitorKind::Anonymous);
    for (std::string name : {"\xc2\xa0logged_in", "logged_in\xe3\x80\x80", "logged\x85in", "a/b",
                             "x\"y", "caf\xc3\xa9"}) {
        Judged v = judge(id, name + "=1");
        EXPECT_EQ(v.kind, VisitorKind::LoggedIn) << name;
        EXPECT_EQ(v.explain(), "unreadable_cookie_name") << name;
    }
    EXPECT_EQ(classify(id, "_ga=1; theme-v2=dark; a.b=1"), VisitorKind::Anonymous);
}
