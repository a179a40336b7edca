"""Request bodies (issue "Hardening", item 9): memory stays bounded however many clients hold
unfinished uploads; bodies past [server] body_buffer_size are spooled to unlinked files in
body_temp_dir, reach the origin byte-exact, and every way out of a request closes its file.

What Larder holds is read from /proc: VmRSS from /proc/PID/status, and its open descriptors from
/proc/PID/fd. A spool file shows there as a link into body_temp_dir ending in "(deleted)", and
os.stat() on the link gives its size, so "every byte of the unfinished bodies is on disk" is a
condition the test polls (bounded), not a sleep. Upstream connections are not pooled here
(max_idle_per_server = 0), so after each case Larder must hold no spool file and no connection
socket at all (its sockets that are not listeners, told apart through /proc/net/tcp).

Covers:
- a 20 MiB POST (Content-Length) and a 6 MiB chunked POST reach the origin byte-exact (SHA-256
  computed at the origin), with the Content-Length of the de-chunked body;
- 40 connections each holding an unfinished 8 MiB body: RSS grows by less than RSS_BOUND (docs/
  operations.md), every body is in a spool file, the spool directory has no names in it, and
  when the clients go away every spool descriptor closes;
- a client that disconnects mid-body, a 413 in the middle of a chunked body, a 408 body
  timeout, an origin that resets, an origin 500: no descriptor and no file left behind;
- 413 comes early: at the header for a Content-Length over max_body_size, at the chunk-size
  line for chunked, before the client sent the body;
- an idempotent PUT whose reused upstream connection drops before any answer is re-sent whole
  from its spool file on a fresh connection;
- a body_temp_dir that cannot hold files stops start-up with a message naming it.
"""
import hashlib
import os
import shutil
import tempfile
import threading
import time
import unittest

from harness.base import E2ETestCase
from harness.client import Client, build_request
from harness.daemon import Larder, StartError, larder_config
from harness.origin import Reply

MiB = 1024 * 1024
WAIT = 20.0          # bound on every poll: a broken build fails instead of hanging
RSS_BOUND = 40 * MiB  # docs/operations.md: 40 unfinished 8 MiB bodies stay under this


