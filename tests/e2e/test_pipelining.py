"""HTTP/1.1 pipelining and message framing across TCP segments.

Covers: 10 requests in one send answered in order; a request (and a pipeline of three)
delivered one byte per segment; responses kept in request order even when the origin finishes
the later requests first (the first one is held until the last one reached the origin, or for a
bounded time if larder forwards pipelined requests one at a time); pipelined POSTs with bodies;
HEAD in the middle of a pipeline.
"""
import threading
import unittest

from harness.base import E2ETestCase
from harness.client import build_request
from harness.origin import Reply


class PipeliningTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.larder = self.start_larder()

    def test_ten_requests_in_one_send(self):
        c = self.client(self.larder)
        c.send(b"".join(build_request("GET", "/p/%d" % i) for i in range(10)))
        responses = c.read_responses(10)
        self.assertEqual([r.status for r in responses], [200] * 10)
        self.assertEqual([r.body for r in responses], [b"origin GET /p/%d" % i for i in range(10)])
        self.assertEqual(self.origin.count(), 10)
        # The connection is still usable afterwards.
        self.assertEqual(c.get("/p/after").body, b"origin GET /p/after")

    def test_request_split_byte_by_byte(self):
        c = self.client(self.larder)
        c.send_bytewise(build_request("GET", "/bytewise?q=1", [("X-Split", "yes")]))
        r = c.read_response()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"origin GET /bytewise?q=1")
        self.assertEqual(self.origin.last("/bytewise").header("X-Split"), "yes")

    def test_pipeline_split_byte_by_byte(self):
        c = self.client(self.larder)
        data = (build_request("GET", "/b/1") + build_request("POST", "/b/2", body=b"body-two")
                + build_request("GET", "/b/3"))
        c.send_bytewise(data)
        responses = c.read_responses(["GET", "POST", "GET"])
        self.assertEqual([r.body for r in responses],
                         [b"origin GET /b/1", b"origin POST /b/2", b"origin GET /b/3"])
        self.assertEqual(self.origin.last("/b/2").body, b"body-two")

    def test_responses_in_order_when_origin_answers_out_of_order(self):
        last_arrived = threading.Event()
        # /slow/0 is held until /slow/9 has reached the origin (larder forwards pipelined
        # requests in parallel) or, at most, 3 s (larder forwards them one at a time).
        self.origin.route("/slow/0", Reply(200, b"zero", hold=last_arrived, hold_timeout=3))
        self.origin.route("/slow/9", Reply(200, b"nine", arrived=last_arrived))
        c = self.client(self.larder, timeout=20)
        c.send(b"".join(build_request("GET", "/slow/%d" % i) for i in range(10)))
        responses = c.read_responses(10)
        bodies = [r.body for r in responses]
        expected = [b"zero"] + [b"origin GET /slow/%d" % i for i in range(1, 9)] + [b"nine"]
        self.assertEqual(bodies, expected)

    def test_pipelined_posts_with_bodies(self):
        c = self.client(self.larder)
        bodies = [b"a" * 10, b"b" * 70000, b"", b"c" * 3]
        c.send(b"".join(build_request("POST", "/post/%d" % i, body=b) for i, b in enumerate(bodies)))
        responses = c.read_responses(["POST"] * len(bodies))
        self.assertEqual([r.status for r in responses], [200] * len(bodies))
        self.assertEqual([r.body for r in responses],
                         [b"origin POST /post/%d" % i for i in range(len(bodies))])
        for i, b in enumerate(bodies):
            self.assertEqual(self.origin.last("/post/%d" % i).body, b)

    def test_head_inside_a_pipeline(self):
        self.origin.route("/h", Reply(200, b"h" * 500))
        c = self.client(self.larder)
        c.send(build_request("GET", "/h") + build_request("HEAD", "/h") + build_request("GET", "/h2"))
        r1, r2, r3 = c.read_responses(["GET", "HEAD", "GET"])
        self.assertEqual(r1.body, b"h" * 500)
        self.assertEqual((r2.status, r2.body, r2.header("Content-Length")), (200, b"", "500"))
        self.assertEqual(r3.body, b"origin GET /h2")


if __name__ == "__main__":
    unittest.main()
