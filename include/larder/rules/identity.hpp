// rules::Identity: tells, from a request's cookies, whether the page the app would render for
// this visitor is the one it renders for a visitor without cookies.
//
// classify() answers one of three kinds, with the reason and the cookie or session key that
// decided it (for X-Cache-Reason, the access log and tests):
//   LoggedIn  a cookie of [identity] cookies is present and non-empty; a Flask or Django
//             signed_cookies session names a user or cannot be read (when in doubt: logged in);
//             a Django server-side session's login_cookie marker is present, or, without such a
//             marker configured, its session cookie is present at all.
//   Personal  not logged in, but holding state shown to this visitor alone: a session key of
//             personal_keys (Flask's "_flashes", Django's "_messages"), a cookie of
//             personal_cookies (Django's "messages"), or, when [identity] names no way to tell
//             visitors apart (knows_visitors() is false), any cookie outside anonymous_cookies
//             and the cookies the rule keys on.
//   Anonymous everything else, e.g. a session holding only a cart, or analytics cookies.
// A cookie whose name is not a token makes the visitor LoggedIn (UnreadableCookieName): when in
// doubt, pass. LoggedIn wins over Personal. Cookies with an empty value are ignored, except session
// cookies (an empty session is anonymous). Every cookie with a session's name is inspected
// (browsers may send several); any one decides. classify() is const and thread-safe; it scans the
// Cookie headers once and allocates nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/http/headers.hpp"
#include "larder/rules/django_session.hpp"
#include "larder/rules/flask_session.hpp"
#include "larder/rules/glob.hpp"

namespace larder::rules {

enum class VisitorKind { Anonymous, Personal, LoggedIn };

// What decided the kind. Names (to_string) appear in X-Cache-Reason and the access log as
// "reason:detail", e.g. "session_personal_key:_flashes".
enum class VisitorReason {
    NothingPersonal,     // Anonymous
    LoginCookie,         // detail: the [identity] cookie
    SessionUser,         // detail: the session cookie whose payload names a user
    SessionUnreadable,   // detail: the session cookie (bad signature, encoding or JSON)
    ServerSession,       // detail: Django's server-side session cookie, no login marker set
    SessionPersonalKey,  // detail: the session key (e.g. _flashes)
    PersonalCookie,      // detail: the cookie (e.g. messages)
    UndeclaredCookie,    // detail: the cookie; only without [identity]
    // A cookie name that is not an RFC 6265 token (non-ASCII bytes, whitespace, separators):
    // the app's own cookie parser may read it as another name (Django strips Unicode whitespace
    // around names), so Larder never decides more leniently than the app. Detail: none (the
    // name may hold bytes unfit for a log).
    UnreadableCookieName,
};

std::string_view to_string(VisitorReason r);

struct VisitorClass {
    VisitorKind kind = VisitorKind::Anonymous;
    VisitorReason reason = VisitorReason::NothingPersonal;
    // The cookie or key name: points into the Identity's configuration or the request's headers.
    std::string_view detail;

    // "reason:detail", or "anonymous".
    std::string explain() const;
};

class Identity {
  public:
    explicit Identity(const config::IdentityConfig& config);

    // Whether [identity] says how to tell visitors apart (see config::IdentityConfig).
    bool knows_visitors() const { return knows_visitors_; }

    // `keyed`: cookies the caller's rule keys on (and forwards); without [identity] they are
    // not undeclared, since the rule splits its pages by them.
    VisitorClass classify(const http::HeaderList& headers,
                          const std::vector<std::string>& keyed = {}) const;

  private:
    // The verdict of one cookie, or nullopt when it says nothing.
    std::optional<VisitorClass> judge(std::string_view name, std::string_view value,
                                      const std::vector<std::string>& keyed) const;

    bool knows_visitors_ = false;
    std::vector<std::string> login_cookies_;
    std::vector<std::string> personal_cookies_;
    std::vector<Glob> anonymous_cookies_;
    std::optional<FlaskSessionReader> flask_;
    // Django: a reader for signed_cookies, or the server-side session's cookie and marker.
    std::optional<DjangoSessionReader> django_signed_;
    std::string django_server_cookie_;
    std::optional<std::string> django_login_cookie_;
};

}  // namespace larder::rules