def pattern(n, seed=1):
    """n pseudo-random bytes (fast: a repeated 64 KiB block, shifted by the seed)."""
    block = hashlib.sha256(b"seed%d" % seed).digest() * 2048
    whole = (block * (n // len(block) + 1))[:n]
    return whole


def digest_reply(req):
    return Reply(200, hashlib.sha256(req.body).hexdigest(), [("Content-Type", "text/plain")])


def vm_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for %d" % pid)


def open_fds(pid):
    """{fd: link target} of the process."""
    out = {}
    base = "/proc/%d/fd" % pid
    for name in os.listdir(base):
        try:
            out[name] = os.readlink(os.path.join(base, name))
        except OSError:
            pass  # closed meanwhile
    return out


def listening_inodes():
    """Socket inodes in the LISTEN state (st 0A in /proc/net/tcp and tcp6)."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":
                        out.add(fields[9])
        except OSError:
            pass
    return out


def connection_fds(pid):
    """Larder's descriptors that are sockets but not listeners: client and upstream connections."""
    listening = listening_inodes()
    return [t for t in open_fds(pid).values()
            if t.startswith("socket:[") and t[len("socket:["):-1] not in listening]


class RequestBodyTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.spool_dir = tempfile.mkdtemp(prefix="larder-spool-")
        self.addCleanup(shutil.rmtree, self.spool_dir, True)

    def start(self, **server):
        settings = {"max_body_size": "32MiB", "body_buffer_size": "64KiB",
                    "body_temp_dir": self.spool_dir, "client_body_timeout": "30s",
                    "workers": 2}
        settings.update(server)
        return self.start_larder(server=settings, upstream={"max_idle_per_server": 0})

    # -- what Larder holds -----------------------------------------------------------------
    def spool_fds(self, daemon):
        """{fd: size} of Larder's open spool files."""
        out = {}
        for fd, target in open_fds(daemon.pid).items():
            if target.startswith(self.spool_dir + "/"):
                self.assertTrue(target.endswith("(deleted)"), target)
                try:
                    out[fd] = os.stat("/proc/%d/fd/%s" % (daemon.pid, fd)).st_size
                except OSError:
                    pass
        return out

    def wait_until(self, predicate, what):
        deadline = time.monotonic() + WAIT
        while not predicate():
            if time.monotonic() > deadline:
                self.fail("not within %.0f s: %s" % (WAIT, what))
            time.sleep(0.02)

    def assert_nothing_left(self, daemon):
        """No spool descriptor, no file in the spool directory, no client or upstream connection
        (every client is gone, nothing is pooled): sessions close after answering, so polled."""
        self.wait_until(lambda: not self.spool_fds(daemon), "every spool file closed")
        self.wait_until(lambda: not connection_fds(daemon.pid),
                        "every connection closed (%r)" % connection_fds(daemon.pid))
        self.assertEqual(os.listdir(self.spool_dir), [])

    def warm_up(self, daemon):
        """One request through the whole path; then Larder holds no connection."""
        with Client(daemon.port) as c:
            self.assertEqual(c.get("/warm", [("Connection", "close")]).status, 200)
        self.wait_until(lambda: not connection_fds(daemon.pid), "the warm-up connection closed")

    # -- bodies reach the origin -----------------------------------------------------------
    def test_20_mib_post_reaches_the_origin_byte_exact(self):
        self.origin.route("/upload", digest_reply, method="POST")
        d = self.start()
        self.warm_up(d)
        body = pattern(20 * MiB, seed=2)
        with Client(d.port, timeout=WAIT) as c:
            r = c.request("POST", "/upload", [("Content-Type", "application/octet-stream")], body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body.decode(), hashlib.sha256(body).hexdigest())
        got = self.origin.last("/upload")
        self.assertEqual(got.header("Content-Length"), str(len(body)))
        self.assertEqual(self.origin.count("/upload"), 1)
        self.assert_nothing_left(d)

    def test_chunked_post_is_forwarded_dechunked_and_byte_exact(self):
        self.origin.route("/upload", digest_reply, method="POST")
        d = self.start()
        body = pattern(6 * MiB + 12345, seed=3)
        pieces = [body[i:i + 300000] for i in range(0, len(body), 300000)]
        raw = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        with Client(d.port, timeout=WAIT) as c:
            r = c.request("POST", "/upload", [("Transfer-Encoding", "chunked")], raw)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body.decode(), hashlib.sha256(body).hexdigest())
        got = self.origin.last("/upload")
        self.assertEqual(got.header("Content-Length"), str(len(body)))
        self.assertIsNone(got.header("Transfer-Encoding"))

    def test_small_body_is_not_spooled(self):
        arrived = threading.Event()
        release = threading.Event()
        self.origin.route("/form", Reply(200, "ok", arrived=arrived, hold=release))
        d = self.start()
        with Client(d.port, timeout=WAIT) as c:
            c.send_request("POST", "/form", body=b"a=1&b=2" * 1000)  # 7 KB: below 64 KiB
            self.assertTrue(arrived.wait(WAIT))
            self.assertEqual(self.spool_fds(d), {}, "a small body stays in memory")
            release.set()
            self.assertEqual(c.read_response("POST").status, 200)
        self.assertEqual(self.origin.last("/form").body, b"a=1&b=2" * 1000)

    # -- memory under unfinished bodies ----------------------------------------------------
    def test_forty_unfinished_8_mib_bodies_keep_rss_bounded(self):
        d = self.start()
        self.warm_up(d)
        baseline_rss = vm_rss(d.pid)
        n, size = 40, 8 * MiB
        sent = size - 1  # every body but its last byte
        chunk = pattern(MiB, seed=4)
        clients = []
        for _ in range(n):
            c = Client(d.port, timeout=WAIT)
            self.addCleanup(c.close)
            c.send(build_request("POST", "/held", [("Content-Length", str(size))]))
            clients.append(c)
        for c in clients:
            for i in range(8):
                c.send(chunk if i < 7 else chunk[:-1])
        self.wait_until(lambda: sorted(self.spool_fds(d).values()) == [sent] * n,
                        "all %d bodies on disk (%r)" % (n, sorted(self.spool_fds(d).values())))
        grown = vm_rss(d.pid) - baseline_rss
        self.assertLess(grown, RSS_BOUND,
                        "RSS grew by %.1f MiB for %d unfinished bodies" % (grown / MiB, n))
        self.assertEqual(os.listdir(self.spool_dir), [], "spool files have no names")
        self.assertEqual(self.origin.count("/held"), 0, "an unfinished body is not forwarded")
        for c in clients:
            c.close()
        self.assert_nothing_left(d)

    # -- every way out closes the spool file -----------------------------------------------
    def test_client_gone_mid_body_leaves_nothing(self):
        d = self.start()
        self.warm_up(d)
        c = Client(d.port, timeout=WAIT)
        c.send(build_request("POST", "/gone", [("Content-Length", str(4 * MiB))]))
        c.send(pattern(MiB))
        self.wait_until(lambda: list(self.spool_fds(d).values()) == [MiB], "the body spooled")
        c.close()
        self.assert_nothing_left(d)
        self.assertEqual(self.origin.count("/gone"), 0)
        self.assert_serves(d)

    def test_413_mid_chunked_body_leaves_nothing(self):
        d = self.start(max_body_size="1MiB")
        self.warm_up(d)
        with Client(d.port, timeout=WAIT) as c:
            c.send(build_request("POST", "/big", [("Transfer-Encoding", "chunked")]))
            piece = pattern(200 * 1024)
            for _ in range(5):  # 1,000 KiB: spooled, under the limit
                c.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wait_until(lambda: list(self.spool_fds(d).values()) == [5 * len(piece)],
                            "the body spooled")
            c.send(b"%x\r\n" % len(piece))  # this chunk would pass 1 MiB
            r = c.read_response("POST")
            self.assertEqual(r.status, 413)
            self.assertTrue(c.wait_closed(WAIT))
        self.assert_nothing_left(d)
        self.assertEqual(self.origin.count("/big"), 0)

    def test_body_timeout_leaves_nothing(self):
        d = self.start(client_body_timeout="1s")
        self.warm_up(d)
        with Client(d.port, timeout=WAIT) as c:
            c.send(build_request("POST", "/slow", [("Content-Length", str(2 * MiB))]))
            c.send(pattern(MiB))
            r = c.read_response("POST")  # the timeout answers; no clock in the test
            self.assertEqual(r.status, 408)
        self.assert_nothing_left(d)

    def test_origin_reset_and_origin_500_leave_nothing(self):
        self.origin.route("/reset", Reply(action="reset"))
        self.origin.route("/fail", Reply(500, "broken"))
        d = self.start()
        self.warm_up(d)
        body = pattern(3 * MiB, seed=5)
        with Client(d.port, timeout=WAIT) as c:
            self.assertEqual(c.request("POST", "/reset", body=body).status, 502)
            self.assertEqual(c.request("POST", "/fail", body=body).status, 500)
        self.assertEqual(self.origin.last("/fail").body, body)
        self.assert_nothing_left(d)

    # -- 413 early --------------------------------------------------------------------------
    def test_413_before_the_body_for_content_length_and_chunked(self):
        d = self.start(max_body_size="1MiB")
        with Client(d.port, timeout=WAIT) as c:
            c.send(build_request("POST", "/cl", [("Content-Length", str(MiB + 1))]))
            r = c.read_response("POST")  # not one body byte sent
            self.assertEqual(r.status, 413)
            self.assertTrue(c.wait_closed(WAIT))
        with Client(d.port, timeout=WAIT) as c:
            c.send(build_request("POST", "/ch", [("Transfer-Encoding", "chunked")]))
            c.send(b"%x\r\n" % (MiB + 1))  # the size line alone
            r = c.read_response("POST")
            self.assertEqual(r.status, 413)
            self.assertTrue(c.wait_closed(WAIT))
        self.assertEqual(self.origin.count(), 0)

    # -- a retry re-reads the spool file ----------------------------------------------------
    def test_put_resent_whole_after_its_pooled_connection_drops(self):
        attempts = []

        def put(req):
            attempts.append(req)
            if len(attempts) == 1:  # read the whole request, then drop it unanswered
                return Reply(action="close")
            return digest_reply(req)

        self.origin.route("/doc", put, method="PUT")
        d = self.start_larder(server={"max_body_size": "32MiB", "body_temp_dir": self.spool_dir,
                                      "workers": 1})
        body = pattern(5 * MiB, seed=6)
        with Client(d.port, timeout=WAIT) as c:
            self.assertEqual(c.get("/warm").status, 200)  # leaves a pooled connection
            r = c.request("PUT", "/doc", body=body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body.decode(), hashlib.sha256(body).hexdigest())
        self.assertEqual(len(attempts), 2)
        self.assertEqual(attempts[0].conn_id, 0, "the first try went on the pooled connection")
        self.assertNotEqual(attempts[1].conn_id, 0, "the retry on a fresh one")
        for a in attempts:
            self.assertEqual(hashlib.sha256(a.body).hexdigest(), r.body.decode())


class SpoolDirectoryStartupTest(unittest.TestCase):
    def test_unusable_body_temp_dir_stops_startup(self):
        missing = os.path.join(tempfile.gettempdir(), "larder-no-such-dir-%d" % os.getpid())
        config = larder_config("127.0.0.1:9", server={"body_temp_dir": missing})
        daemon = Larder(config, start=False)
        self.addCleanup(daemon.close)
        with self.assertRaises(StartError) as e:
            daemon.start()
        self.assertIn("body_temp_dir", str(e.exception))
        self.assertIn(missing, str(e.exception))


if __name__ == "__main__":
    unittest.main()
