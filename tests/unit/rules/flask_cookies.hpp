// Flask session cookies produced by real Flask 2.2 (SecureCookieSessionInterface's signing
// serializer, app.secret_key = "test-secret-key"), pasted here so the tests need no Python.
// The generating script is in the comment above each group.
#pragma once

#include <string_view>

namespace larder::rules::testing {

inline constexpr std::string_view kFlaskSecret = "test-secret-key";

// s.dumps({"_user_id": "42", "_fresh": True, "csrf_token": "abc"})
inline constexpr std::string_view kUserCookie =
    "eyJfdXNlcl9pZCI6IjQyIiwiX2ZyZXNoIjp0cnVlLCJjc3JmX3Rva2VuIjoiYWJjIn0.awW3IQ."
    "kL4jtS9VViVztLDFhKDnKqrZcqE";
// s.dumps({"csrf_token": "0123456789abcdef", "lang": "en"})
inline constexpr std::string_view kAnonCookie =
    "eyJjc3JmX3Rva2VuIjoiMDEyMzQ1Njc4OWFiY2RlZiIsImxhbmciOiJlbiJ9.awW3IQ."
    "Ho0nNJlgkVX-M_UjTGfB0Mp5Ufk";
// s.dumps({"cart": {"_user_id": "7", "items": [1, {"_user_id": 2}], "s": "x\"_user_id\":"},
//          "flash": ["a\\\"b"]})  -- compressed; _user_id only in nested places
inline constexpr std::string_view kNestedAnonCookie =
    ".eJyrVkpOLCpRsqpWii8tTi2Kz0xRslIyV9JRyixJzS1Wsoo21EGWMqqN1VECCitVxMBFY4DcWh2ltJzE4gygBqXEmJgY"
    "pSSl2FoAWkEdNQ.awW3IQ.n-z8SLGU-g19AdyNqElyoC0nRgU";
// s.dumps({"_user_id": "1001", "blob": "x" * 400, "tags": [{"k": i} for i in range(20)]})
inline constexpr std::string_view kCompressedUserCookie =
    ".eJzt0TkKgEAQRNG7dGww5e5cRUQcFBEFwQUEmbsr0uUZDKzk08lL-pR6X7ulHlqxAmMggbhpdvd1_PvU7s9sTb-"
    "KLU8ZxRofPIU21EbaWJtoU22mzbUFnRekCJKgCaKgCrKgC8IofOUvczj1wQ.awW3IQ."
    "6CRDmDNeHrf_ewRZVlyzH63ba0o";
// s.dumps({"blob": "y" * 400, "tags": [{"_user_id": i} for i in range(20)]})
inline constexpr std::string_view kCompressedAnonCookie =
    ".eJztzjsKgDAURNG9vDqF4z_ZikgwKCIIgtFCJHu39c0KLLzd7c4tYd2COLn-PpUYOYY5iutu8Wecdr-"
    "M4rJk3gu9ud5Cb6m30lvrbfS2ei0xmEUuEAwkA9FANhAOpAPxYFOfHgHaK9I."
    "awW3IQ.3rauhUnXTPBh5WDgKaqoOi8_utw";
// Same serializer with app.secret_key = "other-key": s2.dumps({"csrf_token": "zzz"})
inline constexpr std::string_view kOtherKeyAnonCookie =
    "eyJjc3JmX3Rva2VuIjoienp6In0.awW3IQ.7IJU2rOkyXJnthWhlFhMuaIWz-w";

// Correctly signed (signer = s.make_signer(s.salt); signer.sign(raw)) but broken inside:
// raw = base64_encode(b'{"_fresh":true,')
inline constexpr std::string_view kBadJsonCookie =
    "eyJfZnJlc2giOnRydWUs.awW4JQ.lEx-1Kw79pmsjaYjKr6u-9ZRlo4";
// raw = b"." + base64_encode(b"this is not zlib data at all")
inline constexpr std::string_view kBadZlibCookie =
    ".dGhpcyBpcyBub3QgemxpYiBkYXRhIGF0IGFsbA.awW4JQ.ImnFBQziD6mRSTTEC20PxtZ0JWs";
// raw = b"." + base64_encode(zlib.compress(b'{"a":"' + b"q"*300 + b'"}')[:-6])
inline constexpr std::string_view kTruncatedZlibCookie =
    ".eJyrVkpUslIqHAVEA6U.awW4JQ.zbUWxb4GGUKLE_lfJdeogOV6bFQ";
// raw = base64_encode(b'["_user_id"]')  (JSON, but not an object)
inline constexpr std::string_view kNotObjectCookie =
    "WyJfdXNlcl9pZCJd.awW4JQ.yWuQJjWiY7bz-glPzRYHDmcNR9M";
// raw = base64_encode(b'{"\\u005fuser_id":"9"}')
inline constexpr std::string_view kEscapedUserCookie =
    "eyJcdTAwNWZ1c2VyX2lkIjoiOSJ9.awW4JQ.bA8vydn3uaoN9Oi5k4VA9MfrUFs";

// s.dumps({"_flashes": [("message", "Thanks for your message, Alice")], "cart": [1]})
inline constexpr std::string_view kFlashCookie =
    "eyJfZmxhc2hlcyI6W3siIHQiOlsibWVzc2FnZSIsIlRoYW5rcyBmb3IgeW91ciBtZXNzYWdlLCBBbGljZSJdfV0sImNh"
    "cnQiOlsxXX0.aw6_RA.5ba5Q49QbJo-KCpaer34El07yog";
// s.dumps({"_fresh": False, "cart": [1, 2], "csrf_token": "abc"})
inline constexpr std::string_view kCartCookie =
    "eyJfZnJlc2giOmZhbHNlLCJjYXJ0IjpbMSwyXSwiY3NyZl90b2tlbiI6ImFiYyJ9.aw6_RA."
    "ACp8mr96FaStaa6XfR7Oucrq7co";
// s.dumps({"_flashes": [("message", "x")], "_user_id": "3"})
inline constexpr std::string_view kUserFlashCookie =
    "eyJfZmxhc2hlcyI6W3siIHQiOlsibWVzc2FnZSIsIngiXX1dLCJfdXNlcl9pZCI6IjMifQ.aw6_RA."
    "dQt0Y4Vem9tvkfKdc3yPvR1t2Sg";

}  // namespace larder::rules::testing
