// Fuzz target: rules::DjangoSessionReader (django.core.signing cookies of the signed_cookies
// backend: base64url, zlib, JSON, base62 timestamp, HMAC-SHA256 or legacy HMAC-SHA1) on arbitrary
// cookie values and on payloads signed the way Django signs them. See session_fuzz.hpp for the
// input layout and the invariants.
#include "larder/rules/django_session.hpp"

#include "session_cookie_writer.hpp"
#include "session_fuzz.hpp"

namespace {

larder::config::DjangoSessionConfig make_config(bool keyed) {
    larder::config::DjangoSessionConfig c;
    if (keyed) c.secret_key = "django-test-secret-key";  // the unit tests' cookies use it
    c.personal_keys = {"_messages", "cart"};
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto keyed = make_config(true);
    static const auto unkeyed = make_config(false);
    larder::fuzz::fuzz_session<larder::rules::DjangoSessionReader>(data, size, keyed, unkeyed,
                                                                   larder::fuzz::django_cookie);
    return 0;
}
