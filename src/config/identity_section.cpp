// [identity]: how a request is told to come from a logged-in visitor or one with personal state
// (cookie names; Flask's and Django's session cookies, whose payloads name the user and hold
// flashed messages), and which cookies say nothing about a visitor when none of that is set.
#include <algorithm>
#include <array>

#include "sections.hpp"

namespace larder::config::detail {

namespace {

constexpr std::array<std::string_view, 5> kDjangoBackends{"signed_cookies", "db", "cache",
                                                          "cached_db", "file"};

FlaskSessionConfig read_flask(Reader& r) {
    FlaskSessionConfig session;
    r.string("cookie", session.cookie);
    r.string("user_key", session.user_key);
    std::string secret;
    if (r.string("secret_key", secret)) session.secret_key = std::move(secret);
    r.strings("personal_keys", session.personal_keys, true);
    r.finish();
    return session;
}

DjangoSessionConfig read_django(Reader& r) {
    DjangoSessionConfig session;
    r.string("cookie", session.cookie);
    if (r.string("backend", session.backend) &&
        std::find(kDjangoBackends.begin(), kDjangoBackends.end(), session.backend) ==
            kDjangoBackends.end()) {
        r.fail("backend",
               "expected one of \"signed_cookies\", \"db\", \"cache\", \"cached_db\", \"file\" "
               "(Django's SESSION_ENGINE), got \"" +
                   session.backend + "\"");
    }
    r.string("user_key", session.user_key);
    std::string text;
    if (r.string("secret_key", text)) session.secret_key = std::move(text);
    if (r.string("login_cookie", text)) session.login_cookie = std::move(text);
    r.strings("personal_keys", session.personal_keys, true);
    r.finish();
    if (session.signed_cookies() && session.login_cookie)
        r.fail("login_cookie",
               "only for server-side session backends; with \"signed_cookies\" Larder reads the "
               "user from the cookie itself");
    if (!session.signed_cookies() && session.secret_key)
        r.fail("secret_key",
               "only for backend = \"signed_cookies\"; a server-side session cookie is an opaque "
               "id");
    return session;
}

}  // namespace

void read_identity(Reader& r, IdentityConfig& out) {
    r.strings("cookies", out.cookies, true);
    r.strings("personal_cookies", out.personal_cookies, true);
    r.strings("anonymous_cookies", out.anonymous_cookies, true);
    if (auto flask = r.table("flask_session")) out.flask_session = read_flask(*flask);
    if (auto django = r.table("django_session")) out.django_session = read_django(*django);
    r.finish();
}

}  // namespace larder::config::detail
