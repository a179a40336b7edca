// rules::SessionVerdict: what a framework's session cookie (Flask, Django signed_cookies) says
// about the visitor who sent it.
//
// User: the payload names a logged-in user (Flask-Login's "_user_id", Django's "_auth_user_id").
// Personal: no user, but the payload holds something meant for this visitor alone (a flashed
// message, session-stored Django messages); `personal_key` names which key, pointing into the
// reader's configuration. Invalid: the cookie could not be read or its signature is wrong; callers
// treat it as logged in (when in doubt, the request goes to the app). Anonymous: anything else,
// e.g. a session that holds only a cart or a CSRF token; an empty cookie is Anonymous.
//
// verdict_from_payload() is the common last step of the readers: from the decoded JSON payload
// (json_scan.hpp: only top-level keys count) to the verdict. `user_key` wins over
// `personal_keys`; anything that is not a well-formed JSON object is Invalid.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace larder::rules {

enum class SessionState { Anonymous, User, Personal, Invalid };

std::string_view to_string(SessionState s);

struct SessionVerdict {
    SessionState state = SessionState::Anonymous;
    std::string_view personal_key;  // set when state == Personal
};

// The verdict on a decoded session payload (JSON): User, Personal, Anonymous or Invalid.
// `personal_key` of the result points into `personal_keys`.
SessionVerdict verdict_from_payload(std::string_view json, std::string_view user_key,
                                    const std::vector<std::string>& personal_keys);

}  // namespace larder::rules
