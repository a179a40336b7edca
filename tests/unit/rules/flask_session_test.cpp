#include "larder/rules/flask_session.hpp"

#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdint>
#include <string>

#include "flask_cookies.hpp"
#include "larder/rules/base64url.hpp"

using namespace larder::rules;
using namespace larder::rules::testing;
using larder::config::FlaskSessionConfig;

namespace {

FlaskSessionReader reader(bool with_secret, std::string secret = std::string(kFlaskSecret)) {
    FlaskSessionConfig c;
    if (with_secret) c.secret_key = secret;
    return FlaskSessionReader(c);
}

}  // namespace

TEST(Base64Url, DecodesWithAndWithoutPadding) {
    std::string out;
    EXPECT_TRUE(base64url_decode("eyJhIjoxfQ", out));
    EXPECT_EQ(out, R"({"a":1})");
    out.clear();
    EXPECT_TRUE(base64url_decode("eyJhIjoxfQ==", out));
    EXPECT_EQ(out, R"({"a":1})");
    out.clear();
    EXPECT_TRUE(base64url_decode("-_8", out));
    EXPECT_EQ(out, "\xfb\xff");
    out.clear();
    EXPECT_TRUE(base64url_decode("", out));
    EXPECT_EQ(out, "");
}

TEST(Base64Url, RejectsBadInput) {
    std::string out;
    EXPECT_FALSE(base64url_decode("eyJh+IjoxfQ", out));  // '+' is not base64url
    EXPECT_FALSE(base64url_decode("ab/c", out));
    EXPECT_FALSE(base64url_decode("abcde", out));  // 1 mod 4
    EXPECT_FALSE(base64url_decode("ab!c", out));
    EXPECT_FALSE(base64url_decode("QR", out));  // non-zero leftover bits
}

TEST(FlaskSession, PlainPayloadsFromRealFlask) {
    auto r = reader(false);
    EXPECT_EQ(r.cookie_name(), "session");
    EXPECT_EQ(r.inspect(kUserCookie).state, SessionState::User);
    EXPECT_EQ(r.inspect(kAnonCookie).state, SessionState::Anonymous);
    EXPECT_EQ(r.inspect(kEscapedUserCookie).state, SessionState::User);
}

TEST(FlaskSession, CompressedPayloadsFromRealFlask) {
    auto r = reader(false);
    ASSERT_EQ(kCompressedUserCookie.front(), '.');
    EXPECT_EQ(r.inspect(kCompressedUserCookie).state, SessionState::User);
    EXPECT_EQ(r.inspect(kCompressedAnonCookie).state, SessionState::Anonymous);
    EXPECT_EQ(r.inspect(kNestedAnonCookie).state, SessionState::Anonymous);
    // Twice in a row on one thread: the reused zlib stream resets correctly.
    EXPECT_EQ(r.inspect(kCompressedUserCookie).state, SessionState::User);
    EXPECT_EQ(r.inspect(kNestedAnonCookie).state, SessionState::Anonymous);
}

TEST(FlaskSession, EmptyIsAnonymous) {
    EXPECT_EQ(reader(false).inspect("").state, SessionState::Anonymous);
    EXPECT_EQ(reader(true).inspect("").state, SessionState::Anonymous);
}

TEST(FlaskSession, OtherUserKey) {
    FlaskSessionConfig c;
    c.user_key = "csrf_token";
    FlaskSessionReader r(c);
    EXPECT_EQ(r.inspect(kAnonCookie).state, SessionState::User);
    EXPECT_EQ(r.inspect(kCompressedUserCookie).state, SessionState::Anonymous);
}

TEST(FlaskSession, BrokenCookiesAreInvalid) {
    auto r = reader(false);
    EXPECT_EQ(r.inspect(kBadJsonCookie).state, SessionState::Invalid);
    EXPECT_EQ(r.inspect(kBadZlibCookie).state, SessionState::Invalid);
    EXPECT_EQ(r.inspect(kTruncatedZlibCookie).state, SessionState::Invalid);
    EXPECT_EQ(r.inspect(kNotObjectCookie).state, SessionState::Invalid);
    // Bad base64 in the payload, in the timestamp; missing parts.
    EXPECT_EQ(r.inspect("ey!!JhIjoxfQ.awW3IQ.kL4jtS9VViVztLDFhKDnKqrZcqE").state, SessionState::Invalid);
    EXPECT_EQ(r.inspect("eyJhIjoxfQ.a*W3IQ.kL4jtS9VViVztLDFhKDnKqrZcqE").state, SessionState::Invalid);
    EXPECT_EQ(r.inspect("eyJhIjoxfQ").state, SessionState::Invalid);
    EXPECT_EQ(r.inspect("eyJhIjoxfQ.awW3IQ").state, SessionState::Invalid);
    EXPECT_EQ(r.inspect("eyJhIjoxfQ..sig").state, SessionState::Invalid);
    EXPECT_EQ(r.inspect(".awW3IQ.sig").state, SessionState::Invalid);
    EXPECT_EQ(r.inspect("garbage").state, SessionState::Invalid);
    EXPECT_EQ(r.inspect("...").state, SessionState::Invalid);
}

