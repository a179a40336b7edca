// rules::DjangoSessionReader: tells whether a Django session cookie of the "signed_cookies" backend
// (django.contrib.sessions.backends.signed_cookies) belongs to a logged-in user.
//
// The cookie is what django.core.signing.dumps(session, salt=kSalt, compress=True) writes with
// the JSONSerializer (Django 3.2): "[.]PAYLOAD:TIMESTAMP:SIGNATURE". PAYLOAD is base64url without
// padding, of the compact JSON object; a leading '.' means it is zlib-compressed (Django
// compresses only when that makes it shorter). TIMESTAMP is the signing time in base62
// (0-9A-Za-z). The user is logged in when the top-level object has `user_key`
// (django.contrib.auth's
// "_auth_user_id"); otherwise the visitor holds personal state when it has one of `personal_keys`
// ("_messages", where SessionStorage keeps messages), see session_verdict.hpp. When `secret_key`
// is configured, the signature is checked the way Django 3.2's Signer.unsign() does, with
// salt = "django.contrib.sessions.backends.signed_cookies":
//   key = SHA256(salt + "signer" + SECRET_KEY)
//   signature = base64url(HMAC-SHA256(key, "[.]PAYLOAD:TIMESTAMP"))     (43 characters)
// or the legacy form Django 3.2 still accepts (and writes with DEFAULT_HASHING_ALGORITHM="sha1"):
//   key = SHA1(salt + "signer" + SECRET_KEY)
//   signature = base64url(HMAC-SHA1(key, "[.]PAYLOAD:TIMESTAMP"))       (27 characters)
// compared in constant time; both keys are derived once, in the constructor. The timestamp is not
// checked against a clock (no clock reads here; Django's SESSION_COOKIE_AGE is the app's business).
//
// Invariants: when in doubt, the answer is Invalid, which callers treat as logged in (the request
// goes to the app): a bad signature (or one with '=' padding, which Django refuses), missing
// parts, a timestamp outside base62, bad base64, bad zlib, bad JSON, a payload that is not an
// object or that inflates beyond 256 KiB. Decoding is stricter than Python's (non-alphabet bytes,
// trailing bytes after the zlib stream): such cookies are Invalid here. An empty value is
// Anonymous. inspect() is const and thread-safe; it reuses thread-local buffers, a thread-local
// zlib stream and thread-local HMAC contexts, so it does not allocate in steady state. Only the
// "signed_cookies" backend has its session in the cookie: constructing the reader for another
// backend throws std::invalid_argument.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/rules/session_verdict.hpp"

namespace larder::rules {

class DjangoSessionReader {
  public:
    static constexpr std::string_view kSalt = "django.contrib.sessions.backends.signed_cookies";

    explicit DjangoSessionReader(const config::DjangoSessionConfig& config);

    SessionVerdict inspect(std::string_view cookie_value) const;

    const std::string& cookie_name() const { return cookie_; }
    bool verifies_signature() const { return has_key_; }

  private:
    bool signature_ok(std::string_view signed_part, std::string_view signature) const;

    std::string cookie_;
    std::string user_key_;
    std::vector<std::string> personal_keys_;
    bool has_key_ = false;
    std::array<unsigned char, 32> sha256_key_{};
    std::array<unsigned char, 20> sha1_key_{};
};

}  // namespace larder::rules
