"""Shared pages are fetched as the anonymous visitor (docs/privacy.md), checked at the origin.

The scripted origin records every request, so these tests assert what reached the app:
- a miss triggered by a visitor with cookies carries only the cookies the rule keys on, and no
  Authorization ever reaches the cache path;
- visitors who are logged in, hold personal state, or (without [identity]) carry undeclared
  cookies pass with all their cookies, and the reason names the cookie;
- a background refresh in grace, triggered by a visitor with cookies, carries none of them;
- a cookieless fetch that comes back unstorable (Set-Cookie) is not what a visitor with cookies
  gets: they get their own page, fetched as a pass, and the key turns hit-for-pass;
- (issue 11) with default = "http", a `Vary: Accept-Language` page with stale-while-revalidate is
  refreshed and stored again (MISS -> STALE -> HIT), never HIT-FOR-PASS.
TTL expiry needs real time to pass (TTLs of 1 s); ordering uses the origin's request counts.
"""
import time
import unittest

from harness.base import E2ETestCase
from harness.origin import Reply

PAGES = {"name": "pages", "path_prefix": "/p/", "cache": "60s", "vary_cookies": ["lang"]}
IDENTITY = {"cookies": ["remember_token"]}


def origin_cookie(req):
    return req.header("Cookie")


class AnonymousFetchTest(E2ETestCase):
    def start(self, identity=IDENTITY, rules=(PAGES,), cache=None):
        return self.start_larder(server={"debug_headers": True}, identity=identity,
                                 rules=list(rules), cache=cache)

    def test_miss_carries_only_keyed_cookies(self):
        larder = self.start()
        c = self.client(larder)
        r = c.get("/p/a", [("Cookie", "cart=alice-cart; lang=fr; _ga=GA1; csrftoken=s3cret")])
        self.assertEqual(r.x_cache, "MISS")
        self.assertEqual(origin_cookie(self.origin.last("/p/a")), "lang=fr")
        # A stranger with the same language shares it; the app saw one request.
        self.assertEqual(c.get("/p/a", [("Cookie", "lang=fr")]).x_cache, "HIT")
        self.assertEqual(self.origin.count("/p/a"), 1)
        # No cookie at all: no Cookie header upstream.
        self.assertEqual(c.get("/p/b", [("Cookie", "cart=1")]).x_cache, "MISS")
        self.assertIsNone(origin_cookie(self.origin.last("/p/b")))

    def test_personal_visitors_pass_with_their_cookies_and_a_reason(self):
        larder = self.start()
        c = self.client(larder)
        for cookie, reason in [("remember_token=t1; cart=2", "login_cookie:remember_token"),
                               ("messages=hello-alice", "personal_cookie:messages")]:
            r = c.get("/p/me", [("Cookie", cookie)])
            self.assertEqual((r.x_cache, r.header("X-Cache-Reason")), ("PASS", reason))
            self.assertEqual(origin_cookie(self.origin.last("/p/me")), cookie)
        r = c.get("/p/me", [("Authorization", "Bearer alice")])
        self.assertEqual((r.x_cache, r.header("X-Cache-Reason")),
                         ("PASS", "request_has_authorization"))
        self.assertEqual(self.origin.last("/p/me").header("Authorization"), "Bearer alice")
        self.assertEqual(c.get("/p/me").x_cache, "MISS")  # nothing personal was stored
        self.assertIsNone(self.origin.last("/p/me").header("Authorization"))
        self.assertIsNotNone(larder.wait_for_log(lambda l: "PASS login_cookie:remember_token" in l))
        self.assertIsNotNone(larder.wait_for_log(lambda l: "PASS personal_cookie:messages" in l))

    def test_without_identity_undeclared_cookies_pass(self):
        larder = self.start(identity=None, rules=[{"name": "pages", "path_prefix": "/p/",
                                                   "cache": "60s"}])
        c = self.client(larder)
        r = c.get("/p/x", [("Cookie", "session=alice")])
        self.assertEqual((r.x_cache, r.header("X-Cache-Reason")),
                         ("PASS", "undeclared_cookie:session"))
        self.assertEqual(c.get("/p/x", [("Cookie", "_ga=GA1.2; _gid=3")]).x_cache, "MISS")
        self.assertIsNone(origin_cookie(self.origin.last("/p/x")))
        self.assertEqual(c.get("/p/x").x_cache, "HIT")
        self.assertEqual(c.get("/p/x", [("Cookie", "session=bob")]).x_cache, "PASS")
        self.assertEqual(self.origin.count("/p/x"), 3)

    def test_grace_refresh_carries_no_visitor_cookies(self):
        larder = self.start(rules=[dict(PAGES, cache="1s", grace="60s")])
        c = self.client(larder)
        self.assertEqual(c.get("/p/g").x_cache, "MISS")
        time.sleep(1.2)  # let the object expire into grace
        r = c.get("/p/g", [("Cookie", "cart=alice-cart")])  # the stranger's key
        self.assertEqual(r.x_cache, "STALE")
        self.assertTrue(self.origin.wait_for(lambda o: o.count("/p/g") >= 2))
        refreshes = [q for q in self.origin.requests if q.path == "/p/g"]
        for q in refreshes:
            self.assertNotIn("alice", q.header("Cookie") or "", q)

    def test_unstorable_answer_is_refetched_as_the_visitors_own(self):
        larder = self.start()
        self.origin.route("/p/sc", lambda req: Reply(
            200, "page for [%s]" % (req.header("Cookie") or ""),
            [("Set-Cookie", "session=new; Path=/")]))
        c = self.client(larder)
        r = c.get("/p/sc", [("Cookie", "cart=alice")])
        self.assertEqual(r.x_cache, "PASS")
        self.assertEqual(r.body, b"page for [cart=alice]")
        self.assertEqual([origin_cookie(q) for q in self.origin.requests if q.path == "/p/sc"],
                         [None, "cart=alice"])
        r = c.get("/p/sc", [("Cookie", "cart=bob")])
        self.assertEqual((r.x_cache, r.body), ("HIT-FOR-PASS", b"page for [cart=bob]"))
        self.assertEqual(self.origin.count("/p/sc"), 3)
        # A cookieless visitor gets the cookieless answer, Set-Cookie included.
        r = c.get("/p/sc")
        self.assertEqual(r.body, b"page for []")
        self.assertEqual(r.header("Set-Cookie"), "session=new; Path=/")

    def test_vary_refresh_is_stored_again(self):
        larder = self.start(identity=None, rules=(), cache={"default": "http"})
        self.origin.route("/v", lambda req: Reply(
            200, "lang=%s" % req.header("Accept-Language"),
            [("Cache-Control", "max-age=1, stale-while-revalidate=30"),
             ("Vary", "Accept-Language")]))
        c = self.client(larder)
        lang = [("Accept-Language", "fr")]
        self.assertEqual(c.get("/v", lang).x_cache, "MISS")
        self.assertEqual(c.get("/v", lang).x_cache, "HIT")
        time.sleep(1.2)
        r = c.get("/v", lang)
        self.assertEqual((r.x_cache, r.body), ("STALE", b"lang=fr"))
        self.assertTrue(self.origin.wait_for(lambda o: o.count("/v") >= 2))
        self.assertEqual(self.origin.last("/v").header("Accept-Language"), "fr")
        deadline = time.monotonic() + 10
        while True:  # the refresh is stored once the origin's answer is read
            r = c.get("/v", lang)
            if r.x_cache == "HIT" or time.monotonic() > deadline:
                break
            self.assertEqual(r.x_cache, "STALE")
            time.sleep(0.05)
        self.assertEqual((r.x_cache, r.body), ("HIT", b"lang=fr"))
        self.assertEqual(self.origin.count("/v"), 2)


if __name__ == "__main__":
    unittest.main()
