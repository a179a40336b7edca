"""Clients that send what they must not (issue "Hardening"): exact bytes in, exact bytes out.

Every test sends raw bytes and checks what the scripted origin received (request line, every
header field in order, body: `forwarded()` rebuilds the head Larder wrote from the origin's
record) and what the client got back. When a test needs Larder to have read some bytes before
the next ones are sent (a trailer split across two reads), it waits on the kernel, not on a
clock: `wait_read_by_larder()` polls /proc/net/tcp until every byte the client sent is
acknowledged and Larder's socket has none left unread, so the next send lands in a later read.

Covers:
1. Trailer fields of a chunked request never become header fields, however the reads fall (a
   4,100-byte header makes Larder's read buffer grow while the trailers arrive): the origin gets
   one Host, no trailer field, the de-chunked body with its Content-Length. A trailer split
   across two reads parses (200, not 400).
2. Host must be uri-host [ ":" port ]: `example.com/project` (a key another path owns), '?', '#',
   userinfo, spaces, a bad port: 400, nothing reaches the origin. The request-target: TAB, form
   feed, '#', userinfo in an absolute-form authority, '*' for anything but OPTIONS: 400.
3. `Connection: Host` (and `Connection: Content-Length`) cannot remove Host or framing.
4. A chunked HTTP/1.0 request is answered with `Connection: close` and the connection closes;
   HTTP/2.0 gets 505; an HTTP/0.9 request line 400; HTTP/1.2 is served as HTTP/1.1; a chunk
   size over max_body_size gets 413 at once; `Transfer_Encoding` / `Content_Length` get 400;
   `X_Forwarded_For` never reaches the origin beside Larder's X-Forwarded-For.
5. A request with `Connection: Upgrade` / `Upgrade: websocket` is answered without switching
   protocols (the origin sees neither field) and the request pipelined after it is answered too.
"""
import socket
import time
import unittest

from harness.base import E2ETestCase
from harness.origin import Reply

LIMITS = {"max_header_size": "16KiB", "max_body_size": "64KiB", "client_body_timeout": "30s",
          "keepalive_timeout": "30s", "debug_headers": True, "workers": 1}
WAIT = 10.0  # bound on every wait: a broken build fails instead of hanging
PAD = "p" * 4100
FWD = [("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-Proto", "http"), ("Via", "1.1 larder")]


