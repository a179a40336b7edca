"""The upstream pool: load balancing, health checks, retries and connection limits.

Covers: weights 3:1 give a 3:1 split (within 5%); two origins, one killed mid-run: no request
fails (connect failures go to the other server) and the checker takes it down after `fall`
probes; brought back, it gets traffic again, ramped by slow start; least_conn sends new requests
away from a server holding slow ones; max_connections = 2 with 10 concurrent slow requests: the
origin never works on more than 2 at once and all succeed; a full queue or queue_timeout gives
503; every server down gives 503 at once; a client reading 100 bytes/s does not hold the
upstream connection: while it reads, the same connection serves the next request.
"""
import socket
import threading
import time
import unittest

from harness.base import E2ETestCase
from harness.client import Client
from harness.daemon import larder_config
from harness.flask_app import free_port
from harness.origin import Origin, Reply

# Fast probes so health changes show within a second or two.
FAST_HEALTH = {"path": "/health", "interval": "100ms", "timeout": "100ms", "rise": 2, "fall": 2}


def servers_config(origins, upstream=None, server=None, per_server=None):
    cfg = larder_config(origins, server=server, upstream=upstream)
    for entry, extra in zip(cfg["upstream"]["servers"], per_server or []):
        entry.update(extra)
    return cfg


