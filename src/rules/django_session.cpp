#include "larder/rules/django_session.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "session_codec.hpp"

namespace larder::rules {

namespace {

// Lengths of unpadded base64url signatures: 32 bytes (SHA256) and 20 bytes (SHA1).
constexpr std::size_t kSha256SignatureChars = 43;
constexpr std::size_t kSha1SignatureChars = 27;

bool is_base62(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    });
}

// salted_hmac()'s key: `digest`(salt + "signer" + secret).
template <std::size_t N>
void derive(const char* digest, std::string_view material, std::array<unsigned char, N>& out) {
    std::array<unsigned char, detail::kMaxDigest> md;
    std::size_t len = 0;
    if (!detail::hash(digest, material, md, len) || len != N)
        throw std::invalid_argument("identity.django_session: cannot derive the signing key");
    std::copy_n(md.begin(), N, out.begin());
}

}  // namespace

DjangoSessionReader::DjangoSessionReader(const config::DjangoSessionConfig& config)
    : cookie_(config.cookie), user_key_(config.user_key), personal_keys_(config.personal_keys) {
    if (!config.signed_cookies())
        throw std::invalid_argument("identity.django_session: backend \"" + config.backend +
                                    "\" keeps the session on the server; only \"signed_cookies\" "
                                    "can be read from the cookie");
    if (!config.secret_key) return;
    std::string material(kSalt);
    material += "signer";
    material += *config.secret_key;
    derive("SHA256", material, sha256_key_);
    derive("SHA1", material, sha1_key_);
    has_key_ = true;
}

bool DjangoSessionReader::signature_ok(std::string_view signed_part,
                                       std::string_view signature) const {
    // Django compares the base64 text, so padding never matches; after that the length tells
    // which of its two candidates (Signer.signature(), Signer._legacy_signature()) can match.
    if (signature.find('=') != std::string_view::npos) return false;
    if (signature.size() == kSha256SignatureChars)
        return detail::signature_matches("SHA256", sha256_key_, signed_part, signature);
    if (signature.size() == kSha1SignatureChars)
        return detail::signature_matches("SHA1", sha1_key_, signed_part, signature);
    return false;
}

SessionVerdict DjangoSessionReader::inspect(std::string_view value) const {
    if (value.empty()) return {SessionState::Anonymous, {}};
    std::size_t sig_colon = value.rfind(':');
    if (sig_colon == std::string_view::npos) return {SessionState::Invalid, {}};
    std::string_view signed_part = value.substr(0, sig_colon);
    std::string_view signature = value.substr(sig_colon + 1);
    std::size_t ts_colon = signed_part.rfind(':');
    if (ts_colon == std::string_view::npos) return {SessionState::Invalid, {}};
    std::string_view payload = signed_part.substr(0, ts_colon);
    std::string_view timestamp = signed_part.substr(ts_colon + 1);
    bool compressed = payload.starts_with('.');
    if (compressed) payload.remove_prefix(1);
    if (payload.empty() || signature.empty() || !is_base62(timestamp))
        return {SessionState::Invalid, {}};

    // Before decoding: with a key, nothing unsigned reaches base64 or zlib (the '.' is signed too).
    if (has_key_ && !signature_ok(signed_part, signature)) return {SessionState::Invalid, {}};
    auto json = detail::decode_payload(payload, compressed);
    if (!json) return {SessionState::Invalid, {}};
    return verdict_from_payload(*json, user_key_, personal_keys_);
}

}  // namespace larder::rules
