#include "larder/rules/django_session.hpp"

#include <gtest/gtest.h>

#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "django_cookies.hpp"
#include "flask_cookies.hpp"

using namespace larder::rules;
using namespace larder::rules::testing;
using larder::config::DjangoSessionConfig;

namespace {

DjangoSessionReader reader(bool with_secret, std::string secret = std::string(kDjangoSecret)) {
    DjangoSessionConfig c;
    if (with_secret) c.secret_key = secret;
    return DjangoSessionReader(c);
}

SessionState state(const DjangoSessionReader& r, std::string_view cookie) {
    return r.inspect(cookie).state;
}

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

// Unsigned cookies built here: only a reader without a secret accepts them.
std::string plain_cookie(const std::string& json) {
    return base64url_encode(json) + ":1xYN6M:unchecked";
}

std::string compressed_cookie(const std::string& json, std::string_view trailing = {}) {
    uLongf size = compressBound(json.size());
    std::string z(size, '\0');
    EXPECT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &size,
                       reinterpret_cast<const Bytef*>(json.data()), json.size()),
              Z_OK);
    z.resize(size);
    z += trailing;
    return "." + base64url_encode(z) + ":1xYN6M:unchecked";
}

}  // namespace

TEST(DjangoSession, Defaults) {
    auto r = reader(false);
    EXPECT_EQ(r.cookie_name(), "sessionid");
    EXPECT_FALSE(r.verifies_signature());
    EXPECT_TRUE(reader(true).verifies_signature());
    DjangoSessionConfig c;
    c.cookie = "sid";
    EXPECT_EQ(DjangoSessionReader(c).cookie_name(), "sid");
}

TEST(DjangoSession, OnlyForSignedCookies) {
    for (const char* backend : {"db", "cache", "cached_db", "file", ""}) {
        DjangoSessionConfig c;
        c.backend = backend;
        c.secret_key = "k";
        EXPECT_THROW(DjangoSessionReader{c}, std::invalid_argument) << backend;
    }
}

TEST(DjangoSession, LoggedInFromRealDjango) {
    for (bool with_secret : {false, true}) {
        auto r = reader(with_secret);
        ASSERT_NE(kDjangoUserCookie.front(), '.');
        EXPECT_EQ(state(r, kDjangoUserCookie), SessionState::User);
        ASSERT_EQ(kDjangoCompressedUserCookie.front(), '.');
        EXPECT_EQ(state(r, kDjangoCompressedUserCookie), SessionState::User);
        EXPECT_EQ(state(r, kDjangoStoreUserCookie), SessionState::User);
    }
}

TEST(DjangoSession, AnonymousFromRealDjango) {
    for (bool with_secret : {false, true}) {
        auto r = reader(with_secret);
        ASSERT_EQ(kDjangoCartCookie.front(), '.');
        EXPECT_EQ(state(r, kDjangoCartCookie), SessionState::Anonymous);
        EXPECT_EQ(state(r, kDjangoAnonCookie), SessionState::Anonymous);
        // _auth_user_id nested in the cart, in a list, and inside a string value: not a user.
        EXPECT_EQ(state(r, kDjangoNestedAnonCookie), SessionState::Anonymous);
        // Twice in a row on one thread: the reused zlib stream resets correctly.
        EXPECT_EQ(state(r, kDjangoCompressedUserCookie), SessionState::User);
        EXPECT_EQ(state(r, kDjangoNestedAnonCookie), SessionState::Anonymous);
    }
}

TEST(DjangoSession, SessionStoredMessagesArePersonal) {
    for (bool with_secret : {false, true}) {
        auto r = reader(with_secret);
        for (auto cookie : {kDjangoMessagesCookie, kDjangoStoreMessagesCookie}) {
            SessionVerdict v = r.inspect(cookie);
            EXPECT_EQ(v.state, SessionState::Personal);
            EXPECT_EQ(v.personal_key, "_messages");
        }
        EXPECT_EQ(r.inspect(kDjangoCartCookie).personal_key, "");
    }
    // Without personal keys, messages alone say nothing about the visitor.
    DjangoSessionConfig c;
    c.personal_keys.clear();
    EXPECT_EQ(state(DjangoSessionReader(c), kDjangoStoreMessagesCookie), SessionState::Anonymous);
    // A logged-in user with messages is a user.
    EXPECT_EQ(state(reader(false), plain_cookie(R"({"_messages":"[]","_auth_user_id":"1"})")),
              SessionState::User);
}

TEST(DjangoSession, CustomUserKey) {
    DjangoSessionConfig c;
    c.user_key = "django_language";
    c.secret_key = std::string(kDjangoSecret);
    DjangoSessionReader r(c);
    EXPECT_EQ(state(r, kDjangoAnonCookie), SessionState::User);
    EXPECT_EQ(state(r, kDjangoCartCookie), SessionState::User);
    EXPECT_EQ(state(r, kDjangoCompressedUserCookie), SessionState::Anonymous);
    EXPECT_EQ(state(r, kDjangoStoreMessagesCookie), SessionState::User);  // user key wins
    EXPECT_EQ(state(r, kDjangoMessagesCookie), SessionState::Personal);
}