class PoolTestCase(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.other = Origin()
        self.addCleanup(lambda: self.other.stop())

    def count_pages(self, origin, prefix="/p/"):
        return sum(1 for r in origin.requests if r.path.startswith(prefix))


class WeightTest(PoolTestCase):
    def test_weights_three_to_one_split_three_to_one(self):
        cfg = servers_config([self.origin, self.other], per_server=[{"weight": 3}, {"weight": 1}])
        larder = self.start_larder(cfg)
        clients = [self.client(larder) for _ in range(4)]
        for i in range(800):
            r = clients[i % 4].get("/p/%d" % i)
            self.assertEqual(r.status, 200)
        a, b = self.count_pages(self.origin), self.count_pages(self.other)
        self.assertEqual(a + b, 800)
        ratio = a / b
        print("\n  weight 3:1 -> %d:%d = %.3f" % (a, b, ratio))
        self.assertAlmostEqual(ratio, 3.0, delta=0.15)  # within 5%


class FailoverTest(PoolTestCase):
    def test_kill_one_no_request_fails_and_it_comes_back_ramped(self):
        upstream = {"health": dict(FAST_HEALTH), "slow_start": "3s"}
        larder = self.start_larder(servers_config([self.origin, self.other], upstream=upstream))
        c = self.client(larder)
        for i in range(40):
            self.assertEqual(c.get("/p/warm%d" % i).status, 200)
        self.assertGreater(self.count_pages(self.other), 0)

        # Kill the second origin while requests keep coming: none of them may fail.
        port = self.other.port
        failures = []
        stop = threading.Event()

        def load():
            with Client(larder.port) as lc:
                i = 0
                while not stop.is_set() and i < 5000:
                    r = lc.get("/p/during%d" % i)
                    if r.status != 200:
                        failures.append(r.status)
                    i += 1
        t = threading.Thread(target=load)
        t.start()
        self.assertTrue(self.origin.wait_for(lambda o: self.count_pages(o, "/p/during") >= 20))
        self.other.stop()
        self.assertTrue(larder.wait_for_stderr("upstream 127.0.0.1:%d is down" % port, timeout=5),
                        larder.stderr_text())
        served_after_down = self.count_pages(self.origin, "/p/during")
        self.assertTrue(self.origin.wait_for(
            lambda o: self.count_pages(o, "/p/during") >= served_after_down + 50))
        stop.set()
        t.join(10)
        self.assertEqual(failures, [])

        # Bring it back on the same port: the checker sees it up after `rise` probes.
        self.other = Origin(port=port)
        self.addCleanup(self.other.stop)
        self.assertTrue(larder.wait_for_stderr("upstream 127.0.0.1:%d is up" % port, timeout=5),
                        larder.stderr_text())
        # Right after it came up its share is small (slow start), then grows to half.
        first = self.share_of_next(c, 100, "early")
        shares = [first]
        deadline = time.monotonic() + 10
        while shares[-1] < 0.48 and time.monotonic() < deadline:
            shares.append(self.share_of_next(c, 100, "late%d" % len(shares)))
        later = shares[-1]
        print("\n  returning server's share per 100 requests: %s"
              % " ".join("%.2f" % x for x in shares))
        self.assertGreaterEqual(later, 0.48)
        self.assertLess(first, 0.35)
        self.assertLess(first, later)

    def share_of_next(self, client, n, tag):
        before = self.count_pages(self.other)
        for i in range(n):
            self.assertEqual(client.get("/p/%s%d" % (tag, i)).status, 200)
        return (self.count_pages(self.other) - before) / n

    def test_every_server_down_gives_503_at_once(self):
        dead = ["127.0.0.1:%d" % free_port(), "127.0.0.1:%d" % free_port()]
        larder = self.start_larder(servers_config(dead, upstream={"health": dict(FAST_HEALTH)}))
        for address in dead:
            self.assertTrue(larder.wait_for_stderr("upstream %s is down" % address, timeout=5))
        c = self.client(larder)
        started = time.monotonic()
        r = c.get("/anything")
        self.assertEqual(r.status, 503)
        self.assertIn(b"upstream_no_healthy_server", r.body)
        self.assertLess(time.monotonic() - started, 1.0)

    def test_backup_serves_only_while_primary_is_down(self):
        upstream = {"health": dict(FAST_HEALTH), "slow_start": "0s"}
        cfg = servers_config([self.origin, self.other], upstream=upstream,
                             per_server=[{}, {"backup": True}])
        larder = self.start_larder(cfg)
        c = self.client(larder)
        for i in range(20):
            self.assertEqual(c.get("/p/a%d" % i).status, 200)
        self.assertEqual(self.count_pages(self.other), 0)
        port = self.origin.port
        self.origin.stop()
        self.assertTrue(larder.wait_for_stderr("upstream 127.0.0.1:%d is down" % port, timeout=5))
        for i in range(10):
            self.assertEqual(c.get("/p/b%d" % i).status, 200)
        self.assertEqual(self.count_pages(self.other), 10)


class LeastConnTest(PoolTestCase):
    def test_new_requests_go_away_from_the_server_holding_slow_ones(self):
        release_a, release_b = threading.Event(), threading.Event()
        self.addCleanup(release_a.set)
        self.addCleanup(release_b.set)
        self.origin.route("/slow*", Reply(200, b"slow a", hold=release_a, hold_timeout=20))
        self.other.route("/slow*", Reply(200, b"slow b", hold=release_b, hold_timeout=20))
        larder = self.start_larder(servers_config([self.origin, self.other],
                                                  upstream={"balance": "least_conn"}))
        # Six slow requests, one after the other: least_conn spreads them 3 and 3.
        threads, bodies = [], []

        def slow(i):
            with Client(larder.port, timeout=30) as sc:
                bodies.append(sc.get("/slow/%d" % i).body)
        for i in range(6):
            t = threading.Thread(target=slow, args=(i,))
            t.start()
            threads.append(t)
            self.assertTrue(self.origin.wait_for(
                lambda o: o.in_flight + self.other.in_flight == i + 1))
        self.assertEqual((self.origin.in_flight, self.other.in_flight), (3, 3))
        # The second server finishes its slow ones; the first still holds three.
        release_b.set()
        # Their clients have their answers, so the proxy has released those connections.
        deadline = time.monotonic() + 10
        while bodies.count(b"slow b") < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(bodies.count(b"slow b"), 3)
        c = self.client(larder)
        for i in range(30):
            self.assertEqual(c.get("/p/%d" % i).status, 200)
        print("\n  least_conn with 3 slow requests on the first server: new requests %d:%d"
              % (self.count_pages(self.origin), self.count_pages(self.other)))
        self.assertEqual(self.count_pages(self.origin), 0)
        self.assertEqual(self.count_pages(self.other), 30)
        release_a.set()
        for t in threads:
            t.join(10)


class ConnectionLimitTest(E2ETestCase):
    def test_max_connections_two_with_ten_concurrent_slow_requests(self):
        # A slow app: each request takes 200 ms.
        self.origin.route("/slow*", Reply(200, b"done", delay=0.2))
        cfg = servers_config([self.origin], per_server=[{"max_connections": 2}])
        larder = self.start_larder(cfg)
        results = []
        start = threading.Barrier(10)

        def one(i):
            with Client(larder.port, timeout=30) as sc:
                start.wait(10)
                results.append(sc.get("/slow/%d" % i).status)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        print("\n  max_connections=2: origin saw at most %d at once" % self.origin.max_in_flight)
        self.assertEqual(sorted(results), [200] * 10)
        self.assertEqual(self.origin.max_in_flight, 2)
        self.assertEqual(self.origin.count(), 10)

    def hold_the_only_connection(self, upstream):
        release = threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/hold", Reply(200, b"held", hold=release, hold_timeout=20))
        cfg = servers_config([self.origin], per_server=[{"max_connections": 1}], upstream=upstream)
        larder = self.start_larder(cfg)
        holder = threading.Thread(target=lambda: self.client(larder, timeout=30).get("/hold"))
        holder.start()
        self.assertTrue(self.origin.wait_for(lambda o: o.in_flight == 1))
        return larder, release, holder

    def test_queue_timeout_gives_503(self):
        larder, release, holder = self.hold_the_only_connection(
            {"queue": 1, "queue_timeout": "300ms"})
        started = time.monotonic()
        r = self.client(larder).get("/queued")
        waited = time.monotonic() - started
        self.assertEqual(r.status, 503)
        self.assertIn(b"upstream_queue_timeout", r.body)
        self.assertGreaterEqual(waited, 0.25)
        self.assertEqual(self.origin.count("/queued"), 0)
        release.set()
        holder.join(10)
        self.assert_serves(larder)

    def test_full_queue_gives_503_at_once(self):
        larder, release, holder = self.hold_the_only_connection({"queue": 0})
        started = time.monotonic()
        r = self.client(larder).get("/turned-away")
        self.assertEqual(r.status, 503)
        self.assertIn(b"upstream_queue_full", r.body)
        self.assertLess(time.monotonic() - started, 1.0)
        release.set()
        holder.join(10)
        self.assert_serves(larder)

    def test_queued_request_goes_out_when_the_connection_is_released(self):
        larder, release, holder = self.hold_the_only_connection({"queue_timeout": "10s"})
        result = []
        waiter = threading.Thread(
            target=lambda: result.append(self.client(larder, timeout=30).get("/queued")))
        waiter.start()
        release.set()  # the held request finishes; its slot passes to the queued one
        waiter.join(10)
        holder.join(10)
        self.assertEqual(result[0].status, 200)
        self.assertEqual(self.origin.count("/queued"), 1)
        self.assertEqual(self.origin.max_in_flight, 1)


class SlowClientTest(E2ETestCase):
    def test_client_reading_100_bytes_per_second_does_not_hold_the_upstream_connection(self):
        body = bytes(range(256)) * 4096  # 1 MiB: far more than the socket buffers hold
        self.origin.route("/big", Reply(200, body))
        # One worker and one connection allowed: the next request can only go out once the
        # slow client's upstream connection (and its slot) is back in the pool.
        cfg = servers_config([self.origin], server={"workers": 1},
                             per_server=[{"max_connections": 1}], upstream={"queue_timeout": "2s"})
        larder = self.start_larder(cfg)
        slow = socket.create_connection(("127.0.0.1", larder.port), timeout=10)
        self.addCleanup(slow.close)
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.sendall(b"GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n")
        received = b""
        for _ in range(2):  # 100 bytes a second
            received += slow.recv(100)
            time.sleep(1)  # the slow reader itself, not synchronisation
        self.assertTrue(self.origin.wait_for_requests(1))
        r = self.client(larder).get("/next", timeout=5)
        self.assertEqual(r.status, 200)
        big, nxt = self.origin.last("/big"), self.origin.last("/next")
        self.assertEqual(nxt.conn_id, big.conn_id, "the next request reused the same connection")
        self.assertEqual(nxt.conn_index, 1)
        self.assertLess(len(received), 100_000, "the slow client is still reading")
        # The slow client still gets every byte.
        slow.settimeout(10)
        while True:
            chunk = slow.recv(65536)
            if not chunk:
                break
            received += chunk
            if received.endswith(body[-4096:]) and len(received) > len(body):
                break
        self.assertTrue(received.split(b"\r\n\r\n", 1)[1] == body)


if __name__ == "__main__":
    unittest.main()