namespace {

std::string base64url_encode(std::string_view in) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 63]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
    return out;
}

std::string compressed_cookie(const std::string& json) {
    uLongf size = compressBound(json.size());
    std::string z(size, '\0');
    EXPECT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &size,
                       reinterpret_cast<const Bytef*>(json.data()), json.size()),
              Z_OK);
    z.resize(size);
    return "." + base64url_encode(z) + ".awW3IQ.unchecked";
}

}  // namespace

TEST(FlaskSession, CompressedPayloadBuiltHere) {
    // Without a secret the signature is not checked, so payloads can be built in the test.
    FlaskSessionReader r{FlaskSessionConfig{}};
    EXPECT_EQ(r.inspect(compressed_cookie(R"({"x":1,"_user_id":"5"})")).state, SessionState::User);
    EXPECT_EQ(r.inspect(compressed_cookie(R"({"x":1})")).state, SessionState::Anonymous);
    std::string padded = R"({"pad":")" + std::string(200 * 1024, 'a') + R"(","_user_id":1})";
    EXPECT_EQ(r.inspect(compressed_cookie(padded)).state, SessionState::User);
}

TEST(FlaskSession, ZlibBombIsInvalid) {
    // 1 MiB of zeros compresses to about 1 KiB; the reader stops inflating at 256 KiB.
    FlaskSessionReader r{FlaskSessionConfig{}};
    std::string bomb = R"({"a":")" + std::string(1 << 20, '0') + R"(","_user_id":1})";
    std::string cookie = compressed_cookie(bomb);
    EXPECT_LT(cookie.size(), 4096u);
    EXPECT_EQ(r.inspect(cookie).state, SessionState::Invalid);
    // The thread's zlib stream still works afterwards.
    EXPECT_EQ(r.inspect(kCompressedUserCookie).state, SessionState::User);
    EXPECT_EQ(r.inspect(kCompressedAnonCookie).state, SessionState::Anonymous);
}

TEST(FlaskSession, GoodSignaturesVerify) {
    auto r = reader(true);
    EXPECT_TRUE(r.verifies_signature());
    EXPECT_EQ(r.inspect(kUserCookie).state, SessionState::User);
    EXPECT_EQ(r.inspect(kAnonCookie).state, SessionState::Anonymous);
    EXPECT_EQ(r.inspect(kCompressedUserCookie).state, SessionState::User);
    EXPECT_EQ(r.inspect(kCompressedAnonCookie).state, SessionState::Anonymous);
    EXPECT_EQ(r.inspect(kNestedAnonCookie).state, SessionState::Anonymous);
    // Correctly signed but broken inside: still Invalid.
    EXPECT_EQ(r.inspect(kBadJsonCookie).state, SessionState::Invalid);
    EXPECT_EQ(r.inspect(kBadZlibCookie).state, SessionState::Invalid);
}

TEST(FlaskSession, BadSignaturesAreInvalid) {
    auto r = reader(true);
    // Signed with another key: anonymous payload, but not ours.
    EXPECT_EQ(r.inspect(kOtherKeyAnonCookie).state, SessionState::Invalid);
    EXPECT_EQ(reader(false).inspect(kOtherKeyAnonCookie).state, SessionState::Anonymous);
    EXPECT_EQ(reader(true, "other-key").inspect(kOtherKeyAnonCookie).state, SessionState::Anonymous);
    EXPECT_EQ(reader(true, "other-key").inspect(kAnonCookie).state, SessionState::Invalid);

    // Tampered payload: an anonymous cookie with a user's payload pasted in.
    std::string forged(kAnonCookie);
    std::string user_payload(kUserCookie.substr(0, kUserCookie.find('.')));
    forged.replace(0, forged.find('.'), user_payload);
    EXPECT_EQ(r.inspect(forged).state, SessionState::Invalid);

    // Tampered signature, truncated signature, non-base64 signature.
    std::string flipped(kAnonCookie);
    flipped.back() = flipped.back() == 'k' ? 'j' : 'k';
    EXPECT_EQ(r.inspect(flipped).state, SessionState::Invalid);
    EXPECT_EQ(r.inspect(kAnonCookie.substr(0, kAnonCookie.size() - 4)).state, SessionState::Invalid);
    std::string bad_b64(kAnonCookie);
    bad_b64[bad_b64.size() - 3] = '*';
    EXPECT_EQ(r.inspect(bad_b64).state, SessionState::Invalid);
    // The compressed marker is part of what is signed.
    EXPECT_EQ(r.inspect(std::string(".") + std::string(kAnonCookie)).state, SessionState::Invalid);
}
