// The fuzz targets' own session cookie writer: signs a payload the way Flask (itsdangerous) and
// Django (django.core.signing) do, written from the frameworks' documented formulas with OpenSSL's
// one-shot HMAC and zlib, independently of src/rules/session_codec.*, so that a reader that
// disagrees with the writer on a validly signed cookie is caught.
//
// Flask:  "[.]B64(payload).TIMESTAMP.B64(HMAC-SHA1(HMAC-SHA1(secret, "cookie-session"), signed))"
// Django: "[.]B64(payload):TIMESTAMP:B64(HMAC-SHA256(SHA256(salt + "signer" + secret), signed))"
// where B64 is base64url without padding, "." marks a zlib-compressed payload and `signed` is
// everything before the last separator.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace larder::fuzz {

inline std::string base64url(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
    }
    if (bytes.size() - i == 1) {
        unsigned v = byte(i) << 16;
        for (int shift : {18, 12}) out.push_back(kAlphabet[(v >> shift) & 63]);
    } else if (bytes.size() - i == 2) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8;
        for (int shift : {18, 12, 6}) out.push_back(kAlphabet[(v >> shift) & 63]);
    }
    return out;
}

inline std::string zlib_compress(std::string_view bytes) {
    uLongf size = compressBound(static_cast<uLong>(bytes.size()));
    std::string out(size, '\0');
    compress(reinterpret_cast<Bytef*>(out.data()), &size,
             reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()));
    out.resize(size);
    return out;
}

inline std::string hmac(const EVP_MD* digest, std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(digest, key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
    return std::string(reinterpret_cast<const char*>(mac), len);
}

inline std::string encoded_payload(std::string_view json, bool compressed) {
    return compressed ? "." + base64url(zlib_compress(json)) : base64url(json);
}

inline std::string flask_cookie(std::string_view json, bool compressed, std::string_view secret) {
    std::string derived = hmac(EVP_sha1(), secret, "cookie-session");
    std::string signed_part = encoded_payload(json, compressed) + ".awW3IQ";
    return signed_part + "." + base64url(hmac(EVP_sha1(), derived, signed_part));
}

inline std::string django_cookie(std::string_view json, bool compressed, std::string_view secret) {
    std::string material = std::string("django.contrib.sessions.backends.signed_cookies") +
                           "signer" + std::string(secret);
    unsigned char key[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), key);
    std::string signed_part = encoded_payload(json, compressed) + ":1xYNCu";
    std::string_view key_view(reinterpret_cast<const char*>(key), sizeof key);
    return signed_part + ":" + base64url(hmac(EVP_sha256(), key_view, signed_part));
}

}  // namespace larder::fuzz