def forwarded(req):
    """The head Larder sent the origin, rebuilt from the origin's record (Larder writes every
    field as `Name: value`), without the X-Request-Id Larder adds: exactly one, checked here
    (test_access_log tests the id itself)."""
    ids = req.headers.get_all("X-Request-Id")
    if len(ids) != 1:
        raise AssertionError("expected one X-Request-Id in %r" % (req.headers.items,))
    lines = ["%s %s %s" % (req.method, req.target, req.version)]
    lines += ["%s: %s" % (n, v) for n, v in req.headers.items if n != "X-Request-Id"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def expected_head(request_line, fields):
    return ("\r\n".join([request_line] + ["%s: %s" % f for f in fields]) + "\r\n\r\n").encode(
        "latin-1")


def _tcp_queues(local_port, remote_port):
    """(tx_queue, rx_queue) of the IPv4 socket 127.0.0.1:local_port <-> 127.0.0.1:remote_port."""
    want_local = "0100007F:%04X" % local_port
    want_remote = "0100007F:%04X" % remote_port
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[1] == want_local and fields[2] == want_remote:
                tx, rx = fields[4].split(":")
                return int(tx, 16), int(rx, 16)
    return None


def wait_read_by_larder(client, larder_port, timeout=WAIT):
    """Blocks until every byte `client` sent has been read by Larder out of its socket (our send
    queue is acknowledged and Larder's receive queue is empty). Returns whether it was."""
    client_port = client.sock.getsockname()[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ours = _tcp_queues(client_port, larder_port)
        theirs = _tcp_queues(larder_port, client_port)
        if ours is not None and theirs is not None and ours[0] == 0 and theirs[1] == 0:
            return True
        time.sleep(0.002)  # polling a kernel counter, not waiting for an event to happen
    return False


class HostileClientTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.larder = self.start_larder(
            server=LIMITS, rules=[{"name": "pages", "path": ["/about", "/p/*"], "cache": "60s"}])

    def refused(self, data, status, reason):
        """`data` on a fresh connection: `status` with `reason`, the connection closes, nothing
        reaches the origin, and the daemon still serves."""
        before = len(self.origin.requests)
        c = self.client(self.larder)
        c.send(data)
        r = c.read_response(timeout=WAIT)
        self.assertEqual((r.status, r.header("X-Cache-Reason")), (status, reason),
                         "%r -> %r %r" % (data[:120], r, r.body))
        self.assertEqual(r.header("Connection"), "close")
        self.assertTrue(c.wait_closed(WAIT), "connection not closed after %d" % status)
        self.assertEqual(self.origin.requests[before:], [], "it reached the origin")
        self.assert_serves(self.larder)
        return r

    # -- 1. trailer fields ---------------------------------------------------------------------
    def test_trailer_fields_never_become_header_fields(self):
        c = self.client(self.larder)
        # One send (one read: Larder's 8 KiB buffer has room), then the end of the trailer
        # section in a read of its own, for which the buffer must grow (less than 4 KiB free).
        c.send("GET /about?pad=1 HTTP/1.1\r\nHost: localhost\r\nX-Pad: %s\r\n"
               "Transfer-Encoding: chunked\r\n\r\n"
               "1\r\nx\r\n0\r\nHost: evil.example\r\nX-Injected: yes\r\n" % PAD)
        self.assertTrue(wait_read_by_larder(c, self.larder.port))
        c.send(b"\r\n")
        r = c.read_response(timeout=WAIT)
        self.assertEqual((r.status, r.body), (200, b"origin GET /about?pad=1"), r)
        self.assertIsNone(r.header("Connection"))
        [req] = self.origin.requests
        self.assertEqual(forwarded(req), expected_head(
            "GET /about?pad=1 HTTP/1.1",
            [("Host", "localhost"), ("X-Pad", PAD)] + FWD + [("Content-Length", "1")]))
        self.assertEqual(req.body, b"x")
        # The connection is still in step: the next request is its own.
        self.assertEqual(c.get("/next").body, b"origin GET /next")
        self.assertEqual(self.origin.last("/next").header("Host"), "localhost")

    def test_a_trailer_split_across_reads_parses(self):
        for pad in ("", PAD):  # with PAD, the buffer also grows while the trailer arrives
            with self.subTest(pad=len(pad)):
                c = self.client(self.larder)
                head = "POST /form HTTP/1.1\r\nHost: localhost\r\n"
                if pad:
                    head += "X-Pad: %s\r\n" % pad
                c.send(head + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Tr")
                self.assertTrue(wait_read_by_larder(c, self.larder.port))
                c.send(b"ailer: 1\r\n\r\n")
                r = c.read_response("POST", timeout=WAIT)
                self.assertEqual((r.status, r.body), (200, b"origin POST /form"), r)
                req = self.origin.last("/form")
                fields = [("Host", "localhost")] + ([("X-Pad", pad)] if pad else [])
                self.assertEqual(forwarded(req), expected_head(
                    "POST /form HTTP/1.1", fields + FWD + [("Content-Length", "3")]))
                self.assertEqual(req.body, b"abc")

    # -- 2. Host and request-target ---------------------------------------------------------------
    def test_host_with_a_path_is_400(self):
        self.refused(b"GET /about HTTP/1.1\r\nHost: example.com/project\r\n\r\n", 400,
                     "invalid_host")

    def test_invalid_host_values_are_400(self):
        for host in (b"example.com/", b"example.com?x=1", b"example.com#f", b"user@example.com",
                     b"exa mple.com", b"example.com:8o", b":80", b"[::1"):
            with self.subTest(host=host):
                self.refused(b"GET /p/1 HTTP/1.1\r\nHost: " + host + b"\r\n\r\n", 400,
                             "invalid_host")

    def test_invalid_request_targets_are_400(self):
        for target in (b"/p/a\tb", b"/p/a\x0cb", b"/p/a#frag", b"http://user@localhost/p/1",
                       b"http://user:pw@localhost/p/1", b"*", b"ftp://localhost/p/1"):
            with self.subTest(target=target):
                self.refused(b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 400,
                             "invalid_request_target")

    def test_options_asterisk_and_at_in_a_path_are_forwarded(self):
        c = self.client(self.larder)
        c.send(b"OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\nGET /u/@me?to=a@b HTTP/1.1\r\n"
               b"Host: localhost\r\n\r\n")
        r1, r2 = c.read_responses(["OPTIONS", "GET"])
        self.assertEqual((r1.status, r2.status), (200, 200))
        self.assertEqual([forwarded(q) for q in self.origin.requests], [
            expected_head("OPTIONS * HTTP/1.1",
                          [("Host", "localhost")] + FWD + [("Content-Length", "0")]),
            expected_head("GET /u/@me?to=a@b HTTP/1.1", [("Host", "localhost")] + FWD)])

    # -- 3. Connection cannot remove Host or framing ------------------------------------------
    def test_connection_cannot_remove_host_or_framing(self):
        c = self.client(self.larder)
        c.send(b"GET /conn HTTP/1.1\r\nHost: tenant.example\r\nConnection: Host\r\n\r\n"
               b"POST /conn-post HTTP/1.1\r\nHost: tenant.example\r\n"
               b"Connection: Content-Length, Transfer-Encoding\r\nContent-Length: 5\r\n\r\nhello")
        r1, r2 = c.read_responses(["GET", "POST"])
        self.assertEqual((r1.status, r2.status), (200, 200))
        get, post = self.origin.requests
        self.assertEqual(forwarded(get), expected_head(
            "GET /conn HTTP/1.1", [("Host", "tenant.example")] + FWD))
        self.assertEqual(forwarded(post), expected_head(
            "POST /conn-post HTTP/1.1",
            [("Host", "tenant.example")] + FWD + [("Content-Length", "5")]))
        self.assertEqual(post.body, b"hello")

    # -- 4. versions, HTTP/1.0 framing, chunk sizes, '_' framing names --------------------------
    def test_chunked_http10_request_closes_the_connection(self):
        c = self.client(self.larder)
        c.send(b"POST /c10 HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
               b"\r\n3\r\nabc\r\n0\r\n\r\nGET /after HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        r = c.read_response("POST", timeout=WAIT)
        self.assertEqual((r.status, r.body), (200, b"origin POST /c10"), r)
        self.assertEqual(r.header("Connection"), "close")
        self.assertTrue(c.wait_closed(WAIT), "kept open after a chunked HTTP/1.0 request")
        [req] = self.origin.requests
        self.assertEqual(forwarded(req), expected_head(
            "POST /c10 HTTP/1.1", FWD + [("Content-Length", "3")]))
        self.assertEqual(req.body, b"abc")

    def test_http2_request_line_is_505(self):
        self.refused(b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n", 505,
                     "http_version_not_supported")

    def test_http2_preface_is_505(self):
        self.refused(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "http_version_not_supported")

    def test_http09_request_line_is_400(self):
        self.refused(b"GET /\r\n\r\n", 400, "malformed_request")

    def test_http12_is_served_as_http11(self):
        c = self.client(self.larder)
        c.send(b"GET /v12 HTTP/1.2\r\nHost: localhost\r\n\r\n")
        r = c.read_response(timeout=WAIT)
        self.assertEqual((r.version, r.status, r.body), ("HTTP/1.1", 200, b"origin GET /v12"))
        self.assertIsNone(r.header("Connection"))  # persistent, as in HTTP/1.1
        [req] = self.origin.requests
        self.assertEqual(forwarded(req), expected_head(
            "GET /v12 HTTP/1.1", [("Host", "localhost")] + FWD))
        self.assertEqual(c.get("/v12-again").status, 200)

    def test_chunk_size_over_max_body_size_is_413_at_once(self):
        c = self.client(self.larder)
        # 16 MiB announced, not one byte of it sent: the answer cannot wait for the body
        # timeout (30 s here; the read gives up after 10).
        c.send(b"POST /big HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"1000000\r\n")
        r = c.read_response("POST", timeout=WAIT)
        self.assertEqual((r.status, r.header("X-Cache-Reason")), (413, "body_too_large"))
        self.assertTrue(c.wait_closed(WAIT))
        self.assertEqual(self.origin.requests, [])

    def test_chunk_data_not_followed_by_crlf_is_400(self):
        # llhttp skips any two bytes there; a front proxy reading them as data frames the body
        # differently (request smuggling), so Larder refuses and closes.
        self.refused(b"POST /c HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"3\r\nabcXX0\r\n\r\n", 400, "invalid_chunk")

    def test_underscore_framing_fields_are_400(self):
        for field in (b"Transfer_Encoding: chunked", b"content_length: 0"):
            with self.subTest(field=field):
                self.refused(b"POST /u HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n" +
                             field + b"\r\n\r\nhello", 400, "invalid_header")

    def test_underscore_forwarding_fields_never_reach_the_origin(self):
        c = self.client(self.larder)
        r = c.get("/xff", [("X_Forwarded_For", "6.6.6.6"), ("X_Forwarded_Proto", "https"),
                           ("X_App", "kept")])
        self.assertEqual(r.status, 200)
        [req] = self.origin.requests
        self.assertEqual(forwarded(req), expected_head(
            "GET /xff HTTP/1.1", [("Host", "localhost"), ("X_App", "kept")] + FWD))

    # -- 5. Upgrade ----------------------------------------------------------------------------
    def test_request_after_an_upgrade_request_is_answered(self):
        c = self.client(self.larder)
        c.send(b"GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
               b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n"
               b"GET /second HTTP/1.1\r\nHost: localhost\r\n\r\n")
        r1 = c.read_response(timeout=WAIT)
        r2 = c.read_response(timeout=WAIT)  # before the fix: nothing until the idle timeout
        self.assertEqual([(r.status, r.body) for r in (r1, r2)],
                         [(200, b"origin GET /a"), (200, b"origin GET /second")])
        self.assertEqual([r.header("Connection") for r in (r1, r2)], [None, None])
        self.assertIsNone(r1.header("Upgrade"))
        first, second = self.origin.requests
        self.assertEqual(forwarded(first), expected_head(
            "GET /a HTTP/1.1",
            [("Host", "localhost"), ("Sec-WebSocket-Version", "13")] + FWD))
        self.assertEqual(forwarded(second), expected_head(
            "GET /second HTTP/1.1", [("Host", "localhost")] + FWD))
        # And a request sent only after the first answers is served on the same connection.
        self.assertEqual(c.get("/third").body, b"origin GET /third")

    def test_upgrade_request_with_a_body_then_another(self):
        c = self.client(self.larder)
        c.send(b"POST /h2c HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
               b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
               b"Content-Length: 4\r\n\r\nbodyGET /after-h2c HTTP/1.1\r\nHost: localhost\r\n\r\n")
        r1 = c.read_response("POST", timeout=WAIT)
        r2 = c.read_response(timeout=WAIT)
        self.assertEqual([(r.status, r.body) for r in (r1, r2)],
                         [(200, b"origin POST /h2c"), (200, b"origin GET /after-h2c")])
        first, second = self.origin.requests
        self.assertEqual(forwarded(first), expected_head(
            "POST /h2c HTTP/1.1", [("Host", "localhost")] + FWD + [("Content-Length", "4")]))
        self.assertEqual(first.body, b"body")
        self.assertEqual(second.target, "/after-h2c")


if __name__ == "__main__":
    unittest.main()
