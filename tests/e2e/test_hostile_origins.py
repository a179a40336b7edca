"""Origins that send what they must not: the pooled connection must never carry it to a neighbour.

The scripted `Origin` of the harness always speaks correct HTTP, so these tests run a raw origin
(`RawOrigin`, below) in the test process: it sends exactly the bytes a test gives it, when the
test says (ordered with threading.Event), and records exactly the bytes it receives, per
connection. Larder runs with one worker, so every request shares one upstream pool.

Covers:
- Stray bytes after a complete response (a full `200` with `max-age=600` after a 204, as the body
  of a HEAD answer, as the body of a 304, beyond a Content-Length body), arriving in the same
  segment as the response or later, while the connection is idle in the pool: the next request
  (another client, another URL under a caching rule) goes out on a fresh connection and gets
  its own answer, nothing poisoned is cached, and the tainted connection is closed after the
  one request it carried. Plain garbage after a 204 does not turn the next request into a 502.
- A POST after the origin closed the idle pooled connection (gunicorn gthread's keep-alive
  timeout): 200 on a fresh connection, and the origin saw the POST exactly once.
- An unsolicited `101 Switching Protocols` (Larder never asks for an upgrade): 502, its
  connection is closed, and the next request gets a fresh one. Status codes outside 100-599
  (`099`, `600`): 502.
- Interim responses (`103 Early Hints`, `102 Processing`) before the final one: relayed to an
  HTTP/1.1 client as they arrive (the client reads the 103 while the origin still holds the final
  answer), without their hop-by-hop fields, never merged into the final response nor stored (the
  HIT that follows has no `Link`); an HTTP/1.0 client gets none; a flood of them is cut at 8.
- An empty chunked body whose last bytes arrive in reads of their own (`0\r\n`, then `\r`, then
  `\n`): 200 with an empty body, the daemon still serving (Beast asserted on it and aborted the
  daemon; found by tests/fuzz/origin_response).
"""
import socket
import threading
import time
import unittest

from harness.base import E2ETestCase
from harness.client import Client
from harness.daemon import larder_config
from test_hostile_clients import _tcp_queues

POISON = (b"HTTP/1.1 200 OK\r\nContent-Length: 22\r\nCache-Control: max-age=600\r\n\r\n"
          b"POISONED-BY-LEFTOVERS!")
WAIT = 10.0  # bound on every Event wait: a broken build fails instead of hanging


class RawConnection:
    """One accepted connection: exact bytes out, exact bytes in (recorded)."""

    def __init__(self, sock, index):
        self.sock = sock
        self.index = index  # 0, 1, 2...: accept order
        self.received = bytearray()  # every byte read from this connection, in order
        self.requests = []  # (method, target, raw bytes) of each complete request read
        self.ended = threading.Event()  # the peer (Larder) closed it, or the script did
        self._buf = bytearray()

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            return False
        self.received += data
        self._buf += data
        return True

    def read_request(self):
        """Reads one request (head, and a Content-Length body); None when the peer closed."""
        while b"\r\n\r\n" not in self._buf:
            if not self._fill():
                return None
        end = self._buf.index(b"\r\n\r\n") + 4
        head = bytes(self._buf[:end])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(self._buf) < end + length:
            if not self._fill():
                return None
        raw = bytes(self._buf[:end + length])
        del self._buf[:end + length]
        method, target = head.split(b" ", 2)[:2]
        self.requests.append((method.decode(), target.decode(), raw))
        return self.requests[-1]

    def send(self, data):
        self.sock.sendall(data)

    def drain(self):
        """Records whatever else arrives until the peer closes the connection."""
        while self._fill():
            pass

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class RawOrigin:
    """Listens on 127.0.0.1:0 and runs `script(conn)` on a thread for every connection."""

    def __init__(self, script):
        self.script = script
        self.connections = []
        self._lock = threading.Lock()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name="raw-origin", daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                conn = RawConnection(sock, len(self.connections))
                self.connections.append(conn)
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        try:
            self.script(conn)
        except OSError:
            pass
        finally:
            conn.ended.set()

    def connection(self, index):
        with self._lock:
            return self.connections[index]

    def all_requests(self):
        """(connection index, method, target, raw bytes) of every request, in arrival order
        per connection."""
        with self._lock:
            conns = list(self.connections)
        return [(c.index,) + r for c in conns for r in c.requests]

    def stop(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self._lock:
            conns = list(self.connections)
        for c in conns:
            try:
                c.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)