TEST(DjangoSession, EmptyIsAnonymous) {
    EXPECT_EQ(state(reader(false), ""), SessionState::Anonymous);
    EXPECT_EQ(state(reader(true), ""), SessionState::Anonymous);
}

TEST(DjangoSession, LegacySha1SignaturesVerify) {
    auto r = reader(true);
    EXPECT_EQ(state(r, kDjangoSha1UserCookie), SessionState::User);
    EXPECT_EQ(state(r, kDjangoSha1StoreAnonCookie), SessionState::Anonymous);
    EXPECT_EQ(state(reader(true, "other-secret-key"), kDjangoSha1UserCookie),
              SessionState::Invalid);
    // A SHA1 signature flipped or cut to the SHA1 length of another cookie: no match.
    std::string flipped(kDjangoSha1UserCookie);
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(state(r, flipped), SessionState::Invalid);
    std::string cut(kDjangoUserCookie);
    cut.resize(cut.size() - 16);  // 43 -> 27 characters: a SHA1-length prefix of a SHA256 one
    EXPECT_EQ(state(r, cut), SessionState::Invalid);
}

TEST(DjangoSession, BadSignaturesAreInvalid) {
    auto r = reader(true);
    // Signed with another key: anonymous payload, but not ours.
    EXPECT_EQ(state(r, kDjangoOtherKeyAnonCookie), SessionState::Invalid);
    EXPECT_EQ(state(reader(false), kDjangoOtherKeyAnonCookie), SessionState::Anonymous);
    EXPECT_EQ(state(reader(true, "other-secret-key"), kDjangoOtherKeyAnonCookie),
              SessionState::Anonymous);
    EXPECT_EQ(state(reader(true, "other-secret-key"), kDjangoAnonCookie), SessionState::Invalid);
    // Without a key the payload decides, whatever the signature.
    EXPECT_EQ(state(reader(false), plain_cookie(R"({"_auth_user_id":"1"})")), SessionState::User);
    EXPECT_EQ(state(r, plain_cookie(R"({"_auth_user_id":"1"})")), SessionState::Invalid);

    // Tampered payload: an anonymous cookie with a user's payload pasted in.
    std::string forged(kDjangoAnonCookie);
    forged.replace(0, forged.find(':'), kDjangoUserCookie.substr(0, kDjangoUserCookie.find(':')));
    EXPECT_EQ(state(r, forged), SessionState::Invalid);
    EXPECT_EQ(state(reader(false), forged), SessionState::User);
    // Tampered timestamp.
    std::string retimed(kDjangoAnonCookie);
    std::size_t ts = retimed.find(':') + 1;
    retimed[ts] = retimed[ts] == '1' ? '2' : '1';
    EXPECT_EQ(state(r, retimed), SessionState::Invalid);

    // Flipped, truncated, padded, non-base64 and empty signatures.
    std::string flipped(kDjangoAnonCookie);
    flipped.back() = flipped.back() == 'a' ? 'b' : 'a';
    EXPECT_EQ(state(r, flipped), SessionState::Invalid);
    EXPECT_EQ(state(r, kDjangoAnonCookie.substr(0, kDjangoAnonCookie.size() - 4)),
              SessionState::Invalid);
    EXPECT_EQ(state(r, std::string(kDjangoAnonCookie) + "="), SessionState::Invalid);
    std::string bad_b64(kDjangoAnonCookie);
    bad_b64[bad_b64.size() - 3] = '*';
    EXPECT_EQ(state(r, bad_b64), SessionState::Invalid);
    std::string no_sig(kDjangoAnonCookie.substr(0, kDjangoAnonCookie.rfind(':') + 1));
    EXPECT_EQ(state(r, no_sig), SessionState::Invalid);
    EXPECT_EQ(state(reader(false), no_sig), SessionState::Invalid);
    // The compressed marker is part of what is signed.
    EXPECT_EQ(state(r, "." + std::string(kDjangoAnonCookie)), SessionState::Invalid);
    std::string unmarked(kDjangoCartCookie.substr(1));
    EXPECT_EQ(state(r, unmarked), SessionState::Invalid);
}

TEST(DjangoSession, BrokenInsideIsInvalid) {
    // Correctly signed by Django, so they get past the signature check when there is a key.
    for (bool with_secret : {false, true}) {
        auto r = reader(with_secret);
        EXPECT_EQ(state(r, kDjangoBadJsonCookie), SessionState::Invalid);
        EXPECT_EQ(state(r, kDjangoBadZlibCookie), SessionState::Invalid);
        EXPECT_EQ(state(r, kDjangoTruncatedZlibCookie), SessionState::Invalid);
        EXPECT_EQ(state(r, kDjangoNotObjectCookie), SessionState::Invalid);
        EXPECT_EQ(state(r, kDjangoBadBase64Cookie), SessionState::Invalid);
        EXPECT_EQ(state(r, kDjangoNoTimestampCookie), SessionState::Invalid);
        EXPECT_EQ(state(r, kDjangoBadTimestampCookie), SessionState::Invalid);
        // The JSON scan stops at the first top-level user key (json_scan.hpp), so damage after it
        // is not seen: User, which callers treat like Invalid (the request goes to the app).
        EXPECT_EQ(state(r, kDjangoTruncatedUserJsonCookie), SessionState::User);
    }
}

