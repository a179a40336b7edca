// Fuzz target: rules::FlaskSessionReader (itsdangerous cookies: base64url, zlib, JSON, HMAC-SHA1)
// on arbitrary cookie values and on payloads signed the way Flask signs them. See
// session_fuzz.hpp for the input layout and the invariants.
#include "larder/rules/flask_session.hpp"

#include "session_cookie_writer.hpp"
#include "session_fuzz.hpp"

namespace {

larder::config::FlaskSessionConfig make_config(bool keyed) {
    larder::config::FlaskSessionConfig c;
    if (keyed) c.secret_key = "test-secret-key";  // the unit tests' cookies are signed with it
    c.personal_keys = {"_flashes", "cart"};
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto keyed = make_config(true);
    static const auto unkeyed = make_config(false);
    larder::fuzz::fuzz_session<larder::rules::FlaskSessionReader>(data, size, keyed, unkeyed,
                                                                  larder::fuzz::flask_cookie);
    return 0;
}
