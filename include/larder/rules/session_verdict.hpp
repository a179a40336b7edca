// rules::SessionVerdict: what a framework's session cookie (Flask, Django signed_cookies) says
// about the visitor who sent it.
//
// User: the payload names a logged-in user (Flask-Login's "_user_id", Django's "_auth_user_id").
// Personal: no user, but the payload holds something meant for this visitor alone (a flashed
// message, session-stored Django messages); `personal_key` names which key, pointing into the
// reader's configuration. Invalid: the cookie could not be read or its signature is wrong; callers
// treat it as logged in (when in doubt, the request goes to the app). Anonymous: anything else,
// e.g. a session that holds only a cart or a CSRF token; an empty cookie is Anonymous.
#pragma once

#include <string_view>

namespace larder::rules {

enum class SessionState { Anonymous, User, Personal, Invalid };

std::string_view to_string(SessionState s);

struct SessionVerdict {
    SessionState state = SessionState::Anonymous;
    std::string_view personal_key;  // set when state == Personal
};

}  // namespace larder::rules
