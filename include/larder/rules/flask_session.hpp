// rules::FlaskSessionReader: tells whether a Flask session cookie belongs to a logged-in user.
//
// The cookie is what itsdangerous' URLSafeTimedSerializer writes: "[.]PAYLOAD.TIMESTAMP.SIGNATURE",
// each part base64url without padding; a leading '.' means PAYLOAD is zlib-compressed. The payload
// is JSON; the user is logged in when the top-level object has `user_key` (Flask-Login's
// "_user_id"); otherwise the visitor holds personal state when it has one of `personal_keys`
// (Flask's "_flashes" by default), see session_verdict.hpp. When `secret_key` is configured, the
// signature is checked the way Flask signs:
//   derived = HMAC-SHA1(secret_key, "cookie-session")
//   signature = HMAC-SHA1(derived, "[.]PAYLOAD.TIMESTAMP")
// compared in constant time. The timestamp is not checked against a clock (no clock reads here).
//
// Invariants: when in doubt, the answer is Invalid, which callers treat as logged in (the request
// goes to the app): a bad signature, bad base64, bad zlib, bad JSON or a payload that inflates
// beyond 256 KiB. An empty value is Anonymous. inspect() is const and thread-safe; it reuses
// thread-local buffers and a thread-local zlib stream, so it does not allocate in steady state.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/rules/session_verdict.hpp"

namespace larder::rules {

class FlaskSessionReader {
  public:
    explicit FlaskSessionReader(const config::FlaskSessionConfig& config);

    SessionVerdict inspect(std::string_view cookie_value) const;

    const std::string& cookie_name() const { return cookie_; }
    bool verifies_signature() const { return has_key_; }

  private:
    bool signature_ok(std::string_view signed_part, std::string_view signature) const;

    std::string cookie_;
    std::string user_key_;
    std::vector<std::string> personal_keys_;
    bool has_key_ = false;
    std::array<unsigned char, 20> derived_key_{};
};

}  // namespace larder::rules
