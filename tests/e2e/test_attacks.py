"""Attacks on the privacy promise and on the cache's integrity (docs/privacy.md).

The promise: a response stored for more than one visitor is fetched as a visitor without cookies
or credentials (except the cookies a rule keys on), whoever triggered the fetch; and what is stored
under a key is what the request for that key gets from the app. Each test below is one attack,
run against the real daemon with a scripted origin that echoes what it received (target, Host,
Cookie, credentials) in the body, so that a leak or a poisoned key is visible.

Tests named after what must hold. Those that fail at the time of writing are real bugs:
- a cacheable HEAD with a body is sent upstream as GET with Content-Length: 0 and the body after
  it: the body is a second request on the pooled connection (request smuggling), which captures
  the next visitor's request with their cookies and credentials, and desynchronises responses
  (a visitor, and the cache, get the answer to another request);
- after 32767 header fields, Authorization and Cookie are not indexed: the request is judged
  anonymous and sent with its credentials on a storing fetch (a debug build aborts on the
  privacy assert: any client can crash it);
- a Host value with '/' makes a key that another path owns (key "http://a/b/c" for Host "a/b"
  and path "/c"): any page can be stored under any other page's key;
- a client's `Connection: Cookie` (or a keyed header, or Host) removes the field the key was made
  from before the fetch: the default page is stored under the keyed variant;
- a keyed cookie sent twice is forwarded twice while the key holds the first value (Django reads
  the last): a variant can be poisoned; an empty keyed cookie shares the key of no cookie;
- Proxy-Authorization reaches a storing fetch;
- parameters left out of the key by drop_query still reach the app (reflected into the stored
  page); sort_query reorders differently-encoded names that the app decodes to the same name;
- a visitor with cookies is relayed the cookieless fetch's answer when it is too large to buffer
  or a 5xx (docs/privacy.md, point 3, promises their own page);
- CDN-Cache-Control is not removed from answers that are not stored.
"""
import json
import threading
import time
import unittest

from harness.base import E2ETestCase
from harness.client import Client, ConnectionClosed
from harness.origin import Reply

IDENTITY = {"cookies": ["remember_token"], "flask_session": {"secret_key": "attack-secret"}}


def echo(req, extra=""):
    """What the origin received, as the body: a leak or a poisoned key shows in it."""
    return json.dumps({"method": req.method, "target": req.target, "host": req.header("Host"),
                       "cookie": req.headers.get_all("Cookie"),
                       "authorization": req.header("Authorization"),
                       "proxy_authorization": req.header("Proxy-Authorization"),
                       "x_lang": req.header("X-Lang"), "body": req.body.decode("latin-1"),
                       "extra": extra})


def echoed(response):
    return json.loads(response.body.decode("latin-1"))


def flask_cookie(payload, secret="attack-secret"):
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    app = Flask("attacks")
    app.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(payload)


class AttackTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.origin.route("/*", lambda req: Reply(200, echo(req), [("Content-Type", "text/plain")]))

    def start(self, rules, identity=IDENTITY, cache=None, server=None, upstream=None):
        srv = {"debug_headers": True}
        srv.update(server or {})
        return self.start_larder(server=srv, identity=identity, rules=list(rules), cache=cache,
                                 upstream=upstream)

    def attempt(self, larder, target, headers=(), host="localhost"):
        """One attacker request on its own connection; a refusal (4xx, a close) is fine."""
        with Client(larder.port) as c:
            try:
                return c.get(target, headers, host=host)
            except ConnectionClosed:
                return None

    # -- request smuggling through a cacheable HEAD ----------------------------------------
    def test_head_with_body_cannot_capture_the_next_visitors_request(self):
        larder = self.start([{"name": "pub", "path_prefix": "/pub/", "cache": "60s"}],
                            server={"workers": 1})
        attacker = self.client(larder)
        smuggled = ("POST /comments HTTP/1.1\r\nHost: localhost\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 150\r\n\r\ntext=")
        attacker.send_request("HEAD", "/pub/x", [("Content-Length", str(len(smuggled)))],
                              body=smuggled)
        attacker.read_response("HEAD")  # 200, or a refusal: either way nothing smuggled
        bob = self.client(larder)
        r = bob.get("/account", [("Cookie", "session=BOB-SECRET"),
                                 ("Authorization", "Bearer BOB-TOKEN")])
        self.assertEqual(self.origin.count("/comments"), 0,
                         "the HEAD's body reached the app as a request of its own")
        for q in self.origin.requests:
            self.assertNotIn("BOB-SECRET", q.body.decode("latin-1"),
                             "Bob's request was captured into another request's body")
        self.assertEqual(echoed(r)["target"], "/account", r.body[:200])

    def test_head_with_body_cannot_poison_another_key(self):
        larder = self.start([{"name": "pub", "path_prefix": "/pub/", "cache": "60s"}],
                            server={"workers": 1})
        attacker = self.client(larder)
        smuggled = "GET /private/alice HTTP/1.1\r\nHost: localhost\r\n\r\n"
        attacker.send_request("HEAD", "/pub/x", [("Content-Length", str(len(smuggled)))],
                              body=smuggled)
        attacker.read_response("HEAD")
        c = self.client(larder)
        first = c.get("/pub/y")
        again = c.get("/pub/y")
        self.assertEqual(self.origin.count("/private/alice"), 0)
        self.assertEqual(echoed(first)["target"], "/pub/y", first.body[:200])
        self.assertEqual(echoed(again)["target"], "/pub/y", again.body[:200])

    # -- credentials hidden from the field index ------------------------------------------
    def test_credentials_after_many_fields_still_pass(self):
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s"}],
                            server={"max_header_size": "1MiB"})
        c = self.client(larder, timeout=20)
        headers = ([("Host", "localhost")] + [("X", "1")] * 32766 +
                   [("Authorization", "Bearer ALICE"), ("Cookie", "remember_token=ALICE")])
        try:
            r = c.get("/p/many", headers, host=None)
        except ConnectionClosed:
            r = None
        time.sleep(0.2)
        self.assertTrue(larder.running(), "larder died: %s" % larder.stderr_text()[-600:])
        self.assertIsNotNone(r, "no answer")
        self.assertEqual(r.x_cache, "PASS", r)
        stranger = self.client(larder).get("/p/many")
        self.assertNotIn("ALICE", stranger.text)

    # -- keys another request can own ---------------------------------------------------------
    def test_host_with_a_slash_cannot_take_another_paths_key(self):
        larder = self.start([{"name": "all", "path_prefix": "/", "cache": "60s"}], identity=None)
        c = self.client(larder)
        self.attempt(larder, "/c", host="www.example/b")
        r = c.get("/b/c", host="www.example")
        self.assertEqual(echoed(r)["target"], "/b/c", r.body[:200])
        self.attempt(larder, "/", host="www.example/x?id=7&z=")
        r = c.get("/x?id=7&z=/", host="www.example")
        self.assertEqual(echoed(r)["target"], "/x?id=7&z=/", r.body[:200])

    def test_connection_header_cannot_remove_what_the_key_was_made_from(self):
        larder = self.start([
            {"name": "pages", "path_prefix": "/p/", "cache": "60s", "vary_cookies": ["lang"]},
            {"name": "by-header", "path_prefix": "/h/", "cache": "60s",
             "key": "${scheme}://${host}${path}${query}#${header:X-Lang}"}])
        self.attempt(larder, "/p/1", [("Cookie", "lang=fr"), ("Connection", "keep-alive, Cookie")])
        self.attempt(larder, "/h/1", [("X-Lang", "fr"), ("Connection", "X-Lang")])
        self.attempt(larder, "/p/2", [("Connection", "Host")], host="tenant.example")
        victim = self.client(larder)
        self.assertEqual(echoed(victim.get("/p/1", [("Cookie", "lang=fr")]))["cookie"], ["lang=fr"])
        self.assertEqual(echoed(victim.get("/h/1", [("X-Lang", "fr")]))["x_lang"], "fr")
        self.assertEqual(echoed(victim.get("/p/2", host="tenant.example"))["host"],
                         "tenant.example")

    def test_a_keyed_cookie_sent_twice_is_not_forwarded_twice(self):
        # Django reads the last of repeated cookies, the key holds the first.
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s",
                              "vary_cookies": ["lang"]}])
        c = self.client(larder)
        for path, headers in [("/p/dup", [("Cookie", "lang=en; lang=EVIL")]),
                              ("/p/dup2", [("Cookie", "lang=en"), ("Cookie", "lang=EVIL")])]:
            r = self.attempt(larder, path, headers)
            if r is not None and r.x_cache != "PASS":  # a storing fetch: one value, the key's
                sent = ";".join(self.origin.last(path).headers.get_all("Cookie")).split(";")
                self.assertEqual([p.strip() for p in sent if p.strip().startswith("lang=")],
                                 ["lang=en"], path)
        for path in ("/p/dup", "/p/dup2"):
            r = c.get(path, [("Cookie", "lang=en")])
            self.assertNotIn("EVIL", r.text, (path, r.x_cache))

    def test_an_empty_keyed_cookie_does_not_fill_the_cookieless_key(self):
        larder = self.start([
            {"name": "pages", "path_prefix": "/p/", "cache": "60s", "vary_cookies": ["theme"]},
            {"name": "tpl", "path_prefix": "/k/", "cache": "60s",
             "key": "${scheme}://${host}${path}${query}|${cookie:theme}"}])
        c = self.client(larder)
        for path in ("/p/e", "/k/e"):
            c.get(path, [("Cookie", "theme=")])
            r = c.get(path)
            self.assertEqual(echoed(r)["cookie"], [], (path, r.x_cache))

    def test_dropped_query_parameters_do_not_reach_a_storing_fetch(self):
        larder = self.start([{"name": "pages", "path_prefix": "/", "cache": "60s"}],
                            identity=None, cache={"drop_query": ["utm_*"]})
        c = self.client(larder)
        c.get("/landing?id=1&utm_source=%3Cscript%3Eevil()%3C/script%3E")
        r = c.get("/landing?id=1")
        self.assertNotIn("evil", r.text, r.x_cache)

    def test_sorted_query_keeps_names_the_app_decodes_alike_in_order(self):
        # Flask decodes names: ?%61=1&a=2 has a=1 first, ?a=2&%61=1 has a=2 first.
        larder = self.start([{"name": "pages", "path_prefix": "/", "cache": "60s"}],
                            identity=None, cache={"sort_query": True})
        c = self.client(larder)
        c.get("/s?%61=1&a=2")
        r = c.get("/s?a=2&%61=1")
        self.assertEqual(echoed(r)["target"], "/s?a=2&%61=1", r.x_cache)

    # -- credentials other than Authorization -------------------------------------------------
    def test_proxy_authorization_never_reaches_a_storing_fetch(self):
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s"}])
        c = self.client(larder)
        r = c.get("/p/pa", [("Proxy-Authorization", "Basic YWxpY2U6c2VjcmV0")])
        if r.x_cache != "PASS":
            self.assertIsNone(self.origin.last("/p/pa").header("Proxy-Authorization"))
        self.assertNotIn("YWxpY2U6c2VjcmV0", self.client(larder).get("/p/pa").text)

    # -- point 3: a visitor with cookies gets their own page ------------------------------------
    def test_too_large_cookieless_answer_is_not_relayed_to_a_visitor_with_cookies(self):
        self.origin.route("/p/big", lambda req: Reply(
            200, "cookie=%s " % req.header("Cookie") + "X" * 300000))
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s"}],
                            upstream={"buffer_size": "16KiB"})
        r = self.client(larder).get("/p/big", [("Cookie", "cart=alice")])
        self.assertTrue(r.text.startswith("cookie=cart=alice "), (r.x_cache, r.body[:40]))

    def test_cookieless_5xx_is_not_relayed_to_a_visitor_with_cookies(self):
        self.origin.route("/p/err", lambda req: Reply(200, "own page") if req.header("Cookie")
                          else Reply(503, "no session"))
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s",
                              "stale_if_error": "0s"}])
        r = self.client(larder).get("/p/err", [("Cookie", "cart=alice")])
        self.assertEqual((r.status, r.body), (200, b"own page"), r.x_cache)

    def test_targeted_fields_are_removed_from_answers_that_are_not_stored(self):
        self.origin.route("/t", lambda req: Reply(200, "t", [("CDN-Cache-Control", "max-age=60"),
                                                             ("Set-Cookie", "sid=1")]))
        larder = self.start([], cache={"default": "http"})
        c = self.client(larder)
        for _ in range(2):
            r = c.get("/t")
            self.assertIsNone(r.header("CDN-Cache-Control"), r.x_cache)

    # -- what holds ---------------------------------------------------------------------------
    def test_coalesced_followers_never_get_a_set_cookie_meant_for_another(self):
        hold = threading.Event()
        self.origin.route("/p/c", lambda req: Reply(
            200, "page for [%s]" % (req.header("Cookie") or ""),
            [("Set-Cookie", "session=FOR-[%s]" % (req.header("Cookie") or ""))],
            hold=None if req.header("Cookie") else hold))
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s"}])
        out = {}

        def visit(name, headers):
            with Client(larder.port) as c:
                out[name] = c.get("/p/c", headers)
        threads = [threading.Thread(target=visit, args=("leader", []))]
        threads[0].start()
        self.assertTrue(self.origin.wait_for_requests(1))
        for name, headers in [("cart", [("Cookie", "cart=alice")]), ("none", []),
                              ("ga", [("Cookie", "_ga=GA1")])]:
            threads.append(threading.Thread(target=visit, args=(name, headers)))
            threads[-1].start()
        time.sleep(0.3)
        hold.set()
        for t in threads:
            t.join(15)
        own = {"leader": "", "none": "", "cart": "cart=alice", "ga": "_ga=GA1"}
        for name, r in out.items():
            self.assertEqual(r.body, ("page for [%s]" % own[name]).encode(), name)
            for sc in r.headers.get_all("Set-Cookie"):
                self.assertEqual(sc, "session=FOR-[%s]" % own[name], name)
        self.assertEqual(len(out), 4)

    def test_flask_personal_state_passes_however_it_is_written(self):
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s"}])
        c = self.client(larder)
        cases = [
            (flask_cookie({"_flashes": [("message", "Thanks ALICE")]}),
             "session_personal_key:_flashes"),
            (flask_cookie({"_user_id": "1"}), "session_user:session"),
            ('"%s"' % flask_cookie({"_user_id": "1"}), "session_unreadable:session"),
            (flask_cookie({"_user_id": "1"}, secret="forged"), "session_unreadable:session"),
        ]
        for value, reason in cases:
            r = c.get("/p/f", [("Cookie", "session=%s" % value)])
            self.assertEqual((r.x_cache, r.header("X-Cache-Reason")), ("PASS", reason), value)
        # A session with a cart only is anonymous: the shared fetch carries no session at all.
        r = c.get("/p/f", [("Cookie", "session=%s; lang=fr" % flask_cookie({"cart": [1]}))])
        self.assertEqual(r.x_cache, "MISS")
        self.assertEqual(echoed(r)["cookie"], [])

    def test_cookie_names_django_reads_differently_pass(self):
        # Issue 15, item 4: Django strips Unicode whitespace around cookie names, so
        # "\xa0sessionid" is its sessionid. Exact bytes in; the origin gets them as sent, the
        # answer is not stored, and a visitor without cookies then gets their own page.
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s"}],
                            identity={"django_session": {"backend": "db"}})
        c = self.client(larder)
        for name in (b"\xc2\xa0sessionid", b"sessionid\xe3\x80\x80", b"\xe2\x80\xa8sessionid",
                     b"\xc2\x85sessionid", b"sessionid\xc2\xa0"):
            c.send(b"GET /p/dj HTTP/1.1\r\nHost: localhost\r\nCookie: " + name +
                   b"=logged-in-key\r\n\r\n")
            r = c.read_response()
            self.assertEqual((r.status, r.x_cache, r.header("X-Cache-Reason")),
                             (200, "PASS", "unreadable_cookie_name"), name)
            self.assertEqual(echoed(r)["cookie"], [(name + b"=logged-in-key").decode("latin-1")])
        r = c.get("/p/dj")
        self.assertEqual(r.x_cache, "MISS")
        self.assertEqual(echoed(r)["cookie"], [])

    def test_authorization_in_any_form_passes(self):
        larder = self.start([{"name": "static", "path_prefix": "/static/", "cache": "60s",
                              "ignore_cookies": True}])
        c = self.client(larder)
        for headers in ([("authorization", "Bearer a")], [("AUTHORIZATION", "")],
                        [("Authorization", "Basic x"), ("Authorization", "Basic y")]):
            r = c.get("/static/app.css", headers)
            self.assertEqual((r.x_cache, r.header("X-Cache-Reason")),
                             ("PASS", "request_has_authorization"), headers)
        self.assertEqual(c.get("/static/app.css").x_cache, "MISS")

    def test_ignore_cookies_grace_refresh_by_a_member_carries_no_cookies(self):
        larder = self.start([{"name": "static", "path_prefix": "/static/", "cache": "1s",
                              "grace": "60s", "ignore_cookies": True}])
        c = self.client(larder)
        self.assertEqual(c.get("/static/a.js").x_cache, "MISS")
        time.sleep(1.2)
        member = "remember_token=ALICE; session=%s" % flask_cookie({"_user_id": "1"})
        self.assertEqual(c.get("/static/a.js", [("Cookie", member)]).x_cache, "STALE")
        self.assertTrue(self.origin.wait_for(lambda o: o.count("/static/a.js") >= 2))
        for q in self.origin.requests:
            self.assertEqual(q.headers.get_all("Cookie"), [], q)

    def test_forced_ttl_never_stores_private_or_no_store(self):
        for i, cc in enumerate(["private", "no-store", "PRIVATE", "max-age=60,private",
                                'private="Set-Cookie"', 'no-cache="Set-Cookie"']):
            self.origin.route("/p/%d" % i, (lambda cc: lambda req: Reply(
                200, echo(req), [("Cache-Control", cc), ("Set-Cookie", "sid=S")]))(cc))
        larder = self.start([{"name": "pages", "path_prefix": "/p/", "cache": "60s"}])
        c = self.client(larder)
        for i in range(6):
            c.get("/p/%d" % i)
            r = c.get("/p/%d" % i, [("Cookie", "cart=bob")])
            self.assertIn(r.x_cache, ("PASS", "HIT-FOR-PASS"), i)
            self.assertEqual(echoed(r)["cookie"], ["cart=bob"], i)

    def test_http_policy_never_serves_a_stored_set_cookie(self):
        ccs = ['max-age=60, private="Set-Cookie', 'max-age=60, private="X-A"',
               'max-age=60, private=""', 'max-age=60, private="Set\\-Cookie"',
               'max-age=60, private="X", private', 'max-age=60, no-cache="set-cookie ,x"']
        for i, cc in enumerate(ccs):
            self.origin.route("/c/%d" % i, (lambda cc: lambda req: Reply(
                200, "b", [("Cache-Control", cc), ("Set-Cookie", "sid=LEAK"), ("ETag", '"e"')]))(cc))
        larder = self.start([], cache={"default": "http"})
        c = self.client(larder)
        for i in range(len(ccs)):
            c.get("/c/%d" % i)
            r = c.get("/c/%d" % i)
            if r.x_cache == "HIT":
                self.assertEqual(r.headers.get_all("Set-Cookie"), [], ccs[i])

    def test_invalidation_never_crosses_hosts(self):
        for p, loc in {"/post1": "http://b/page", "/post2": "//b/page",
                       "/post3": "http://a@b/page", "/post4": "https://b/page"}.items():
            self.origin.route(p, Reply(303, "", [("Location", loc)]), method="POST")
        larder = self.start([{"name": "all", "path_prefix": "/", "cache": "60s"}], identity=None)
        c = self.client(larder)
        for p in ("/post1", "/post2", "/post3", "/post4"):
            c.get("/page", host="b")
            c.request("POST", p, body="x", host="a")
            self.assertEqual(c.get("/page", host="b").x_cache, "HIT", p)


if __name__ == "__main__":
    unittest.main()
