#include "larder/rules/flask_session.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <zlib.h>

#include <stdexcept>

#include "larder/rules/base64url.hpp"
#include "larder/rules/json_scan.hpp"

namespace larder::rules {

namespace {

constexpr std::size_t kMaxInflated = 256 * 1024;
constexpr std::string_view kSalt = "cookie-session";

// Per-thread scratch: decoded payload, inflated payload, decoded signature, and a zlib stream
// that is reset (not re-created) between cookies.
struct Scratch {
    std::string decoded;
    std::string inflated;
    std::string signature;
    z_stream zs{};
    bool zs_ready = false;
    ~Scratch() {
        if (zs_ready) inflateEnd(&zs);
    }
};

thread_local Scratch tl_scratch;

// HMAC-SHA1 through a per-thread EVP_MAC_CTX: the digest is fetched once per thread (fetching
// takes a lock in OpenSSL's method store), later calls only re-key the context. The one-shot
// HMAC() fetches and allocates on every call and costs about three times as much.
struct ThreadMac {
    EVP_MAC_CTX* ctx = nullptr;
    bool digest_set = false;
    ~ThreadMac() { EVP_MAC_CTX_free(ctx); }
};

thread_local ThreadMac tl_mac;

EVP_MAC* hmac_algorithm() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    return mac;
}

bool hmac_sha1(const unsigned char* key, std::size_t key_len, std::string_view data,
               unsigned char (&out)[EVP_MAX_MD_SIZE], std::size_t& out_len) {
    ThreadMac& m = tl_mac;
    if (!m.ctx) {
        if (!hmac_algorithm()) return false;
        m.ctx = EVP_MAC_CTX_new(hmac_algorithm());
        if (!m.ctx) return false;
    }
    char digest[] = "SHA1";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!EVP_MAC_init(m.ctx, key, key_len, m.digest_set ? nullptr : params)) return false;
    m.digest_set = true;
    if (!EVP_MAC_update(m.ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()))
        return false;
    return EVP_MAC_final(m.ctx, out, &out_len, EVP_MAX_MD_SIZE) == 1;
}

bool inflate_into(std::string_view in, Scratch& s) {
    if (!s.zs_ready) {
        if (inflateInit(&s.zs) != Z_OK) return false;
        s.zs_ready = true;
    } else if (inflateReset(&s.zs) != Z_OK) {
        return false;
    }
    s.inflated.clear();
    s.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.zs.avail_in = static_cast<uInt>(in.size());
    char chunk[4096];
    while (true) {
        s.zs.next_out = reinterpret_cast<Bytef*>(chunk);
        s.zs.avail_out = sizeof chunk;
        int rc = inflate(&s.zs, Z_NO_FLUSH);
        s.inflated.append(chunk, sizeof chunk - s.zs.avail_out);
        if (s.inflated.size() > kMaxInflated) return false;
        if (rc == Z_STREAM_END) return s.zs.avail_in == 0;
        if (rc != Z_OK) return false;                                 // data or memory error
        if (s.zs.avail_in == 0 && s.zs.avail_out != 0) return false;  // truncated
    }
}

}  // namespace

std::string_view to_string(SessionState s) {
    switch (s) {
        case SessionState::Anonymous:
            return "anonymous";
        case SessionState::User:
            return "user";
        case SessionState::Personal:
            return "personal";
        case SessionState::Invalid:
            return "invalid";
    }
    return "invalid";
}

SessionVerdict verdict_from_payload(std::string_view json, std::string_view user_key,
                                    const std::vector<std::string>& personal_keys) {
    switch (json_object_has_key(json, user_key)) {
        case JsonKeyScan::Found:
            return {SessionState::User, {}};
        case JsonKeyScan::Invalid:
            return {SessionState::Invalid, {}};
        case JsonKeyScan::NotFound:
            break;
    }
    for (const auto& key : personal_keys)
        if (json_object_has_key(json, key) == JsonKeyScan::Found)
            return {SessionState::Personal, key};
    return {SessionState::Anonymous, {}};
}

FlaskSessionReader::FlaskSessionReader(const config::FlaskSessionConfig& config)
    : cookie_(config.cookie), user_key_(config.user_key), personal_keys_(config.personal_keys) {
    if (!config.secret_key) return;
    unsigned int len = 0;
    if (!HMAC(EVP_sha1(), config.secret_key->data(), static_cast<int>(config.secret_key->size()),
              reinterpret_cast<const unsigned char*>(kSalt.data()), kSalt.size(),
              derived_key_.data(), &len) ||
        len != derived_key_.size())
        throw std::invalid_argument("identity.flask_session: cannot derive the signing key");
    has_key_ = true;
}

bool FlaskSessionReader::signature_ok(std::string_view signed_part,
                                      std::string_view signature) const {
    std::string& sig = tl_scratch.signature;
    sig.clear();
    if (!base64url_decode(signature, sig) || sig.size() != derived_key_.size()) return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    if (!hmac_sha1(derived_key_.data(), derived_key_.size(), signed_part, mac, len) ||
        len != sig.size())
        return false;
    return CRYPTO_memcmp(mac, sig.data(), len) == 0;
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
    if (payload.empty() || timestamp.empty() || signature.empty()) return {SessionState::Invalid, {}};

    if (has_key_ && !signature_ok(signed_part, signature)) return {SessionState::Invalid, {}};

    Scratch& s = tl_scratch;
    s.decoded.clear();
    if (!base64url_decode(timestamp, s.decoded)) return {SessionState::Invalid, {}};
    s.decoded.clear();
    if (!base64url_decode(payload, s.decoded)) return {SessionState::Invalid, {}};
    std::string_view json = s.decoded;
    if (compressed) {
        if (!inflate_into(s.decoded, s)) return {SessionState::Invalid, {}};
        json = s.inflated;
    }
    return verdict_from_payload(json, user_key_, personal_keys_);
}

}  // namespace larder::rules
