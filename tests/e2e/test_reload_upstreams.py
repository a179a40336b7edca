"""What a reload keeps of the upstream servers (docs/operations.md, "Upstream state").

Covers: with two origins, one taken down by its health checks, a reload that adds a third origin
and changes unrelated settings keeps the down one out of rotation (no request reaches it) until
its checks pass again, and the healthy one's pooled keep-alive connection carries its requests on
(the same origin connection before and after the reload); a reload that drops an origin closes
Larder's idle connection to it while the kept origin's connection is reused; a request in flight
to an origin the reload drops finishes on its generation, and its connection is closed then, not
pooled. One worker, so there is one pool to reason about; origin connections are told apart from
health probes by the connection id of the requests they carried.
"""
import threading
import unittest

from harness.admin import admin_json
from harness.base import E2ETestCase, wait_until
from harness.daemon import larder_config, to_toml
from harness.origin import Origin, Reply

# Probes fast enough that a state change shows within a second.
FAST_HEALTH = {"path": "/health", "interval": "100ms", "timeout": "100ms", "rise": 2, "fall": 2}


def data_connections(origin, prefix="/"):
    """Ids of the origin connections that carried requests other than health probes."""
    return {r.conn_id for r in origin.requests if r.path != "/health" and r.path.startswith(prefix)}


class ReloadUpstreamsTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.b = Origin()
        self.addCleanup(self.b.stop)
        self.c = Origin()
        self.addCleanup(self.c.stop)

    def config(self, origins, upstream=None, server=None):
        server = dict(server or {}, workers=1)
        return larder_config(origins, server=server, upstream=upstream)

    def reload(self, larder, config):
        text = to_toml(config) + '\n[admin]\nlisten = ["127.0.0.1:0"]\n'
        with open(larder.config_path, "w") as f:
            f.write(text)
        status, _, body = admin_json(larder, "/reload", method="POST")
        self.assertEqual(status, 200, body)

    def backend_state(self, larder, origin):
        status, _, body = admin_json(larder, "/stats.json")
        self.assertEqual(status, 200)
        for b in body["backends"]:
            if b["name"] == origin.address:
                return b["state"]
        return None

    def test_down_server_stays_down_and_pooled_connection_is_reused(self):
        a, b, c = self.origin, self.b, self.c
        b.route("/health", Reply(503, b"not ready"))
        upstream = {"health": dict(FAST_HEALTH), "slow_start": "0s"}
        larder = self.start_larder(self.config([a, b], upstream=upstream))
        self.assertEqual(wait_until(lambda: self.backend_state(larder, b) == "down"), True,
                         "b never went down")
        client = self.client(larder)
        for i in range(6):
            self.assertEqual(client.get("/before/%d" % i).status, 200)
        self.assertEqual(b.count(), b.count("/health"), "a down server got a request")
        (a_connection,) = data_connections(a)

        # A third server, more retries, another upstream_timeout: b's state must survive.
        changed = dict(upstream, retries=2)
        self.reload(larder, self.config([a, b, c], upstream=changed,
                                        server={"upstream_timeout": "20s"}))
        for i in range(10):
            self.assertEqual(client.get("/after/%d" % i).status, 200)
        self.assertEqual(b.count(), b.count("/health"), "the down server got traffic again")
        self.assertEqual(self.backend_state(larder, b), "down")
        self.assertGreater(sum(1 for r in c.requests if r.path.startswith("/after/")), 0,
                           "the added server got nothing")
        after_on_a = [r for r in a.requests if r.path.startswith("/after/")]
        self.assertGreater(len(after_on_a), 0)
        self.assertEqual({r.conn_id for r in after_on_a}, {a_connection},
                         "a's pooled connection was not reused")
        self.assertEqual(data_connections(a), {a_connection})

        # b passes its checks again: back in rotation (no slow start here).
        b.route("/health", Reply(200, b"ok"))
        self.assertEqual(wait_until(lambda: self.backend_state(larder, b) == "up"), True,
                         "b never came back")
        for i in range(9):
            self.assertEqual(client.get("/recovered/%d" % i).status, 200)
        self.assertGreater(sum(1 for r in b.requests if r.path.startswith("/recovered/")), 0)

    def test_dropped_server_idle_connection_closes_kept_one_is_reused(self):
        a, b = self.origin, self.b
        larder = self.start_larder(self.config([a, b]))
        client = self.client(larder)
        for i in range(4):  # round robin: two each, one pooled connection each
            self.assertEqual(client.get("/w/%d" % i).status, 200)
        (a_connection,) = data_connections(a)
        (b_connection,) = data_connections(b)
        self.assertFalse(b.closed(b_connection))

        self.reload(larder, self.config([a], upstream={"retries": 2}))
        for i in range(3):
            self.assertEqual(client.get("/k/%d" % i).status, 200)
        self.assertEqual(sum(1 for r in b.requests if r.path.startswith("/k/")), 0)
        self.assertEqual(data_connections(a), {a_connection}, "a's connection was not reused")
        self.assertTrue(b.wait_for(lambda o: o.closed(b_connection)),
                        "the dropped server's idle connection is still open")
        self.assertFalse(a.closed(a_connection))

    def test_request_in_flight_to_a_dropped_server_finishes_then_its_connection_closes(self):
        a, b = self.origin, self.b
        arrived = {a: threading.Event(), b: threading.Event()}
        release = threading.Event()
        self.addCleanup(release.set)
        for origin, name in ((a, b"a"), (b, b"b")):
            origin.route("/held", Reply(200, b"from " + name, hold=release,
                                        arrived=arrived[origin]))
        larder = self.start_larder(self.config([a, b]))
        held = self.client(larder, timeout=20)
        held.send(b"GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertTrue(wait_until(lambda: any(e.is_set() for e in arrived.values())),
                        "the request never reached an origin")
        holder = a if arrived[a].is_set() else b
        other = b if holder is a else a

        self.reload(larder, self.config([other]))
        with self.client(larder) as c:
            for i in range(3):
                self.assertEqual(c.get("/n/%d" % i).status, 200)
        self.assertEqual(sum(1 for r in holder.requests if r.path.startswith("/n/")), 0)
        held_connection = holder.last("/held").conn_id
        self.assertFalse(holder.closed(held_connection))

        release.set()
        r = held.read_response()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"from " + (b"a" if holder is a else b"b"))
        self.assertTrue(holder.wait_for(lambda o: o.closed(held_connection)),
                        "the connection to the dropped server stayed open")
        self.assert_serves(larder)


if __name__ == "__main__":
    unittest.main()
