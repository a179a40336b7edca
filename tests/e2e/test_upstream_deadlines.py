"""An origin too slow to finish, or that goes quiet mid-response, never gets its response stored
nor passed off as complete (issue 15, item 11).

`upstream_timeout` bounds the app's whole response (time Larder waits on it, from sending the
request to the last byte); `upstream_read_timeout` bounds its silence once the head has arrived.
The origin is a raw one (test_hostile_origins.RawOrigin) that sends exactly what each test says,
trickled or held on a threading.Event. Every case then checks that nothing was stored: the next
request for the same URL reaches the origin again (the origin counts the requests it read).

Covers:
- a cacheable 300 KB body trickled over several seconds past `upstream_timeout`: 504 with
  `X-Cache-Reason: upstream_timeout`, logged; the next request reaches the origin;
- a cacheable body that stops halfway (`upstream_read_timeout`): 504 `upstream_read_timeout`;
- a body larger than `buffer_size` (relayed as it arrives) that stops halfway: the client has
  the head, so the connection closes with the body short of its Content-Length, and the access
  log names `upstream_read_timeout`; chunked at the app: no last chunk reaches the client;
- an HTTP/1.0 client whose body is delimited by the close: the cut is a reset, not an end;
- a slow origin within both limits: delivered whole and cached.
"""
import socket
import threading
import time
import unittest

from harness.base import E2ETestCase
from harness.client import Client, ConnectionClosed
from harness.daemon import larder_config
from test_hostile_origins import RawOrigin

WAIT = 10.0  # bound on every Event wait
RULES = [{"name": "pages", "path_prefix": "/p/", "cache": "60s"}]


def head(length=None, chunked=False):
    fields = "Cache-Control: max-age=600\r\nContent-Type: text/plain\r\n"
    if chunked:
        fields += "Transfer-Encoding: chunked\r\n"
    elif length is not None:
        fields += "Content-Length: %d\r\n" % length
    return ("HTTP/1.1 200 OK\r\n%s\r\n" % fields).encode()


class SlowOrigin:
    """A raw origin whose first `bad` requests get `misbehave(conn)`; the others get a whole
    cacheable page at once. `served` counts the requests read."""

    def __init__(self, misbehave, bad=1):
        self.misbehave = misbehave
        self.bad = bad
        self.lock = threading.Lock()
        self.served = 0
        self.release = threading.Event()  # ends a held silence (set at cleanup)
        self.raw = RawOrigin(self._script)

    def _script(self, conn):
        while True:
            req = conn.read_request()
            if req is None:
                return
            with self.lock:
                self.served += 1
                n = self.served
            if n <= self.bad:
                self.misbehave(conn)
                return
            body = b"whole page"
            conn.send(head(len(body)) + body)

    def count(self):
        with self.lock:
            return self.served

    def stop(self):
        self.release.set()
        self.raw.stop()


def trickle(conn, data, piece, gap):
    """Sends `data` `piece` bytes at a time, `gap` seconds apart (stops when Larder closes)."""
    for i in range(0, len(data), piece):
        time.sleep(gap)
        conn.send(data[i:i + piece])