TEST(DjangoSession, WrongSeparatorsAreInvalid) {
    for (bool with_secret : {false, true}) {
        auto r = reader(with_secret);
        // Flask's '.' separators, both on a Django cookie and on a real Flask cookie.
        std::string dotted(kDjangoUserCookie);
        for (char& c : dotted)
            if (c == ':') c = '.';
        EXPECT_EQ(state(r, dotted), SessionState::Invalid);
        EXPECT_EQ(state(r, kUserCookie), SessionState::Invalid);
        EXPECT_EQ(state(r, kCompressedUserCookie), SessionState::Invalid);
        // Missing or extra parts.
        EXPECT_EQ(state(r, "eyJhIjoxfQ"), SessionState::Invalid);
        EXPECT_EQ(state(r, "eyJhIjoxfQ:1xYN6M"), SessionState::Invalid);
        EXPECT_EQ(state(r, "eyJhIjoxfQ::sig"), SessionState::Invalid);
        EXPECT_EQ(state(r, ":1xYN6M:sig"), SessionState::Invalid);
        EXPECT_EQ(state(r, ".:1xYN6M:sig"), SessionState::Invalid);
        EXPECT_EQ(state(r, "eyJhIjoxfQ:1xYN6M:"), SessionState::Invalid);
        EXPECT_EQ(state(r, "x:" + std::string(kDjangoUserCookie)), SessionState::Invalid);
        EXPECT_EQ(state(r, "garbage"), SessionState::Invalid);
        EXPECT_EQ(state(r, ":::"), SessionState::Invalid);
        EXPECT_EQ(state(r, "eyJhIjoxfQ:1x-N6M:sig"), SessionState::Invalid);  // not base62
    }
}

TEST(DjangoSession, BadBase64IsInvalid) {
    auto r = reader(false);
    EXPECT_EQ(state(r, "ey!!JhIjoxfQ:1xYN6M:sig"), SessionState::Invalid);
    EXPECT_EQ(state(r, "eyJh+IjoxfQ:1xYN6M:sig"), SessionState::Invalid);  // '+' is not base64url
    EXPECT_EQ(state(r, "eyJhI:1xYN6M:sig"), SessionState::Invalid);        // 1 mod 4
    EXPECT_EQ(state(r, ".eJyr!:1xYN6M:sig"), SessionState::Invalid);
    EXPECT_EQ(state(r, plain_cookie(R"({"a":1})")), SessionState::Anonymous);  // control
}

TEST(DjangoSession, CompressedPayloadBuiltHere) {
    auto r = reader(false);
    EXPECT_EQ(state(r, compressed_cookie(R"({"x":1,"_auth_user_id":"5"})")), SessionState::User);
    EXPECT_EQ(state(r, compressed_cookie(R"({"x":1})")), SessionState::Anonymous);
    std::string padded = R"({"pad":")" + std::string(200 * 1024, 'a') + R"(","_auth_user_id":1})";
    EXPECT_EQ(state(r, compressed_cookie(padded)), SessionState::User);
    // Trailing bytes after the zlib stream (Python's zlib.decompress ignores them): Invalid.
    EXPECT_EQ(state(r, compressed_cookie(R"({"x":1})", "xyz")), SessionState::Invalid);
}

TEST(DjangoSession, ZlibBombIsInvalid) {
    // 1 MiB of zeros compresses to about 1 KiB; the reader stops inflating at 256 KiB.
    std::string bomb = R"({"a":")" + std::string(1 << 20, '0') + R"(","_auth_user_id":1})";
    std::string cookie = compressed_cookie(bomb);
    EXPECT_LT(cookie.size(), 4096u);
    auto r = reader(false);
    EXPECT_EQ(state(r, cookie), SessionState::Invalid);
    EXPECT_EQ(state(reader(true), cookie), SessionState::Invalid);  // unsigned: never inflated
    // The thread's zlib stream still works afterwards.
    EXPECT_EQ(state(r, kDjangoCompressedUserCookie), SessionState::User);
    EXPECT_EQ(state(r, kDjangoCartCookie), SessionState::Anonymous);
}

TEST(DjangoSession, ConcurrentInspection) {
    // One reader shared by threads: each has its own buffers, zlib stream and HMAC contexts.
    const auto r = reader(true);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                if (state(r, kDjangoCompressedUserCookie) != SessionState::User) ++wrong;
                if (state(r, kDjangoCartCookie) != SessionState::Anonymous) ++wrong;
                if (state(r, kDjangoSha1UserCookie) != SessionState::User) ++wrong;
                if (state(r, kDjangoOtherKeyAnonCookie) != SessionState::Invalid) ++wrong;
                if (r.inspect(kDjangoStoreMessagesCookie).personal_key != "_messages") ++wrong;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
}
