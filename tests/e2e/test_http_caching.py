"""RFC 9111 shared-cache behaviour end to end: `[cache] default = "http"`, through the pipeline's
cache::HttpPolicy (include/larder/cache/cache_policy.hpp).

No sleeps: responses that must be stale are sent stale (max-age=0 or Age >= max-age), so every
revalidation is deterministic. Every test checks what reached the origin (counts, conditional
headers), not only response headers.
"""
import unittest

from harness.base import E2ETestCase
from harness.origin import Reply

LAST_MODIFIED = "Tue, 14 Nov 2023 22:13:20 GMT"


class HttpCachingTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.larder = self.start_larder(server={"debug_headers": True},
                                        cache={"default": "http"})
        self.c = self.client(self.larder)

    def get(self, path, headers=()):
        return self.c.request("GET", path, headers=list(headers))

    # --- freshness ---

    def test_max_age_hit_with_age(self):
        self.origin.route("/fresh", Reply(200, b"x", [("Cache-Control", "max-age=60"), ("Age", "10")]))
        self.assertEqual(self.get("/fresh").x_cache, "MISS")
        r = self.get("/fresh")
        self.assertEqual(r.x_cache, "HIT")
        self.assertGreaterEqual(int(r.header("Age")), 10)  # the origin's Age counts
        self.assertIsNotNone(r.header("Via"))
        self.assertEqual(self.origin.count("/fresh"), 1)

    def test_no_store_and_private_not_stored(self):
        for path, cc in (("/ns", "no-store, max-age=60"), ("/pv", "private, max-age=60")):
            self.origin.route(path, Reply(200, b"x", [("Cache-Control", cc)]))
            self.get(path)
            self.assertNotEqual(self.get(path).x_cache, "HIT")
            self.assertEqual(self.origin.count(path), 2)

    def test_no_freshness_no_validator_not_stored(self):
        self.origin.route("/plain", Reply(200, b"x"))
        self.get("/plain")
        self.get("/plain")
        self.assertEqual(self.origin.count("/plain"), 2)

    def test_partial_content_not_stored(self):
        self.origin.route("/range", Reply(206, b"x", [("Cache-Control", "max-age=60"),
                                                      ("Content-Range", "bytes 0-0/10")]))
        self.get("/range")
        self.get("/range")
        self.assertEqual(self.origin.count("/range"), 2)

    # --- revalidation ---

    def test_revalidation_with_etag_and_304_header_update(self):
        def reply(req):
            if req.header("If-None-Match") == '"v1"':
                return Reply(304, b"", [("ETag", '"v1"'), ("Cache-Control", "max-age=60"),
                                        ("X-Version", "2")])
            return Reply(200, b"body-v1", [("ETag", '"v1"'), ("Cache-Control", "max-age=0"),
                                           ("X-Version", "1")])
        self.origin.route("/etag", reply)
        self.assertEqual(self.get("/etag").body, b"body-v1")
        r = self.get("/etag")  # stale on arrival: revalidated, 304 refreshes it
        self.assertEqual((r.status, r.body, r.header("X-Version")), (200, b"body-v1", "2"))
        self.assertEqual(self.origin.last("/etag").header("If-None-Match"), '"v1"')
        r3 = self.get("/etag")  # now fresh for 60s with the updated headers
        self.assertEqual((r3.x_cache, r3.header("X-Version")), ("HIT", "2"))
        self.assertEqual(self.origin.count("/etag"), 2)

    def test_revalidation_with_last_modified(self):
        def reply(req):
            if req.header("If-Modified-Since") == LAST_MODIFIED:
                return Reply(304, b"", [("Cache-Control", "max-age=60")])
            return Reply(200, b"lm", [("Last-Modified", LAST_MODIFIED), ("Cache-Control", "max-age=0")])
        self.origin.route("/lm", reply)
        self.get("/lm")
        r = self.get("/lm")
        self.assertEqual((r.status, r.body), (200, b"lm"))
        self.assertEqual(self.origin.last("/lm").header("If-Modified-Since"), LAST_MODIFIED)

    def test_200_on_revalidation_replaces(self):
        versions = iter([b"one", b"two"])
        self.origin.route("/replace", lambda req: Reply(200, next(versions), [
            ("ETag", '"x%d"' % self.origin.count("/replace")), ("Cache-Control", "max-age=0")]))
        self.assertEqual(self.get("/replace").body, b"one")
        self.assertEqual(self.get("/replace").body, b"two")

    def test_client_conditional_answered_from_store(self):
        self.origin.route("/cond", Reply(200, b"c", [("ETag", '"c1"'), ("Cache-Control", "max-age=60")]))
        self.get("/cond")
        r = self.get("/cond", [("If-None-Match", 'W/"c1"')])
        self.assertEqual(r.status, 304)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("ETag"), '"c1"')
        self.assertEqual(self.origin.count("/cond"), 1)

    def test_request_no_cache_revalidates(self):
        self.origin.route("/rnc", Reply(200, b"r", [("ETag", '"r"'), ("Cache-Control", "max-age=60")]))
        self.get("/rnc")
        self.get("/rnc", [("Cache-Control", "no-cache")])
        self.assertEqual(self.origin.count("/rnc"), 2)
        self.get("/rnc", [("Pragma", "no-cache")])
        self.assertEqual(self.origin.count("/rnc"), 3)

    # --- only-if-cached ---

    def test_only_if_cached(self):
        r = self.get("/never", [("Cache-Control", "only-if-cached")])
        self.assertEqual(r.status, 504)
        self.assertEqual(self.origin.count("/never"), 0)
        self.origin.route("/oic", Reply(200, b"o", [("Cache-Control", "max-age=60")]))
        self.get("/oic")
        r = self.get("/oic", [("Cache-Control", "only-if-cached")])
        self.assertEqual((r.status, r.body), (200, b"o"))

    # --- Vary ---

    def test_vary_variants(self):
        self.origin.route("/v", lambda req: Reply(200, (req.header("Accept-Language") or "none").encode(), [
            ("Vary", "Accept-Language"), ("Cache-Control", "max-age=60")]))
        self.assertEqual(self.get("/v", [("Accept-Language", "en")]).body, b"en")
        self.assertEqual(self.get("/v", [("Accept-Language", "fr")]).body, b"fr")
        r = self.get("/v", [("Accept-Language", "en")])
        self.assertEqual((r.x_cache, r.body), ("HIT", b"en"))
        r = self.get("/v", [("accept-language", "  fr ")])
        self.assertEqual((r.x_cache, r.body), ("HIT", b"fr"))
        self.assertEqual(self.origin.count("/v"), 2)

    def test_vary_star_never_served(self):
        self.origin.route("/vs", Reply(200, b"s", [("Vary", "*"), ("Cache-Control", "max-age=60")]))
        self.get("/vs")
        self.get("/vs")
        self.assertEqual(self.origin.count("/vs"), 2)

    # --- invalidation ---

    def test_unsafe_methods_invalidate(self):
        self.origin.route("/item", Reply(200, b"item", [("Cache-Control", "max-age=600")]), method="GET")
        self.origin.route("/other", Reply(200, b"other", [("Cache-Control", "max-age=600")]), method="GET")
        for method in ("POST", "PUT", "DELETE"):
            self.origin.route("/item", Reply(200, b"ok", [("Content-Location", "/other")]), method=method)
            self.get("/item")
            self.get("/other")
            before_item, before_other = self.origin.count("/item", "GET"), self.origin.count("/other", "GET")
            self.assertEqual(self.c.request(method, "/item", body=b"x").status, 200)
            self.get("/item")
            self.get("/other")
            self.assertEqual(self.origin.count("/item", "GET"), before_item + 1, method)
            self.assertEqual(self.origin.count("/other", "GET"), before_other + 1, method)

    def test_error_response_does_not_invalidate(self):
        self.origin.route("/keep", Reply(200, b"k", [("Cache-Control", "max-age=600")]), method="GET")
        self.origin.route("/keep", Reply(500, b"no"), method="POST")
        self.get("/keep")
        self.c.request("POST", "/keep", body=b"x")
        self.assertEqual(self.get("/keep").x_cache, "HIT")

    def test_location_on_other_host_not_invalidated(self):
        self.origin.route("/safe", Reply(200, b"s", [("Cache-Control", "max-age=600")]), method="GET")
        self.origin.route("/post", Reply(201, b"", [("Location", "http://other.example/safe")]), method="POST")
        self.get("/safe")
        self.c.request("POST", "/post", body=b"x")
        self.assertEqual(self.get("/safe").x_cache, "HIT")

    # --- Authorization ---

    def test_authorization_always_passes(self):
        # RFC 9111 would let `public` share it; Larder never does: a shared fetch carries no
        # credentials, so a request with them is this visitor's alone (docs/privacy.md).
        auth = [("Authorization", "Bearer t")]
        self.origin.route("/pub", Reply(200, b"p", [("Cache-Control", "public, max-age=60")]))
        self.assertEqual(self.get("/pub", auth).x_cache, "PASS")
        self.assertEqual(self.get("/pub", auth).x_cache, "PASS")
        self.assertEqual(self.origin.count("/pub"), 2)
        self.assertEqual(self.get("/pub").x_cache, "MISS")  # nothing was stored for others
        self.assertEqual(self.get("/pub").x_cache, "HIT")
        self.assertEqual(self.origin.count("/pub"), 3)

    # --- targeted fields ---

    def test_cdn_cache_control_overrides_and_is_stripped(self):
        self.origin.route("/cdn", Reply(200, b"t", [("Cache-Control", "no-store"),
                                                    ("CDN-Cache-Control", "max-age=60")]))
        r1 = self.get("/cdn")
        self.assertIsNone(r1.header("CDN-Cache-Control"))
        r2 = self.get("/cdn")
        self.assertEqual(r2.x_cache, "HIT")
        self.assertEqual(r2.header("Cache-Control"), "no-store")  # passed on for browsers
        self.assertEqual(self.origin.count("/cdn"), 1)

    def test_invalid_cdn_cache_control_is_ignored(self):
        # Not a Structured Field Dictionary (upper-case key): Cache-Control governs.
        self.origin.route("/cdn-bad", Reply(200, b"t", [("Cache-Control", "no-store"),
                                                        ("CDN-Cache-Control", "Max-Age=60")]))
        self.get("/cdn-bad")
        self.assertNotEqual(self.get("/cdn-bad").x_cache, "HIT")
        self.assertEqual(self.origin.count("/cdn-bad"), 2)

    # --- RFC 9111 details ---

    def test_origin_age_shortens_freshness_and_is_sent_on_the_miss(self):
        self.origin.route("/aged", Reply(200, b"a", [("Cache-Control", "max-age=3600"),
                                                     ("Age", "3000")]))
        miss = self.get("/aged")
        self.assertEqual(miss.x_cache, "MISS")
        self.assertGreaterEqual(int(miss.header("Age")), 3000)
        self.assertLess(int(miss.header("Age")), 3600)
        self.origin.route("/spent", Reply(200, b"s", [("Cache-Control", "max-age=3600"),
                                                      ("Age", "3600")]))
        self.get("/spent")  # as old as its lifetime: stale on arrival, not served again
        self.assertEqual(self.get("/spent").x_cache, "MISS")
        self.assertEqual(self.origin.count("/spent"), 2)

    def test_heuristic_freshness_is_on_by_default(self):
        self.origin.route("/old", Reply(200, b"o", [("Last-Modified", LAST_MODIFIED)]))
        self.assertEqual(self.get("/old").x_cache, "MISS")
        self.assertEqual(self.get("/old").x_cache, "HIT")
        self.assertEqual(self.origin.count("/old"), 1)

    def test_odd_expires_dates(self):
        self.origin.route("/far", Reply(200, b"f", [("Expires", "fri, 31 dec 9999 23:59:59 gmt")]))
        self.origin.route("/zero", Reply(200, b"z", [("Expires", "0")]))
        for path in ("/far", "/zero"):
            self.get(path)
            self.get(path)
        self.assertEqual(self.origin.count("/far"), 1)   # far future, any letter case: fresh
        self.assertEqual(self.origin.count("/zero"), 2)  # invalid: already expired


if __name__ == "__main__":
    unittest.main()