def serve_properly(conn):
    """An honest keep-alive origin: `fresh <target>`, cacheable, for every request."""
    while True:
        req = conn.read_request()
        if req is None:
            return
        body = b"fresh " + req[1].encode()
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nCache-Control: max-age=600\r\n\r\n"
                  % len(body) + body)


class HostileOriginTest(E2ETestCase):
    def start_raw(self, script, **sections):
        origin = RawOrigin(script)
        self.addCleanup(origin.stop)
        sections.setdefault("server", {})
        sections["server"] = dict({"workers": 1, "upstream_timeout": "5s"}, **sections["server"])
        larder = self.start_larder(larder_config(origin.address, **sections))
        return origin, larder

    def fresh_client(self, larder, timeout=10.0):
        c = Client(larder.port, timeout=timeout)
        self.addCleanup(c.close)
        return c

    def assert_only_request_on(self, conn, method, target):
        """`conn` carried exactly one request, `method target`, and was then closed by Larder."""
        self.assertTrue(conn.ended.wait(WAIT), "larder kept the tainted connection open")
        self.assertEqual([(m, t) for m, t, _ in conn.requests], [(method, target)])
        self.assertEqual(bytes(conn.received), conn.requests[0][2])


class StrayBytesTest(HostileOriginTest):
    """A pooled connection with bytes no request asked for is never reused."""

    RULES = [{"name": "cached", "path_prefix": "/cached/", "cache": "60s"}]

    def run_case(self, method, first, stray=POISON, same_segment=False, headers=()):
        """The origin answers the first request (`method /first`) with `first`, plus `stray`
        in the same segment, or after the client has had its answer (the connection idles in
        the pool). Then another client asks for /cached/b, twice."""
        delivered = threading.Event()
        stray_sent = threading.Event()

        def script(conn):
            if conn.index > 0:
                return serve_properly(conn)
            if conn.read_request() is None:
                return
            if same_segment:
                conn.send(first + stray)
            else:
                conn.send(first)
                if not delivered.wait(WAIT):
                    return
                conn.send(stray)
            stray_sent.set()
            conn.drain()

        origin, larder = self.start_raw(script, rules=self.RULES)
        c1 = self.fresh_client(larder)
        c1.send_request(method, "/first", headers)
        r1 = c1.read_response(method)
        delivered.set()
        self.assertTrue(stray_sent.wait(WAIT))

        c2 = self.fresh_client(larder)
        r2 = c2.get("/cached/b")
        self.assertEqual((r2.status, r2.body), (200, b"fresh /cached/b"))
        c3 = self.fresh_client(larder)
        r3 = c3.get("/cached/b")
        self.assertEqual((r3.status, r3.body), (200, b"fresh /cached/b"))
        self.assertEqual(r3.x_cache, "HIT")

        self.assert_only_request_on(origin.connection(0), method, "/first")
        self.assertEqual([(i, t) for i, _, t, _ in origin.all_requests()],
                         [(0, "/first"), (1, "/cached/b")])
        self.assertTrue(larder.running())
        return r1

    def test_full_response_after_204_in_a_later_segment(self):
        r = self.run_case("GET", b"HTTP/1.1 204 No Content\r\n\r\n")
        self.assertEqual(r.status, 204)

    def test_full_response_after_204_in_the_same_segment(self):
        r = self.run_case("GET", b"HTTP/1.1 204 No Content\r\n\r\n", same_segment=True)
        self.assertEqual(r.status, 204)

    def test_body_after_head_answer_in_a_later_segment(self):
        r = self.run_case("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(POISON))
        self.assertEqual((r.status, r.header("Content-Length")), (200, str(len(POISON))))

    def test_body_after_head_answer_in_the_same_segment(self):
        r = self.run_case("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(POISON),
                          same_segment=True)
        self.assertEqual(r.status, 200)

    def test_body_after_304_in_a_later_segment(self):
        r = self.run_case("GET", b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n',
                          headers=[("If-None-Match", '"v1"')])
        self.assertEqual(r.status, 304)

    def test_body_after_304_in_the_same_segment(self):
        r = self.run_case("GET", b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n',
                          headers=[("If-None-Match", '"v1"')], same_segment=True)
        self.assertEqual(r.status, 304)

    def test_bytes_beyond_content_length_in_a_later_segment(self):
        r = self.run_case("GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        self.assertEqual((r.status, r.body), (200, b"hello"))

    def test_bytes_beyond_content_length_in_the_same_segment(self):
        r = self.run_case("GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                          same_segment=True)
        self.assertEqual((r.status, r.body), (200, b"hello"))

    def test_garbage_after_204_does_not_fail_the_next_request(self):
        # Not a response at all: reused, the connection would give the next client a 502.
        r = self.run_case("GET", b"HTTP/1.1 204 No Content\r\n\r\n",
                          stray=b"<html><body>leftover page</body></html>\n")
        self.assertEqual(r.status, 204)


class IdleCloseTest(HostileOriginTest):
    def test_post_after_the_origin_closed_the_idle_connection(self):
        # gunicorn (gthread, --keep-alive 2) closes a keep-alive connection idle for 2 s.
        pooled = threading.Event()
        closed = threading.Event()

        def script(conn):
            if conn.index > 0:
                return serve_properly(conn)
            if conn.read_request() is None:
                return
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nwarm")
            if pooled.wait(WAIT):  # the connection idles in Larder's pool: time out on it
                conn.close()
                closed.set()

        origin, larder = self.start_raw(script)
        c = self.fresh_client(larder)
        self.assertEqual(c.get("/warm").body, b"warm")
        pooled.set()
        self.assertTrue(closed.wait(WAIT))
        r = c.request("POST", "/order", body=b"buy one")
        self.assertEqual((r.status, r.body), (200, b"fresh /order"))
        posts = [(i, raw) for i, m, _, raw in origin.all_requests() if m == "POST"]
        self.assertEqual(len(posts), 1, posts)
        self.assertEqual(posts[0][0], 1)  # on a fresh connection
        self.assertTrue(posts[0][1].endswith(b"\r\n\r\nbuy one"))


class BadStatusTest(HostileOriginTest):
    def run_case(self, first):
        def script(conn):
            if conn.index > 0:
                return serve_properly(conn)
            if conn.read_request() is None:
                return
            conn.send(first)
            conn.drain()

        origin, larder = self.start_raw(script)
        c = self.fresh_client(larder, timeout=5.0)
        r = c.get("/first")
        self.assertEqual(r.status, 502)
        self.assert_only_request_on(origin.connection(0), "GET", "/first")
        r = self.fresh_client(larder).get("/next")
        self.assertEqual((r.status, r.body), (200, b"fresh /next"))
        self.assertEqual([(i, t) for i, _, t, _ in origin.all_requests()],
                         [(0, "/first"), (1, "/next")])

    def test_unsolicited_101_is_502_and_closes(self):
        self.run_case(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\n\r\n")

    def test_unsolicited_101_followed_by_a_response_is_502(self):
        self.run_case(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n" + POISON)

    def test_status_below_100_is_502(self):
        self.run_case(b"HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\nhi")

    def test_status_above_599_is_502(self):
        self.run_case(b"HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\nhi")


class InterimResponsesTest(HostileOriginTest):
    RULES = [{"name": "cached", "path_prefix": "/cached/", "cache": "60s"}]
    EARLY_HINTS = (b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n"
                   b"Connection: X-Hop\r\nX-Hop: 1\r\n\r\n")

    def test_interim_responses_are_relayed_as_they_arrive_and_never_stored(self):
        hints_seen = threading.Event()

        def script(conn):
            while True:
                req = conn.read_request()
                if req is None:
                    return
                if req[1] == "/cached/page":
                    conn.send(self.EARLY_HINTS)
                    hints_seen.wait(WAIT)  # the client has the 103 before the final answer
                    conn.send(b"HTTP/1.1 102 Processing\r\n\r\n")
                elif req[1] == "/cached/flood":
                    conn.send(b"HTTP/1.1 102 Processing\r\n\r\n" * 20)
                else:
                    conn.send(self.EARLY_HINTS)
                body = b"final " + req[1].encode()
                conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

        origin, larder = self.start_raw(script, rules=self.RULES,
                                        server={"debug_headers": True})
        c = self.fresh_client(larder)
        c.send_request("GET", "/cached/page")
        hints = c.read_response(interim=True)
        self.assertEqual(hints.status, 103)
        self.assertEqual(hints.header("Link"), "</app.css>; rel=preload")
        self.assertIsNone(hints.header("X-Hop"))  # named by its Connection: hop-by-hop
        hints_seen.set()
        self.assertEqual(c.read_response(interim=True).status, 102)
        final = c.read_response()
        self.assertEqual((final.status, final.body), (200, b"final /cached/page"))
        self.assertIsNone(final.header("Link"))
        c.send_request("GET", "/cached/page")
        hit = c.read_response(interim=True)  # no interim response before a hit
        self.assertEqual((hit.status, hit.x_cache), (200, "HIT"))
        self.assertIsNone(hit.header("Link"))
        # HTTP/1.0 clients cannot read a 1xx: they get the final answer only.
        old = self.fresh_client(larder)
        old.send_request("GET", "/cached/old", version="HTTP/1.0")
        r = old.read_response(interim=True)
        self.assertEqual((r.status, r.body), (200, b"final /cached/old"))
        # A flood of interim responses is cut at 8 per request.
        f = self.fresh_client(larder)
        f.send_request("GET", "/cached/flood")
        statuses = []
        while True:
            r = f.read_response(interim=True)
            statuses.append(r.status)
            if r.status >= 200:
                break
        self.assertEqual(statuses, [102] * 8 + [200])
        self.assertEqual([t for _, _, t, _ in origin.all_requests()],
                         ["/cached/page", "/cached/old", "/cached/flood"])


def wait_read_by_peer(conn, timeout=WAIT):
    """Blocks until Larder has read every byte `conn` sent (our send queue is acknowledged and
    Larder's receive queue is empty), so the next send lands in a read of its own."""
    ours = conn.sock.getsockname()[1]
    theirs = conn.sock.getpeername()[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        a, b = _tcp_queues(ours, theirs), _tcp_queues(theirs, ours)
        if a is not None and b is not None and a[0] == 0 and b[1] == 0:
            return True
        time.sleep(0.002)  # polling a kernel counter, not waiting for an event to happen
    return False


class SplitFramingTest(HostileOriginTest):
    def test_empty_chunked_body_in_reads_of_its_own(self):
        pieces = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nCache-Control: no-store\r\n"
                  b"\r\n0\r\n", b"\r", b"\n"]
        all_read = threading.Event()

        def script(conn):
            if conn.index > 0:
                return serve_properly(conn)
            if conn.read_request() is None:
                return
            for piece in pieces:
                conn.send(piece)
                if not wait_read_by_peer(conn):
                    return
            all_read.set()
            serve_properly(conn)

        origin, larder = self.start_raw(script)
        r = self.fresh_client(larder).get("/empty")
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertTrue(all_read.wait(WAIT), "the pieces did not arrive one read each")
        self.assertTrue(larder.running(), "larder exited with %s" % larder.proc.poll())
        r = self.fresh_client(larder).get("/next")
        self.assertEqual(r.status, 200)


if __name__ == "__main__":
    unittest.main()
