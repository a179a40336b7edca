"""What the cache stores, evicts and serves, against the scripted origin.

Covers: a cacheable GET is a MISS and then a HIT with the same body, reaching the origin once;
with max_size = 1MiB, after 40 distinct 100 kB objects the newest is a HIT and the oldest is a
MISS again (the origin served it twice); responses with Set-Cookie (no strip rule),
Cache-Control: private or no-store, or bigger than max_object_size are not stored; a HEAD is
served from a stored GET (no body, same Content-Length, no request upstream), and a HEAD miss
does not leave an empty object behind for GET. Also: with strip_set_cookie the response is stored
and hits carry no Set-Cookie; the query string is part of the key; POST is never cached;
concurrent misses for one key reach the origin once; HIT and MISS access log lines.
"""
import threading
import unittest

from harness.client import Client

from harness.access_log import parse_line
from harness.base import E2ETestCase
from harness.origin import Reply

RULES = [
    {"name": "objects", "path_prefix": "/obj/", "cache": "60s"},
    {"name": "cacheable", "path_prefix": "/c/", "cache": "60s"},
    {"name": "stripped", "path_prefix": "/strip/", "cache": "60s", "strip_set_cookie": True},
]


class CacheStoreTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.larder = self.start_larder(server={"debug_headers": True},
                                        cache={"max_size": "1MiB", "max_object_size": "1MiB"},
                                        rules=RULES)
        self.c = self.client(self.larder)

    def get(self, path, method="GET"):
        return self.c.request(method, path)

    def assert_not_stored(self, path):
        first = self.get(path)
        self.assertEqual(first.status, 200)
        self.assertIn(first.x_cache, ("MISS", "PASS"), first)
        second = self.get(path)
        self.assertNotEqual(second.x_cache, "HIT", second)
        self.assertEqual(second.body, first.body)
        self.assertEqual(self.origin.count(path), 2)

    def test_miss_then_hit(self):
        self.origin.route("/c/basic", Reply(200, b"basic body", [("Content-Type", "text/plain")]))
        r1 = self.get("/c/basic")
        r2 = self.get("/c/basic")
        self.assertEqual((r1.status, r1.x_cache, r1.body), (200, "MISS", b"basic body"))
        self.assertEqual((r2.status, r2.x_cache, r2.body), (200, "HIT", b"basic body"))
        self.assertEqual(r2.header("Content-Length"), str(len(b"basic body")))
        self.assertEqual(r2.header("Content-Type"), "text/plain")
        self.assertIsNotNone(r2.header("X-Cache-Reason"))
        self.assertEqual(self.origin.count("/c/basic"), 1)

    def test_lru_evicts_oldest_keeps_newest(self):
        size = 100 * 1000
        def handler(req):
            n = int(req.path.rsplit("/", 1)[1])
            return Reply(200, bytes([n % 256]) * size, [("Content-Type", "application/octet-stream")])
        self.origin.route("/obj/*", handler)
        for i in range(40):
            r = self.get("/obj/%d" % i)
            self.assertEqual((r.status, r.x_cache, len(r.body)), (200, "MISS", size), "object %d" % i)
        newest = self.get("/obj/39")
        self.assertEqual(newest.x_cache, "HIT")
        self.assertEqual(newest.body, bytes([39]) * size)
        self.assertEqual(self.origin.count("/obj/39"), 1)
        oldest = self.get("/obj/0")
        self.assertEqual(oldest.x_cache, "MISS")
        self.assertEqual(oldest.body, bytes([0]) * size)
        self.assertEqual(self.origin.count("/obj/0"), 2)

    def test_set_cookie_not_stored_without_strip_rule(self):
        self.origin.route("/c/cookie", Reply(200, b"with cookie", [("Set-Cookie", "sid=abc; Path=/")]))
        self.assert_not_stored("/c/cookie")

    def test_cache_control_private_not_stored(self):
        self.origin.route("/c/private", Reply(200, b"mine", [("Cache-Control", "private, max-age=60")]))
        self.assert_not_stored("/c/private")

    def test_cache_control_no_store_not_stored(self):
        self.origin.route("/c/nostore", Reply(200, b"secret", [("Cache-Control", "no-store")]))
        self.assert_not_stored("/c/nostore")

    def test_object_over_max_object_size_not_stored(self):
        body = b"L" * (1536 * 1024)
        self.origin.route("/c/huge", Reply(200, body))
        first = self.get("/c/huge")
        second = self.get("/c/huge")
        self.assertEqual((len(first.body), len(second.body)), (len(body), len(body)))
        self.assertNotEqual(second.x_cache, "HIT")
        self.assertEqual(self.origin.count("/c/huge"), 2)

    def test_head_served_from_stored_get(self):
        self.origin.route("/c/doc", Reply(200, b"d" * 4321, [("Content-Type", "text/html")]))
        g = self.get("/c/doc")
        self.assertEqual(g.x_cache, "MISS")
        h = self.get("/c/doc", "HEAD")
        self.assertEqual((h.status, h.x_cache, h.body), (200, "HIT", b""))
        self.assertEqual(h.header("Content-Length"), "4321")
        self.assertEqual(self.origin.count("/c/doc"), 1)
        self.assertEqual(self.origin.count("/c/doc", "HEAD"), 0)
        # The connection is in sync: the HEAD response carried no body bytes.
        self.assertEqual(self.get("/c/doc").body, b"d" * 4321)

    def test_head_miss_does_not_store_empty_get(self):
        self.origin.route("/c/headfirst", Reply(200, b"full body"))
        h = self.get("/c/headfirst", "HEAD")
        self.assertEqual((h.status, h.body), (200, b""))
        g = self.get("/c/headfirst")
        self.assertEqual(g.body, b"full body")
        g2 = self.get("/c/headfirst")
        self.assertEqual(g2.body, b"full body")
        self.assertEqual(g2.header("Content-Length"), "9")

    def test_strip_set_cookie_rule_stores_without_cookie(self):
        self.origin.route("/strip/page", Reply(200, b"page", [("Set-Cookie", "session=anon; Path=/")]))
        self.get("/strip/page")
        hit = self.get("/strip/page")
        self.assertEqual((hit.x_cache, hit.body), ("HIT", b"page"))
        self.assertEqual(hit.headers.get_all("Set-Cookie"), [])
        self.assertEqual(self.origin.count("/strip/page"), 1)

    def test_query_string_is_part_of_the_key(self):
        a1 = self.get("/c/q?page=1")
        a2 = self.get("/c/q?page=2")
        b1 = self.get("/c/q?page=1")
        self.assertEqual((a1.x_cache, a2.x_cache, b1.x_cache), ("MISS", "MISS", "HIT"))
        self.assertEqual(a2.body, b"origin GET /c/q?page=2")
        self.assertEqual(b1.body, b"origin GET /c/q?page=1")
        self.assertEqual(self.origin.count("/c/q"), 2)

    def test_post_is_never_cached(self):
        self.get("/c/form")
        for _ in range(2):
            r = self.c.request("POST", "/c/form", body=b"x=1")
            self.assertEqual(r.x_cache, "PASS")
            self.assertEqual(r.body, b"origin POST /c/form")
        self.assertEqual(self.origin.count("/c/form", "POST"), 2)

    def test_concurrent_misses_reach_the_origin_once(self):
        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/c/popular", Reply(200, b"popular", hold=release, arrived=arrived))
        clients = [Client(self.larder.port, timeout=15) for _ in range(6)]
        for c in clients:
            self.addCleanup(c.close)
        clients[0].send_request("GET", "/c/popular")
        self.assertTrue(arrived.wait(10))
        for c in clients[1:]:  # these arrive while the first fetch is held at the origin
            c.send_request("GET", "/c/popular")
        release.set()
        bodies = [c.read_response().body for c in clients]
        self.assertEqual(bodies, [b"popular"] * 6)
        self.assertEqual(self.origin.count("/c/popular"), 1)

    def test_access_log_for_miss_and_hit(self):
        self.get("/c/logged")
        self.get("/c/logged")
        self.larder.wait_for_log(lambda l: "HIT" in l and "/c/logged" in l)
        self.assertEqual(self.larder.stop(), 0)
        found = [parse_line(l) for l in self.larder.access_log_lines() if "/c/logged" in l]
        self.assertTrue(all(found), self.larder.access_log_lines())
        self.assertEqual([(m["method"], m["target"], m["status"]) for m in found],
                         [("GET", "/c/logged", 200)] * 2)
        self.assertEqual([m["cache"] for m in found], ["MISS", "HIT"])
        self.assertGreaterEqual(found[0]["upstream_us"], 0)
        self.assertIsNone(found[1]["upstream_us"])  # a hit never asks the app


if __name__ == "__main__":
    unittest.main()
