"""Upstream failures: what the client gets and what the origin saw.

Covers: nothing listening on the upstream port (502); the origin resets the connection (502) or
closes it without an answer (502); the origin slower than upstream_timeout (504); a pooled
keep-alive connection that the origin closed while idle, and one it closed on the next request,
are retried transparently for GET (the client sees 200); a POST whose connection closed before
a response is not retried (the origin saw it once) and gets 502. The daemon keeps serving after
each failure.
"""
import threading
import unittest

from harness.base import E2ETestCase
from harness.daemon import larder_config
from harness.flask_app import free_port
from harness.origin import Reply

TIMEOUTS = {"upstream_connect_timeout": "1s", "upstream_timeout": "5s"}


class UpstreamDownTest(E2ETestCase):
    def test_connection_refused_gives_502(self):
        dead = "127.0.0.1:%d" % free_port()  # bound and closed: nothing listens there
        larder = self.start_larder(larder_config(dead, server=TIMEOUTS))
        c = self.client(larder)
        r = c.get("/anything")
        self.assertEqual(r.status, 502)
        self.assertTrue((r.header("Content-Type") or "").startswith("text/plain"))
        # The client connection survives an upstream failure (or is closed cleanly), and the
        # daemon answers the next connection the same way.
        with self.client(larder) as c2:
            self.assertEqual(c2.get("/again").status, 502)
        self.assertTrue(larder.running())


class UpstreamFailureTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.larder = self.start_larder(server=TIMEOUTS)

    def test_reset_gives_502(self):
        self.origin.route("/reset", Reply(action="reset"))
        r = self.client(self.larder).get("/reset")
        self.assertEqual(r.status, 502)
        self.assertGreaterEqual(self.origin.count("/reset"), 1)
        self.assert_serves(self.larder)

    def test_close_without_response_on_fresh_connection_gives_502(self):
        self.origin.route("/vanish", Reply(action="close"))
        r = self.client(self.larder).get("/vanish")
        self.assertEqual(r.status, 502)
        self.assert_serves(self.larder)

    def test_slow_origin_gives_504(self):
        # A daemon of its own: only this test wants the short upstream_timeout.
        self.larder = self.start_larder(server=dict(TIMEOUTS, upstream_timeout="300ms"))
        release = threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/slow", Reply(200, b"too late", hold=release, hold_timeout=15))
        r = self.client(self.larder).get("/slow", timeout=10)
        self.assertEqual(r.status, 504)
        self.assertEqual(self.origin.count("/slow"), 1)
        release.set()
        self.assert_serves(self.larder)

    def test_pooled_connection_closed_while_idle_is_retried_for_get(self):
        closed = threading.Event()
        self.origin.route("/first", Reply(200, b"first", close_after=True, closed=closed))
        c = self.client(self.larder)
        self.assertEqual(c.get("/first").body, b"first")
        self.assertTrue(closed.wait(5))  # the origin has closed the (now pooled) connection
        r = c.get("/second")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"origin GET /second")
        self.assertEqual(self.origin.count("/second"), 1)

    def test_pooled_connection_closed_on_next_request_is_retried_for_get(self):
        # The origin answers the first request on a connection, and closes without an answer
        # on any later one: the race where a server's idle timer fires as the request arrives.
        def handler(req):
            return Reply(action="close") if req.conn_index > 0 else Reply(200, b"fresh " + req.path.encode())
        self.origin.route("/r/*", handler)
        c = self.client(self.larder)
        self.assertEqual(c.get("/r/1").body, b"fresh /r/1")
        r = c.get("/r/2")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"fresh /r/2")
        attempts = [q.conn_index for q in self.origin.requests if q.path == "/r/2"]
        self.assertEqual(sorted(attempts), [0, 1], "expected one failed reuse and one fresh attempt")

    def test_post_is_not_retried(self):
        c = self.client(self.larder)
        self.assertEqual(c.get("/warm").status, 200)  # leaves a pooled upstream connection
        self.origin.route("/order", Reply(action="close"), method="POST")
        r = c.request("POST", "/order", body=b"buy one")
        self.assertEqual(r.status, 502)
        self.assertEqual(self.origin.count("/order", "POST"), 1)
        self.assertEqual(self.origin.last("/order").body, b"buy one")
        self.assert_serves(self.larder)
        self.assertEqual(self.origin.count("/order", "POST"), 1)


if __name__ == "__main__":
    unittest.main()
