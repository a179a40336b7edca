"""Requests that are not cache candidates pass through larder unchanged.

Covers: GET and POST bodies (Content-Length and chunked, the latter de-chunked upstream), the
forwarding headers larder adds (X-Forwarded-For, X-Forwarded-Proto, Via) and the hop-by-hop
headers it must drop in both directions, HEAD, HTTP/1.0, Expect: 100-continue, upstream
connection reuse (20 keep-alive requests -> 1 upstream connection), a 20 MB response streamed
intact, a chunked origin response, and the access log line format.
"""
import hashlib
import unittest

from harness.access_log import parse_line
from harness.base import E2ETestCase
from harness.origin import Reply


class PassthroughTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.larder = self.start_larder()

    def test_get_passes_status_headers_and_body(self):
        self.origin.route("/hello", Reply(201, b"hello world", [("Content-Type", "text/plain"),
                                                                ("X-Origin", "yes")]))
        r = self.client(self.larder).get("/hello?a=1&b=2")
        self.assertEqual(r.status, 201)
        self.assertEqual(r.body, b"hello world")
        self.assertEqual(r.header("X-Origin"), "yes")
        self.assertEqual(r.header("X-Cache"), "PASS")
        self.assertEqual(self.origin.count("/hello"), 1)
        req = self.origin.last("/hello")
        self.assertEqual(req.method, "GET")
        self.assertEqual(req.target, "/hello?a=1&b=2")
        self.assertEqual(req.header("Host"), "localhost")

    def test_post_with_content_length(self):
        body = bytes(range(256)) * 100
        r = self.client(self.larder).request("POST", "/submit", [("Content-Type", "application/octet-stream")], body)
        self.assertEqual(r.status, 200)
        req = self.origin.last("/submit")
        self.assertEqual(req.method, "POST")
        self.assertEqual(req.body, body)
        self.assertEqual(req.header("Content-Length"), str(len(body)))
        self.assertEqual(r.header("X-Cache"), "PASS")

    def test_large_headers_then_body_in_later_reads(self):
        # Headers that nearly fill the read buffer, then the body in separate sends: the buffer
        # grows while the body arrives, and the headers forwarded upstream must stay intact.
        big = "v" * 6000
        body = b"b" * 20000
        c = self.client(self.larder)
        c.send(("POST /big-head HTTP/1.1\r\nHost: localhost\r\nX-Big: %s\r\n"
                "Content-Length: %d\r\n\r\n" % (big, len(body))).encode())
        for i in range(0, len(body), 5000):
            c.send(body[i:i + 5000])
        r = c.read_response()
        self.assertEqual(r.status, 200)
        req = self.origin.last("/big-head")
        self.assertEqual(req.header("X-Big"), big)
        self.assertEqual(req.body, body)

    def test_post_with_chunked_body_is_dechunked_upstream(self):
        c = self.client(self.larder)
        parts = [b"first part,", b"x" * 5000, b",last"]
        data = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
        c.send(b"POST /chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + data)
        r = c.read_response()
        self.assertEqual(r.status, 200)
        req = self.origin.last("/chunked")
        self.assertEqual(req.body, b"".join(parts))
        self.assertEqual(req.header("Content-Length"), str(len(b"".join(parts))))
        self.assertIsNone(req.header("Transfer-Encoding"))

    def test_forwarding_headers_added_and_hop_by_hop_removed(self):
        headers = [("Connection", "keep-alive, X-Custom-Hop"), ("Keep-Alive", "timeout=5"),
                   ("TE", "trailers"), ("Upgrade", "h2c"), ("Proxy-Connection", "keep-alive"),
                   ("X-Custom-Hop", "must not pass"), ("X-End-To-End", "must pass")]
        r = self.client(self.larder).get("/headers", headers)
        self.assertEqual(r.status, 200)
        req = self.origin.last("/headers")
        self.assertEqual(req.header("X-Forwarded-For"), "127.0.0.1")
        self.assertEqual(req.header("X-Forwarded-Proto"), "http")
        self.assertIn("1.1 larder", req.header("Via", ""))
        for name in ("Keep-Alive", "TE", "Upgrade", "Proxy-Connection", "X-Custom-Hop",
                     "Transfer-Encoding"):
            self.assertNotIn(name, req.headers, "%s reached the origin: %r" % (name, req.headers))
        connection = (req.header("Connection") or "").lower()
        self.assertNotIn("x-custom-hop", connection)
        self.assertEqual(req.header("X-End-To-End"), "must pass")

    def test_hop_by_hop_response_headers_removed(self):
        self.origin.route("/resp-hop", Reply(200, b"ok", [("Connection", "X-Origin-Hop"),
                                                          ("Keep-Alive", "timeout=5"),
                                                          ("X-Origin-Hop", "secret"),
                                                          ("X-Kept", "1")]))
        r = self.client(self.larder).get("/resp-hop")
        self.assertEqual(r.body, b"ok")
        self.assertNotIn("Keep-Alive", r.headers)
        self.assertNotIn("X-Origin-Hop", r.headers)
        self.assertEqual(r.header("X-Kept"), "1")

    def test_head_has_no_body_and_connection_stays_usable(self):
        self.origin.route("/doc", Reply(200, b"z" * 1234, [("Content-Type", "text/plain")]))
        c = self.client(self.larder)
        r = c.request("HEAD", "/doc")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("Content-Length"), "1234")
        self.assertEqual(self.origin.last("/doc").method, "HEAD")
        # If any body bytes had followed the HEAD response, this response would be garbage.
        r2 = c.get("/after-head")
        self.assertEqual(r2.status, 200)
        self.assertEqual(r2.body, b"origin GET /after-head")

    def test_http_1_0_request(self):
        c = self.client(self.larder)
        c.send(b"GET /old HTTP/1.0\r\nHost: localhost\r\n\r\n")
        r = c.read_response()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"origin GET /old")
        self.assertTrue(r.version in ("HTTP/1.0", "HTTP/1.1"), r.version)
        self.assertTrue(c.wait_closed(5), "HTTP/1.0 connection without keep-alive was not closed")
        self.assertEqual(self.origin.count("/old"), 1)

    def test_expect_100_continue(self):
        c = self.client(self.larder)
        body = b"the body after 100-continue"
        c.send(b"POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n"
               b"Expect: 100-continue\r\n\r\n" % len(body))
        interim = c.read_response(interim=True)
        self.assertEqual(interim.status, 100)
        c.send(body)
        r = c.read_response()
        self.assertEqual(r.status, 200)
        self.assertEqual(self.origin.last("/upload").body, body)

    def test_keepalive_requests_reuse_one_upstream_connection(self):
        c = self.client(self.larder)
        for i in range(20):
            r = c.get("/seq/%d" % i)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, b"origin GET /seq/%d" % i)
        seq = [r for r in self.origin.requests if r.path.startswith("/seq/")]
        self.assertEqual(len(seq), 20)
        self.assertEqual({r.conn_id for r in seq}, {0}, "requests spread over upstream connections")
        self.assertEqual(self.origin.connections, 1)

    def test_large_response_streams_intact(self):
        size = 20 * 1024 * 1024
        block = hashlib.sha256(b"larder").digest() * 2048  # 64 KiB
        body = (block * (size // len(block) + 1))[:size]
        self.origin.route("/big", Reply(200, body, [("Content-Type", "application/octet-stream")]))
        r = self.client(self.larder, timeout=30).get("/big")
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), size)
        self.assertEqual(hashlib.sha256(r.body).hexdigest(), hashlib.sha256(body).hexdigest())

    def test_chunked_origin_response(self):
        body = bytes(i % 251 for i in range(300000))
        self.origin.route("/chunky", Reply(200, body, chunked=True, chunk_size=7000))
        c = self.client(self.larder)
        r = c.get("/chunky")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, body)
        self.assertEqual(c.get("/after-chunky").status, 200)

    def test_access_log_line_format(self):
        c = self.client(self.larder)
        c.get("/logged?x=1")
        c.request("POST", "/logged-post", body=b"12345")
        line = self.larder.wait_for_log(lambda l: "/logged?x=1" in l)
        if line is None:  # maybe buffered until exit: stop the daemon and look again
            self.assertEqual(self.larder.stop(), 0)
            line = next((l for l in self.larder.access_log_lines() if "/logged?x=1" in l), None)
        self.assertIsNotNone(line, "no access log line; stdout: %r" % self.larder.stdout_text()[-2000:])
        m = parse_line(line)
        self.assertIsNotNone(m, "bad access log line %r" % line)
        self.assertRegex(m["address"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual(m["method"], "GET")
        self.assertEqual(m["target"], "/logged?x=1")
        self.assertEqual(m["protocol"], "HTTP/1.1")
        self.assertEqual(m["status"], 200)
        self.assertEqual(m["cache"], "PASS")
        self.assertEqual(m["host"], "localhost")
        self.assertGreaterEqual(m["upstream_us"], 0)
        post = self.larder.wait_for_log(lambda l: "/logged-post" in l)
        self.assertIsNotNone(post)
        m = parse_line(post)
        self.assertIsNotNone(m, "bad access log line %r" % post)
        self.assertEqual(m["method"], "POST")
        lines = [l for l in self.larder.access_log_lines() if "/logged" in l]
        self.assertEqual(len(lines), 2, lines)

if __name__ == "__main__":
    unittest.main()
