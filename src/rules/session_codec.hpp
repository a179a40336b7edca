// rules::detail session codec: the crypto and compression steps shared by the session cookie
// readers (FlaskSessionReader, DjangoSessionReader). Private to src/rules/.
//
// Purpose: both frameworks write "[.]PAYLOAD<sep>TIMESTAMP<sep>SIGNATURE" with a base64url,
// optionally zlib-compressed JSON payload and an HMAC signature; only the separator, the digest and
// the key derivation differ. This file holds what they share: HMAC and plain digests through
// OpenSSL's EVP API, constant-time signature comparison, and the bounded base64url + inflate of a
// payload.
//
// Invariants: every function here is thread-safe and, except hash() (for constructors), does not
// allocate in steady state (thread-local buffers grow to the largest cookie seen, then stay). HMACs
// run through one EVP_MAC_CTX per digest per thread (the digest is fetched once per thread, later
// calls only re-key the context). Payloads are decoded into thread-local buffers and inflated with
// a thread-local zlib stream that is reset, not re-created, between cookies; inflating stops with
// failure beyond kMaxInflated bytes (zip bombs), on trailing bytes after the zlib stream and on a
// truncated stream. A returned payload view stays valid until the same thread decodes the next
// payload. Digest names are OpenSSL's ("SHA1", "SHA256") and must be string literals (a thread's
// HMAC context is looked up by name and keeps a view of it).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace larder::rules::detail {

inline constexpr std::size_t kMaxInflated = 256 * 1024;  // bytes of JSON after inflating
inline constexpr std::size_t kMaxDigest = 64;            // EVP_MAX_MD_SIZE

using DigestOut = std::span<unsigned char, kMaxDigest>;

// HMAC-`digest`(key, data) into `out`; its length in `out_len`. False on an OpenSSL failure.
bool hmac(const char* digest, std::span<const unsigned char> key, std::string_view data,
          DigestOut out, std::size_t& out_len);

// `digest`(data) into `out`; its length in `out_len`. Allocates: for constructors, not hot paths.
bool hash(const char* digest, std::string_view data, DigestOut out, std::size_t& out_len);

// Whether `signature` (base64url) is HMAC-`digest`(key, data), compared in constant time. False
// for bad base64 or a length other than the digest's; trailing '=' padding is accepted (as
// base64url_decode accepts it), callers that must refuse it check before.
bool signature_matches(const char* digest, std::span<const unsigned char> key,
                       std::string_view data, std::string_view signature);

// The JSON text of a base64url payload, inflated first when `compressed`; nullopt for bad base64,
// bad or truncated zlib, or more than kMaxInflated bytes. The view points into thread-local
// storage, valid until this thread's next call.
std::optional<std::string_view> decode_payload(std::string_view payload, bool compressed);

// Whether `text` decodes as base64url (checked in a thread-local buffer), e.g. Flask's timestamp.
bool is_base64url(std::string_view text);

}  // namespace larder::rules::detail