class UpstreamDeadlineTest(E2ETestCase):
    def start_slow(self, misbehave, bad=1, buffer_size="1MiB", **server):
        origin = SlowOrigin(misbehave, bad)
        self.addCleanup(origin.stop)
        settings = {"workers": 1, "debug_headers": True}
        settings.update(server)
        larder = self.start_larder(larder_config(origin.raw.address, server=settings,
                                                 rules=RULES, upstream={"buffer_size": buffer_size}))
        return origin, larder

    def assert_next_reaches_origin(self, origin, larder, path, relayed=False):
        """Nothing was stored: the same URL goes to the origin again and is whole. A body cut
        while relayed was larger than buffer_size, so its key is hit-for-pass (too_large); a
        cut before is not remembered at all, and the whole page is stored then."""
        before = origin.count()
        with Client(larder.port) as c:
            r = c.get(path)
        self.assertEqual((r.status, r.body), (200, b"whole page"))
        self.assertEqual(r.x_cache, "HIT-FOR-PASS" if relayed else "MISS")
        self.assertEqual(origin.count(), before + 1)
        if relayed:
            return
        with Client(larder.port) as c:
            self.assertEqual(c.get(path).x_cache, "HIT")
        self.assertEqual(origin.count(), before + 1)

    def access_line(self, larder, path, reason):
        return larder.wait_for_log(lambda l: ('"GET %s ' % path) in l and reason in l)

    def test_trickled_body_past_upstream_timeout_is_504_and_not_stored(self):
        # The case: 300 KB over ~6 s, each gap far below the read limit.
        body = b"t" * 300_000
        origin, larder = self.start_slow(
            lambda conn: trickle(conn, head(len(body)) + body, 10_000, 0.2),
            upstream_timeout="1500ms", upstream_read_timeout="10s")
        with Client(larder.port) as c:
            r = c.get("/p/trickle")
        self.assertEqual(r.status, 504)
        self.assertEqual(r.header("X-Cache-Reason"), "upstream_timeout")
        self.assertIsNotNone(self.access_line(larder, "/p/trickle", "upstream_timeout"))
        self.assertTrue(larder.wait_for_stderr("GET /p/trickle: upstream_timeout (status 504)"))
        self.assert_next_reaches_origin(origin, larder, "/p/trickle")

    def test_silence_mid_body_is_504_upstream_read_timeout_and_not_stored(self):
        holder = {}

        def half_then_quiet(conn):
            conn.send(head(20_000) + b"h" * 10_000)
            holder["origin"].release.wait(WAIT)

        origin, larder = self.start_slow(half_then_quiet, upstream_timeout="30s",
                                         upstream_read_timeout="300ms")
        holder["origin"] = origin
        with Client(larder.port) as c:
            r = c.get("/p/quiet")
        self.assertEqual(r.status, 504)
        self.assertEqual(r.header("X-Cache-Reason"), "upstream_read_timeout")
        self.assertIsNotNone(self.access_line(larder, "/p/quiet", "upstream_read_timeout"))
        self.assert_next_reaches_origin(origin, larder, "/p/quiet")

    def test_relayed_body_cut_closes_short_of_its_length(self):
        # 200 KB is past buffer_size (64 KiB): the client gets the head and the first part
        # before the origin goes quiet; then the connection closes, short of Content-Length.
        holder = {}

        def part_then_quiet(conn):
            conn.send(head(200_000) + b"r" * 100_000)
            holder["origin"].release.wait(WAIT)

        origin, larder = self.start_slow(part_then_quiet, buffer_size="64KiB",
                                         upstream_read_timeout="300ms")
        holder["origin"] = origin
        with Client(larder.port) as c:
            c.send_request("GET", "/p/big")
            with self.assertRaises(ConnectionClosed):
                c.read_response()  # reads Content-Length bytes: the close comes first
        self.assertIsNotNone(self.access_line(larder, "/p/big", "upstream_read_timeout"))
        self.assert_next_reaches_origin(origin, larder, "/p/big", relayed=True)

    def test_relayed_chunked_body_cut_has_no_last_chunk(self):
        holder = {}

        def chunks_then_quiet(conn):
            conn.send(head(chunked=True) + (b"4000\r\n" + b"c" * 0x4000 + b"\r\n") * 6)
            holder["origin"].release.wait(WAIT)

        origin, larder = self.start_slow(chunks_then_quiet, buffer_size="64KiB",
                                         upstream_read_timeout="300ms")
        holder["origin"] = origin
        with Client(larder.port) as c:
            c.send_request("GET", "/p/chunks")
            with self.assertRaises(ConnectionClosed):
                c.read_response()  # de-chunks: the close comes before the last chunk
        self.assert_next_reaches_origin(origin, larder, "/p/chunks", relayed=True)

    def test_close_delimited_body_cut_is_a_reset(self):
        # HTTP/1.0 has no chunked framing: the body ends with the close, so a cut must not
        # look like that end.
        holder = {}

        def chunks_then_quiet(conn):
            conn.send(head(chunked=True) + (b"4000\r\n" + b"c" * 0x4000 + b"\r\n") * 6)
            holder["origin"].release.wait(WAIT)

        origin, larder = self.start_slow(chunks_then_quiet, buffer_size="64KiB",
                                         upstream_read_timeout="300ms")
        holder["origin"] = origin
        c = Client(larder.port)
        self.addCleanup(c.close)
        c.send(b"GET /p/ten HTTP/1.0\r\nHost: localhost\r\n\r\n")
        received = b""
        with self.assertRaises(ConnectionResetError):
            while True:
                data = c.sock.recv(65536)
                if not data:
                    break  # a clean end: the assertion fails
                received += data
        self.assertNotIn(b"Content-Length", received.split(b"\r\n\r\n")[0])

    def test_slow_origin_within_both_limits_is_delivered_and_cached(self):
        body = b"s" * 50_000
        origin, larder = self.start_slow(
            lambda conn: trickle(conn, head(len(body)) + body, 10_000, 0.1),
            upstream_timeout="10s", upstream_read_timeout="2s")
        with Client(larder.port) as c:
            r = c.get("/p/steady")
        self.assertEqual((r.status, r.body), (200, body))
        self.assertEqual(r.x_cache, "MISS")
        with Client(larder.port) as c:
            self.assertEqual(c.get("/p/steady").body, body)
        self.assertEqual(origin.count(), 1)


if __name__ == "__main__":
    unittest.main()
