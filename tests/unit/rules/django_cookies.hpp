// Django session cookies of the "signed_cookies" backend, produced by real Django 3.2 (Debian 12's
// python3-django, 3.2.25) with /usr/bin/python3, pasted here so the tests need no Python.
// Common setup of the generating script (one process per SECRET_KEY / hashing algorithm):
//
//   import django, hashlib, zlib
//   from django.conf import settings
//   settings.configure(SECRET_KEY="django-test-secret-key",
//                      SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
//   django.setup()
//   from django.core import signing
//   from django.contrib.sessions.backends.signed_cookies import SessionStore
//   from django.contrib.sessions.serializers import JSONSerializer
//   SALT = "django.contrib.sessions.backends.signed_cookies"
//   def dumps(obj):  # exactly what SessionStore._get_session_key() does
//       return signing.dumps(obj, compress=True, salt=SALT, serializer=JSONSerializer)
//
// The script also checked every cookie against signing.loads(cookie, salt=SALT) and against the
// formula in django_session.hpp computed with hashlib/hmac directly. The timestamps are the
// machine's clock at generation time.
#pragma once

#include <string_view>

namespace larder::rules::testing {

inline constexpr std::string_view kDjangoSecret = "django-test-secret-key";

// dumps({"_auth_user_id": "42", "django_language": "en"})  -- too small to compress
inline constexpr std::string_view kDjangoUserCookie =
    "eyJfYXV0aF91c2VyX2lkIjoiNDIiLCJkamFuZ29fbGFuZ3VhZ2UiOiJlbiJ9:1xYNCu:nCDzdLzDhbIFG4WL7WzlW83i"
    "QFBiuMVHkgAe8lnf06k";

// dumps({"_auth_user_id": "42",
//        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
//        "_auth_user_hash": "0" * 64, "recent": [{"page": i} for i in range(20)]})
inline constexpr std::string_view kDjangoCompressedUserCookie =
    ".eJylzUsOgyAQgOG7zNoQx9qHLLvvCZqGIBCxbdAgrgx3ryY2M12X1R9m4FtA6Tl5NU8uqt6ChLqCgl-22rxc2Cb2qUM"
    "3CDOEFPtWbCtin07iNlj3vu67Px94Pfn1dfnnWT-NzriQQN4XGHXnQJa5-CZSVpQHyprySHmiPFNeKBtGcI55yEBkIjI"
    "SmYkMRaYiY7HJj_wBS499KQ:1xYNCu:5jj_udpq8Bi50ePRdJc9aWAfIJMFQcIwBN9iT9jqd50";

// dumps({"cart": {"items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}]},
//        "django_language": "en"})  -- compressed
inline constexpr std::string_view kDjangoCartCookie =
    ".eJyrVkpOLCpRsqpWyixJzS1WsoquVirOLlWyUnLUNVTSUSosqVSyMqrVgYk66ZrDRA1rY2t1lFKyEvPS8-NzgGRpYno"
    "qUElqnlItAJ_fG0Y:1xYNCu:9kJE_qR1uAPdeMXcZNXM4rKswn82adzPj7AasDx1PGg";

// dumps({"django_language": "en"})
inline constexpr std::string_view kDjangoAnonCookie =
    "eyJkamFuZ29fbGFuZ3VhZ2UiOiJlbiJ9:1xYNCu:YJG0cvEMxp-UQegGgvjHUsUtmBk_z4bHUAL26XoBWnk";

// dumps({"cart": {"_auth_user_id": "7", "items": [{"_auth_user_id": 2}],
//                 "note": "\"_auth_user_id\":"},
//        "prefs": ["_auth_user_id"]})  -- compressed; _auth_user_id only nested or as a value
inline constexpr std::string_view kDjangoNestedAnonCookie =
    ".eJyrVkpOLCpRsqpWik8sLcmILy1OLYrPTFGyUjJX0lHKLEnNLVayisaQNaqN1VHKyy9JBSqMQZWMAQrV6igVFKWmgbS"
    "i6YytBQC9fCdK:1xYNCu:kndakeRm0JFOHHq5MYvxOD_rZLjb3TpomGtbG6K2jl4";

// from django.contrib.messages import constants
// from django.contrib.messages.storage.base import Message
// from django.contrib.messages.storage.cookie import MessageEncoder
// msgs = MessageEncoder().encode([Message(constants.SUCCESS, "Profile saved.")])
// dumps({"_messages": msgs})  -- what SessionStorage._store() puts in the session
inline constexpr std::string_view kDjangoMessagesCookie =
    "eyJfbWVzc2FnZXMiOiJbW1wiX19qc29uX21lc3NhZ2VcIiwgMCwgMjUsIFwiUHJvZmlsZSBzYXZlZC5cIl1dIn0:1xYN"
    "Cu:OeUHdDmyQRDAlDdt1R7hsf5bHYVD3sef5evkzNRFLG4";

// Through a real SessionStore of the backend:

// s = SessionStore(); s["_messages"] = msgs; s["django_language"] = "de"; s.save()
// s.session_key  -- compressed
inline constexpr std::string_view kDjangoStoreMessagesCookie =
    ".eJyrVorPTS0uTkxPLVayUoqOjlGKj88qzs-DicYo6SgY6CgYmeooxCgFFOWnZeakKhQnlqWm6MUoxcYq6SilZCXmpef"
    "H5wDJUqAGoCkpqUq1ABfKHRA:1xYNCu:qpVl2cDb3GixmrmYfCFSrGKxzn3hS6CbSYG-NcQqkdQ";

// s = SessionStore()
// s["_auth_user_id"] = "1001"
// s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
// s["_auth_user_hash"] = hashlib.sha256(b"x").hexdigest()
// s["cart"] = {"items": [{"sku": "A-%d" % i, "qty": 1} for i in range(12)]}
// s.save(); s.session_key  -- compressed
inline constexpr std::string_view kDjangoStoreUserCookie =
    ".eJx1z82qgzAQBeB3mXUrmTGa6K7d3ye4XCQ_Wu2Pck1cFPHdq1BoC9PtdyaHnBkqM8W2mkI9Vp2HElAIhN07W-Mudb9"
    "l_mz605C4oY9jZ5PtJHmmIfkZfH09Pm8_CloT2vU1eYWYS7KKciukFJiTcqZo1oqUmszpLBWNxUKkzklvBVGmFaqC0Ei"
    "tt185M0YoZ-hifQtQ_s4QLtNafdiLNf2Pdyhx2b0UWSVWU1YlqxmrOauKVc1qwa_4Mu5t3d-yPABB8obv:1xYNCu:nJn"
    "OrlS5L0imNWLWtJGE2tsoW3_yckjOQ_J5vTqIAPo";

// Same setup with SECRET_KEY="other-secret-key":

// dumps({"django_language": "fr", "csrf": "zzz"})
inline constexpr std::string_view kDjangoOtherKeyAnonCookie =
    "eyJkamFuZ29fbGFuZ3VhZ2UiOiJmciIsImNzcmYiOiJ6enoifQ:1xYNCv:vD27b_7q4LPhK8CTYTUrXOFkQs-7JwT86y"
    "X8YLUOS5U";

// Legacy SHA1 signatures: same setup plus DEFAULT_HASHING_ALGORITHM="sha1" (Django 3.2's
// transitional setting; a default, SHA256 Django 3.2 still loads() these through
// Signer._legacy_signature()).

// dumps({"_auth_user_id": "5", "django_language": "fr"})
inline constexpr std::string_view kDjangoSha1UserCookie =
    "eyJfYXV0aF91c2VyX2lkIjoiNSIsImRqYW5nb19sYW5ndWFnZSI6ImZyIn0:1xYNCw:J4S8a0Kqs81Td5XXKwpIRS7Yl"
    "cY";

// s = SessionStore(); s["django_language"] = "fr"
// s["cart"] = {"items": [{"sku": "A-%d" % i, "qty": 1} for i in range(12)]}
// s.save(); s.session_key  -- compressed
inline constexpr std::string_view kDjangoSha1StoreAnonCookie =
    ".eJyrVkrJSsxLz4_PAZKliempSlZKaUVKOkrJiUUlSlbVSpklqbnFSlbR1UrF2aVASUddA6BsYUmlkpVhrQ5C1BCrqBF"
    "WUWOsoiZYRU2xipphFTXHKmqBVdQSuy9weA7Jd7G1tQDHo1hx:1xYNCw:s14FeCvUudg2NNXPyKbDz0Enb6A";

// Correctly signed but broken inside; signing.loads() raises on each except kDjangoNotObjectCookie
// (it returns a list, which no SessionStore expects):
//   signer = signing.TimestampSigner(salt=SALT); signer.sign(raw)

// raw = signing.b64_encode(b'{"django_language":"en",').decode()
inline constexpr std::string_view kDjangoBadJsonCookie =
    "eyJkamFuZ29fbGFuZ3VhZ2UiOiJlbiIs:1xYNCu:teNpiBKN4PAN2fbng1LxYV9D8xY3X1rJGvLM184sjoA";

// raw = signing.b64_encode(b'{"_auth_user_id":"1",').decode()  -- the user key before the damage
inline constexpr std::string_view kDjangoTruncatedUserJsonCookie =
    "eyJfYXV0aF91c2VyX2lkIjoiMSIs:1xYNCu:92eIcUnbzyrkALfFDm-qglkaJXcWcNxRJu728p2iwOg";

// raw = "." + signing.b64_encode(b"this is not zlib data at all").decode()
inline constexpr std::string_view kDjangoBadZlibCookie =
    ".dGhpcyBpcyBub3QgemxpYiBkYXRhIGF0IGFsbA:1xYNCu:dQ8BV7QKN306D8eza6Vt4qQkRaWxpndB34Fy8Vo7j-M";

// raw = "." + signing.b64_encode(zlib.compress(b'{"a":"' + b"q" * 300 + b'"}')[:-6]).decode()
inline constexpr std::string_view kDjangoTruncatedZlibCookie =
    ".eJyrVkpUslIqHAVEA6U:1xYNCu:yOjku2_V7emL1Y67yY9Ud5R4xTrAl05VJitmTp8WasA";

// raw = signing.b64_encode(b'["_auth_user_id"]').decode()
inline constexpr std::string_view kDjangoNotObjectCookie =
    "WyJfYXV0aF91c2VyX2lkIl0:1xYNCu:MzlGOBhGAZ-dsawByE3stp7fbuu_PFKsTwXJxzfcZJY";

// raw = "eyJhIjox!fQ"
inline constexpr std::string_view kDjangoBadBase64Cookie =
    "eyJhIjox!fQ:1xYNCu:CDTO93cjIumrV0Z_JVODvABmWKqP4HNGcAjxogszSa0";

// Signed with the plain Signer (right key and salt), so one part is missing or wrong:
//   b64 = signing.b64_encode(b'{"_auth_user_id":"3"}').decode()

// signing.Signer(salt=SALT).sign(b64)  -- "PAYLOAD:SIGNATURE"
inline constexpr std::string_view kDjangoNoTimestampCookie =
    "eyJfYXV0aF91c2VyX2lkIjoiMyJ9:1HgxW-rZ6glHN3fmPkXjIVIs4E2q_GDLWjtS7aJoYaU";

// signing.Signer(salt=SALT).sign(b64 + ":1x$N67")  -- not base62
inline constexpr std::string_view kDjangoBadTimestampCookie =
    "eyJfYXV0aF91c2VyX2lkIjoiMyJ9:1x$N67:QUOtYYqxnYyJulqf-ffLg2bMBCK--EyR5l-yDr6KSkM";

}  // namespace larder::rules::testing
