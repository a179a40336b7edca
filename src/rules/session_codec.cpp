#include "session_codec.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zlib.h>

#include <array>
#include <string>

#include "larder/rules/base64url.hpp"

namespace larder::rules::detail {

static_assert(kMaxDigest == EVP_MAX_MD_SIZE);

namespace {

// Per-thread scratch: decoded payload, inflated payload, decoded signature, is_base64url()'s
// output, and a zlib stream that is reset (not re-created) between cookies.
struct Scratch {
    std::string decoded;
    std::string inflated;
    std::string signature;
    std::string probe;
    z_stream zs{};
    bool zs_ready = false;
    ~Scratch() {
        if (zs_ready) inflateEnd(&zs);
    }
};

thread_local Scratch tl_scratch;

// HMAC through per-thread EVP_MAC_CTXs, one per digest: the digest is fetched once per thread and
// context (fetching takes a lock in OpenSSL's method store), later calls only re-key the context.
// The one-shot HMAC() fetches and allocates on every call and costs about three times as much.
// Setting another digest on a shared context would fetch again, hence one context per digest.
struct ThreadMacs {
    struct Slot {
        std::string_view digest;  // names a string literal of the caller's
        EVP_MAC_CTX* ctx = nullptr;
    };
    std::array<Slot, 4> slots{};  // the readers use two digests ("SHA1", "SHA256")
    ~ThreadMacs() {
        for (auto& s : slots) EVP_MAC_CTX_free(s.ctx);
    }
};

thread_local ThreadMacs tl_macs;

EVP_MAC* hmac_algorithm() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    return mac;
}

// The thread's context for `digest`, created and set to the digest on first use; nullptr when
// OpenSSL fails or all slots hold other digests.
EVP_MAC_CTX* thread_mac(const char* digest) {
    std::string_view name(digest);
    for (auto& slot : tl_macs.slots) {
        if (slot.ctx && slot.digest == name) return slot.ctx;
        if (slot.ctx) continue;
        if (!hmac_algorithm()) return nullptr;
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac_algorithm());
        if (!ctx) return nullptr;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
            OSSL_PARAM_construct_end()};
        if (!EVP_MAC_CTX_set_params(ctx, params)) {
            EVP_MAC_CTX_free(ctx);
            return nullptr;
        }
        slot.digest = name;
        slot.ctx = ctx;
        return ctx;
    }
    return nullptr;
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

bool hmac(const char* digest, std::span<const unsigned char> key, std::string_view data,
          DigestOut out, std::size_t& out_len) {
    EVP_MAC_CTX* ctx = thread_mac(digest);
    if (!ctx) return false;
    if (!EVP_MAC_init(ctx, key.data(), key.size(), nullptr)) return false;
    if (!EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()))
        return false;
    return EVP_MAC_final(ctx, out.data(), &out_len, out.size()) == 1;
}

bool hash(const char* digest, std::string_view data, DigestOut out, std::size_t& out_len) {
    return EVP_Q_digest(nullptr, digest, nullptr, data.data(), data.size(), out.data(), &out_len) ==
           1;
}

bool signature_matches(const char* digest, std::span<const unsigned char> key,
                       std::string_view data, std::string_view signature) {
    std::string& sig = tl_scratch.signature;
    sig.clear();
    if (!base64url_decode(signature, sig)) return false;
    std::array<unsigned char, kMaxDigest> mac;
    std::size_t len = 0;
    if (!hmac(digest, key, data, mac, len) || len != sig.size()) return false;
    return CRYPTO_memcmp(mac.data(), sig.data(), len) == 0;
}

std::optional<std::string_view> decode_payload(std::string_view payload, bool compressed) {
    Scratch& s = tl_scratch;
    s.decoded.clear();
    if (!base64url_decode(payload, s.decoded)) return std::nullopt;
    if (!compressed) return std::string_view(s.decoded);
    if (!inflate_into(s.decoded, s)) return std::nullopt;
    return std::string_view(s.inflated);
}

bool is_base64url(std::string_view text) {
    std::string& buf = tl_scratch.probe;
    buf.clear();
    return base64url_decode(text, buf);
}

}  // namespace larder::rules::detail
