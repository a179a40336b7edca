"""Absorbing traffic spikes: coalescing, grace, stale-if-error, hit-for-pass, lock timeout.

- 200 concurrent clients on a cold key whose origin takes 500 ms: the origin sees exactly one
  request and all 200 clients get the full body with status 200 (one MISS, the rest COALESCED or
  HIT), across both worker threads.
- The same with an uncacheable response (Set-Cookie, no strip rule): the waiters are released at
  once and reach the origin in parallel (total time near one origin delay, far from 200 of them),
  and later requests are HIT-FOR-PASS.
- Grace: after expiry, requests get the stale body at once while the origin holds the single
  background refresh; once it lands, the new body is a HIT.
- Stale-if-error: with the origin gone, an expired object is served (STALE, 200) within the
  window, and 502 after it.
- Lock timeout: a leader whose origin hangs does not hang its waiters beyond lock_timeout.
- A leader whose client disconnects still completes its fetch for the waiters.

TTL expiry needs real time to pass (TTLs of 1 s), so a few tests wait for it; ordering between
clients and origin uses Events.
"""
import threading
import time
import unittest

from harness.base import E2ETestCase
from harness.client import Client
from harness.daemon import larder_config
from harness.origin import Origin, Reply

N = 200


def rules(**extra):
    rule = {"name": "pages", "path_prefix": "/p/", "cache": "60s"}
    rule.update(extra)
    return [rule]


class SpikeTest(E2ETestCase):
    def many_clients(self, daemon, n):
        clients = [Client(daemon.port, timeout=30) for _ in range(n)]
        for c in clients:
            self.addCleanup(c.close)
        return clients

    def test_cold_key_reaches_origin_once(self):
        larder = self.start_larder(rules=rules())
        body = b"x" * 20000
        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        # Vary: Cookie, as Flask sends it: under a rule the waiters must still share the object.
        self.origin.route("/p/viral", Reply(200, body, [("Vary", "Cookie")], hold=release,
                                            arrived=arrived, delay=0.5))
        clients = self.many_clients(larder, N)
        clients[0].send_request("GET", "/p/viral")
        self.assertTrue(arrived.wait(10))
        for c in clients[1:]:
            c.send_request("GET", "/p/viral")
        release.set()
        responses = [c.read_response() for c in clients]
        self.assertEqual([r.status for r in responses], [200] * N)
        self.assertTrue(all(r.body == body for r in responses))
        self.assertEqual(self.origin.count("/p/viral"), 1)
        statuses = [r.x_cache for r in responses]
        self.assertEqual(statuses.count("MISS"), 1, statuses)
        self.assertTrue(set(statuses) <= {"MISS", "COALESCED", "HIT"}, set(statuses))
        self.assertGreater(statuses.count("COALESCED"), 0, statuses)

    def test_leader_client_gone_fetch_still_serves_waiters(self):
        larder = self.start_larder(rules=rules())
        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/p/left", Reply(200, b"still here", hold=release, arrived=arrived))
        leader = Client(larder.port)
        leader.send_request("GET", "/p/left")
        self.assertTrue(arrived.wait(10))
        leader.close()  # the leading client disconnects while its fetch is at the origin
        waiter = self.client(larder, timeout=15)
        waiter.send_request("GET", "/p/left")
        release.set()
        r = waiter.read_response()
        self.assertEqual((r.status, r.body), (200, b"still here"))
        self.assertIn(r.x_cache, ("COALESCED", "HIT"))
        self.assertEqual(self.origin.count("/p/left"), 1)

    def test_uncacheable_key_is_fetched_in_parallel_then_hit_for_pass(self):
        larder = self.start_larder(rules=rules())
        delay = 0.5
        self.origin.route("/p/personal", Reply(200, b"yours", [("Set-Cookie", "s=1")], delay=delay))
        clients = self.many_clients(larder, N)
        start = time.monotonic()
        for c in clients:
            c.send_request("GET", "/p/personal")
        responses = [c.read_response() for c in clients]
        elapsed = time.monotonic() - start
        self.assertEqual([r.status for r in responses], [200] * N)
        self.assertEqual(self.origin.count("/p/personal"), N)
        # One by one would take N * delay = 100 s; in parallel about two delays.
        self.assertLess(elapsed, 20 * delay, "waiters were not released in parallel")
        with Client(larder.port) as c:
            r = c.get("/p/personal")
        self.assertEqual((r.status, r.x_cache), (200, "HIT-FOR-PASS"))
        self.assertEqual(r.header("Set-Cookie"), "s=1")

    def test_grace_serves_stale_while_one_refresh_runs(self):
        larder = self.start_larder(rules=rules(cache="1s", grace="30s"))
        self.origin.route("/p/news", Reply(200, b"old news"))
        c = self.client(larder)
        self.assertEqual(c.get("/p/news").x_cache, "MISS")
        time.sleep(1.2)  # let the TTL run out
        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/p/news", Reply(200, b"new news", hold=release, arrived=arrived))
        stale = [c.get("/p/news") for _ in range(10)]  # all answered while the refresh is held
        self.assertTrue(arrived.wait(10))
        self.assertFalse(release.is_set())
        self.assertEqual([(r.status, r.x_cache, r.body) for r in stale],
                         [(200, "STALE", b"old news")] * 10)
        self.assertEqual(self.origin.count("/p/news"), 2)  # the first fill and one refresh
        release.set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = c.get("/p/news")
            if r.body == b"new news":
                break
        self.assertEqual((r.x_cache, r.body), ("HIT", b"new news"))
        self.assertEqual(self.origin.count("/p/news"), 2)

    def test_stale_if_error_until_the_window_closes(self):
        origin = Origin()
        self.addCleanup(origin.stop)
        origin.route("/p/page", Reply(200, b"kept page"))
        larder = self.start_larder(larder_config(origin, rules=rules(cache="1s", grace="0s",
                                                                      stale_if_error="3s")))
        c = self.client(larder)
        self.assertEqual(c.get("/p/page").x_cache, "MISS")
        filled = time.monotonic()
        origin.stop()  # the app dies
        time.sleep(1.2)
        r = c.get("/p/page")
        self.assertEqual((r.status, r.x_cache, r.body), (200, "STALE", b"kept page"))
        time.sleep(max(0.0, filled + 1 + 3 + 0.5 - time.monotonic()))
        r = self.client(larder).get("/p/page")
        self.assertEqual(r.status, 502)

    def test_lock_timeout_releases_waiters(self):
        larder = self.start_larder(rules=rules(), cache={"lock_timeout": "1s"})
        hang, arrived = threading.Event(), threading.Event()
        self.addCleanup(hang.set)
        first = []

        def reply(req):
            if not first:
                first.append(req)
                return Reply(200, b"late", hold=hang, arrived=arrived, hold_timeout=25)
            return Reply(200, b"on time")

        self.origin.route("/p/hang", reply)
        leader = self.client(larder, timeout=30)
        leader.send_request("GET", "/p/hang")
        self.assertTrue(arrived.wait(10))
        start = time.monotonic()
        r = self.client(larder, timeout=30).get("/p/hang")
        self.assertEqual((r.status, r.body), (200, b"on time"))
        self.assertLess(time.monotonic() - start, 10)
        self.assertFalse(hang.is_set())  # the leader is still hanging
        hang.set()
        self.assertEqual(leader.read_response().status, 200)


if __name__ == "__main__":
    unittest.main()
