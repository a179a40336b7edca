#include "larder/rules/flask_session.hpp"

#include <algorithm>
#include <stdexcept>

#include "session_codec.hpp"

namespace larder::rules {

namespace {

constexpr std::string_view kSalt = "cookie-session";

}  // namespace

FlaskSessionReader::FlaskSessionReader(const config::FlaskSessionConfig& config)
    : cookie_(config.cookie), user_key_(config.user_key), personal_keys_(config.personal_keys) {
    if (!config.secret_key) return;
    std::array<unsigned char, detail::kMaxDigest> mac;
    std::size_t len = 0;
    const auto& secret = *config.secret_key;
    if (!detail::hmac("SHA1",
                      {reinterpret_cast<const unsigned char*>(secret.data()), secret.size()}, kSalt,
                      mac, len) ||
        len != derived_key_.size())
        throw std::invalid_argument("identity.flask_session: cannot derive the signing key");
    std::copy_n(mac.begin(), len, derived_key_.begin());
    has_key_ = true;
}

bool FlaskSessionReader::signature_ok(std::string_view signed_part,
                                      std::string_view signature) const {
    return detail::signature_matches("SHA1", derived_key_, signed_part, signature);
}

SessionVerdict FlaskSessionReader::inspect(std::string_view value) const {
    if (value.empty()) return {SessionState::Anonymous, {}};
    std::size_t last_dot = value.rfind('.');
    if (last_dot == std::string_view::npos || last_dot == 0) return {SessionState::Invalid, {}};
    std::string_view signed_part = value.substr(0, last_dot);
    std::string_view signature = value.substr(last_dot + 1);
    std::size_t ts_dot = signed_part.rfind('.');
    if (ts_dot == std::string_view::npos) return {SessionState::Invalid, {}};
    std::string_view payload = signed_part.substr(0, ts_dot);
    std::string_view timestamp = signed_part.substr(ts_dot + 1);
    bool compressed = payload.starts_with('.');
    if (compressed) payload.remove_prefix(1);
    if (payload.empty() || timestamp.empty() || signature.empty())
        return {SessionState::Invalid, {}};

    if (has_key_ && !signature_ok(signed_part, signature)) return {SessionState::Invalid, {}};
    if (!detail::is_base64url(timestamp)) return {SessionState::Invalid, {}};
    auto json = detail::decode_payload(payload, compressed);
    if (!json) return {SessionState::Invalid, {}};
    return verdict_from_payload(*json, user_key_, personal_keys_);
}

}  // namespace larder::rules
