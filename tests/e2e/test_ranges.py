"""Byte ranges, conditional requests on a cold cache and any-token methods, end to end against the
real Flask members site (apps/members_flask under gunicorn).

- Ranges come from one stored copy of a 1 MiB file (GET /files/video.bin, Flask's send_file):
  first, middle, suffix and open ranges, a 416, If-Range that matches and one that does not, and
  several ranges as multipart/byteranges, with exactly one request reaching the app, which never
  sees a Range header.
- A client's If-None-Match / If-Modified-Since on a cold cache: Larder fetches the whole object,
  stores it and answers 304 itself; the next visitor gets a HIT.
- `BAN` (any token method) reaches the app with its body, and invalidates like POST.

The app's own request log (apps/request_log.py, read straight from the app) is the count of
origin fetches.
"""
import re
import unittest

from harness.apps import MembersSite
from harness.base import E2ETestCase
from harness.daemon import larder_config

MIB = 1024 * 1024
VIDEO = bytes((i * 7 + i // 256) % 256 for i in range(MIB))
VIDEO_PATH = "/files/video.bin"
ETAG = '"video-v1"'
LAST_MODIFIED = "Tue, 14 Nov 2023 22:13:20 GMT"
RULES = [
    {"name": "files", "path_prefix": "/files/", "cache": "1h", "ignore_cookies": True},
    {"name": "pages", "path": ["/about", "/project/*", "/echo-method/*"], "cache": "60s"},
]


class RangesTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = MembersSite("flask", workers=2)
        cls.addClassCleanup(cls.app.stop)
        cls.app.start()

    def setUp(self):
        super().setUp()
        config = larder_config(self.app.address, server={"debug_headers": True},
                               cache={"max_size": "64MiB", "max_object_size": "2MiB"},
                               rules=RULES)
        self.larder = self.start_larder(config)
        self.c = self.client(self.larder)

    def app_count(self, path):
        return self.app.stats()["paths"].get(path, 0)

    def app_requests(self, path, since=0):
        """[id, method, path, cookie, authorization] of the app's requests for `path`."""
        return [row for row in self.app.stats(log=True, since=since)["requests"]
                if row[2] == path]

    def get(self, path, headers=()):
        return self.c.request("GET", path, headers=list(headers))

    def assert_part(self, r, first, last):
        self.assertEqual(r.status, 206, r)
        self.assertEqual(r.header("Content-Range"), "bytes %d-%d/%d" % (first, last, MIB))
        self.assertEqual(int(r.header("Content-Length")), last - first + 1)
        self.assertEqual(r.body, VIDEO[first:last + 1])

    def test_ranges_from_one_stored_copy(self):
        before = self.app_count(VIDEO_PATH)
        last_id = self.app.stats()["last_id"]
        first = self.get(VIDEO_PATH, [("Range", "bytes=0-99")])  # the miss fetches it whole
        self.assert_part(first, 0, 99)
        self.assertEqual(first.x_cache, "MISS")
        middle = self.get(VIDEO_PATH, [("Range", "bytes=500000-500999")])
        self.assert_part(middle, 500000, 500999)
        self.assertEqual(middle.x_cache, "HIT")
        self.assert_part(self.get(VIDEO_PATH, [("Range", "bytes=-1000")]), MIB - 1000, MIB - 1)
        self.assert_part(self.get(VIDEO_PATH, [("Range", "bytes=1048000-")]), 1048000, MIB - 1)
        beyond = self.get(VIDEO_PATH, [("Range", "bytes=%d-" % MIB)])
        self.assertEqual(beyond.status, 416)
        self.assertEqual(beyond.header("Content-Range"), "bytes */%d" % MIB)
        self.assertEqual(beyond.body, b"")
        # If-Range: the stored ETag (strong) or the exact Last-Modified → the range; else all.
        self.assert_part(self.get(VIDEO_PATH, [("Range", "bytes=10-19"), ("If-Range", ETAG)]),
                         10, 19)
        self.assert_part(self.get(VIDEO_PATH, [("Range", "bytes=10-19"),
                                               ("If-Range", LAST_MODIFIED)]), 10, 19)
        for stale in ('"video-v0"', 'W/"video-v1"', "Tue, 14 Nov 2023 22:13:19 GMT"):
            whole = self.get(VIDEO_PATH, [("Range", "bytes=10-19"), ("If-Range", stale)])
            self.assertEqual((whole.status, len(whole.body)), (200, MIB), stale)
            self.assertEqual(whole.body, VIDEO)
        self.assertEqual(self.app_count(VIDEO_PATH) - before, 1)
        self.assertEqual([row[1] for row in self.app_requests(VIDEO_PATH, last_id)], ["GET"])

    def test_several_ranges_are_multipart_byteranges(self):
        r = self.get(VIDEO_PATH, [("Range", "bytes=1000-1099, 0-9, -5")])
        self.assertEqual(r.status, 206, r)
        match = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", r.header("Content-Type"))
        self.assertIsNotNone(match, r.header("Content-Type"))
        boundary = match.group(1).encode()
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        parts = r.body.split(b"\r\n--" + boundary)
        self.assertEqual(parts[0], b"")
        self.assertEqual(parts[-1], b"--\r\n")
        got = []
        for part in parts[1:-1]:
            head, _, data = part.partition(b"\r\n\r\n")
            fields = dict(line.split(b": ", 1) for line in head.strip().split(b"\r\n"))
            self.assertEqual(fields[b"Content-Type"], b"video/mp4")
            got.append((fields[b"Content-Range"].decode(), data))
        self.assertEqual(got, [("bytes 1000-1099/%d" % MIB, VIDEO[1000:1100]),
                               ("bytes 0-9/%d" % MIB, VIDEO[0:10]),
                               ("bytes %d-%d/%d" % (MIB - 5, MIB - 1, MIB), VIDEO[-5:])])
        # Overlapping ranges are how a body is made to go out many times: the plain 200.
        overlap = self.get(VIDEO_PATH, [("Range", "bytes=0-500000, 1-500001, 2-500002")])
        self.assertEqual((overlap.status, overlap.x_cache), (200, "HIT"))
        self.assertEqual(overlap.body, VIDEO)

    def test_conditional_client_on_a_cold_cache_gets_304_then_the_next_visitor_a_hit(self):
        before = self.app_count(VIDEO_PATH)
        r = self.get(VIDEO_PATH, [("If-None-Match", ETAG)])
        self.assertEqual((r.status, r.x_cache, r.body), (304, "MISS", b""))
        self.assertEqual(r.header("ETag"), ETAG)
        hit = self.get(VIDEO_PATH)
        self.assertEqual((hit.status, hit.x_cache), (200, "HIT"))
        self.assertEqual(hit.body, VIDEO)
        since = self.get(VIDEO_PATH, [("If-Modified-Since", LAST_MODIFIED)])
        self.assertEqual((since.status, since.x_cache), (304, "HIT"))
        self.assertEqual(self.app_count(VIDEO_PATH) - before, 1)

    def test_if_modified_since_on_a_cold_page(self):
        path = "/project/cold-ims"
        r = self.get(path, [("If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT")])
        # The page has no validator: Larder fetched it whole and answers it whole.
        self.assertEqual((r.status, r.x_cache), (200, "MISS"))
        self.assertEqual(self.get(path).x_cache, "HIT")
        self.assertEqual(self.app_count(path), 1)

    def test_ban_reaches_the_app_with_its_body_and_invalidates(self):
        path = "/echo-method/item"
        last_id = self.app.stats()["last_id"]
        self.assertEqual(self.get(path).x_cache, "MISS")
        self.assertEqual(self.get(path).x_cache, "HIT")
        ban = self.c.request("BAN", path, body=b"reason=update")
        self.assertEqual(ban.status, 200, ban)
        self.assertEqual(ban.body, b"BAN reason=update")
        self.assertEqual(ban.x_cache, "PASS")
        methods = [row[1] for row in self.app_requests(path, last_id)]
        self.assertEqual(methods, ["GET", "BAN"])
        again = self.get(path)  # BAN is unsafe: the stored page went, like after a POST
        self.assertEqual((again.x_cache, again.body), ("MISS", b"GET "))
        purge = self.c.request("PURGE", path, body=b"")
        self.assertEqual((purge.status, purge.body), (200, b"PURGE "))


if __name__ == "__main__":
    unittest.main()
