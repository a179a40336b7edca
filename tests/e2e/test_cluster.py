"""Three Larder nodes behind HAProxy acting as one cache, with purges through Redis
(docs/scale-out.md).

Each test starts its own redis-server (no persistence), three nodes on 127.0.0.2-4 (ports bound
to 0, then reused when a node comes back) and HAProxy with the documented config
(config/haproxy.cfg.in), in front of the scripted origin that counts every request. Checks:
each URL reaches the origin once across the cluster and each node names itself in Via and
X-Cache; a purge through one node is gone from all three (the time is measured and printed; the
bound asserted is generous, the machine is shared); a node killed under load costs no failed
request through HAProxy; a node down while a purge is made replays it before serving again
(resuming from its record in Redis, then from its state_file when the record is gone); a
purge made while Redis is down is applied locally at once, queued, and reaches the other nodes
when Redis is back; a node that cannot reach Redis at start serves and says so; any node's
dashboard (headless Chromium) shows every node; a request whose Via names the node is refused
as a loop.

Skipped only when redis-server or haproxy is not installed (scripts/bootstrap installs both, so
`make test` runs it).
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from harness.admin import admin_get, admin_json, metric, parse_prometheus, promtool
from harness.client import Client
from harness.cluster import HAProxy, Redis, node_config, tools_missing
from harness.daemon import Larder
from harness.origin import Origin, Reply
from test_dashboard import Dom, chromium

RULES = [{"name": "pages", "path_prefix": "/", "cache": "600s", "sort_query": True}]
NODES = 3


def node_of(response):
    """"MISS from node2" -> ("MISS", "node2")."""
    status, _, node = response.x_cache.partition(" from ")
    return status, node


@unittest.skipIf(tools_missing(), "not installed: %s (scripts/bootstrap)" % ", ".join(tools_missing()))
class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.origin = Origin()
        self.addCleanup(self.origin.stop)
        self.version = 1
        self.origin.route("/*", lambda req: Reply(
            200, "v%d %s" % (self.version, req.target), [("Content-Type", "text/plain")]))
        self.redis = Redis()
        self.addCleanup(self.redis.close)
        self.stream = "larder-test:" + uuid.uuid4().hex[:8]
        self.nodes = [self.start_node(i) for i in range(NODES)]
        self.haproxy = HAProxy([("node%d" % (i + 1), "127.0.0.%d" % (i + 2), n.port, n.admin_port)
                                for i, n in enumerate(self.nodes)])
        self.addCleanup(self.close_haproxy)
        self.haproxy.wait_states({"node%d" % (i + 1): "UP" for i in range(NODES)})

    def start_node(self, index, port=0, admin_port=0, cluster=None, cache=None):
        cfg = node_config(self.origin, index, self.redis, self.stream, RULES, port=port,
                          admin_port=admin_port, cluster=cluster, cache=cache)
        node = Larder(cfg, start=False)
        self.addCleanup(self.close_node, node)
        return node.start()

    def close_node(self, node):
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not getattr(outcome, "success", True):
            print("\n--- %s stderr ---\n%s" % (node.config_path, node.stderr_text()[-3000:]))
        node.close()

    def close_haproxy(self):
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not getattr(outcome, "success", True):
            print("\n--- haproxy ---\n%s" % self.haproxy.log_text()[-3000:])
        self.haproxy.close()

    # -- helpers ------------------------------------------------------------------------
    def via_haproxy(self, path):
        with Client(self.haproxy.port) as c:
            return c.get(path)

    def direct(self, node, path, headers=()):
        return self.direct_to(node, "127.0.0.%d" % (self.nodes.index(node) + 2), path, headers)

    @staticmethod
    def direct_to(node, address, path, headers=()):
        with Client(node.port, host=address) as c:
            return c.get(path, headers=headers)

    def purge(self, node, **what):
        status, _, answer = admin_json(node, "/purge", method="POST", body=json.dumps(what))
        self.assertEqual(status, 200, answer)
        return answer

    def purges_applied(self, node):
        _, _, stats = admin_json(node, "/stats.json")
        return sum(stats["purges"].values())

    def cluster_view(self, node):
        status, _, view = admin_json(node, "/cluster")
        self.assertEqual(status, 200, view)
        return view

    # -- the tests ----------------------------------------------------------------------
    def test_each_url_is_fetched_once_across_the_cluster(self):
        paths = ["/shard/%d" % i for i in range(30)]
        served_by = {}
        for p in paths:
            status, node = node_of(self.via_haproxy(p))
            self.assertEqual(status, "MISS", p)
            served_by[p] = node
        for p in paths:
            r = self.via_haproxy(p)
            self.assertEqual(node_of(r), ("HIT", served_by[p]), p)  # the same node, every time
            self.assertEqual(r.header("Via"), "1.1 %s (larder)" % served_by[p])
        for p in paths:
            self.assertEqual(self.origin.count(p), 1, p)
        spread = {n: list(served_by.values()).count(n) for n in set(served_by.values())}
        print("\n30 URLs over the nodes: %s" % dict(sorted(spread.items())))
        self.assertGreaterEqual(len(spread), 2, spread)
        # A query normalised to one key (sort_query) goes to the node that holds it.
        self.assertEqual(node_of(self.via_haproxy("/shard/q?b=2&a=1")),
                         ("MISS", node_of(self.via_haproxy("/shard/q"))[1]))
        self.assertEqual(node_of(self.via_haproxy("/shard/q?a=1&b=2"))[0], "HIT")
        # What the origin saw: Via names the node that fetched.
        self.assertIn("(larder)", self.origin.last("/shard/q").header("Via"))

    def test_a_purge_through_one_node_is_gone_from_all(self):
        path = "/purged/page"
        for node in self.nodes:  # cached on every node (direct requests, not through HAProxy)
            self.direct(node, path)
            self.assertEqual(node_of(self.direct(node, path))[0], "HIT")
        before = [self.purges_applied(n) for n in self.nodes]
        self.version = 2
        started = time.monotonic()
        self.assertEqual(self.purge(self.nodes[0], url="http://localhost" + path)["purged"], 1)
        pending = set(range(1, NODES))
        arrival = {}
        while pending and time.monotonic() - started < 10:
            for i in list(pending):
                if self.purges_applied(self.nodes[i]) > before[i]:
                    arrival["node%d" % (i + 1)] = (time.monotonic() - started) * 1000
                    pending.discard(i)
        self.assertFalse(pending, "nodes %s never applied the purge" % pending)
        print("\npurge propagation from node1 (ms, incl. admin polling): %s" %
              {k: round(v, 1) for k, v in sorted(arrival.items())})
        print("purge applied after its XADD (ms, from the nodes' logs): %s" %
              {"node%d" % (i + 1): self.applied_after_xadd_ms(self.nodes[i]) for i in (1, 2)})
        self.assertLess(max(arrival.values()), 2000)  # generous: the machine is shared
        for node in self.nodes:
            r = self.direct(node, path)
            self.assertEqual(node_of(r)[0], "MISS")
            self.assertTrue(r.text.startswith("v2"), r.text)
        # Every node's view: nobody behind, the purge counted where it was published.
        self.assertTrue(self.wait_until(lambda: not self.cluster_view(self.nodes[2])["behind"]))
        # Nodes appear in a view through their heartbeats: wait for node1 to have heard all three.
        self.assertTrue(self.wait_until(lambda: [n["node"] for n in self.cluster_view(
            self.nodes[0])["nodes"]] == ["node1", "node2", "node3"]), self.cluster_view(self.nodes[0]))
        view = self.cluster_view(self.nodes[0])
        self.assertEqual(view["published"], 1)
        text = admin_get(self.nodes[1], "/metrics")[2].decode()
        samples = parse_prometheus(text)
        self.assertEqual(metric(samples, "larder_node_info", node="node2"), 1)
        self.assertEqual(metric(samples, "larder_cluster_purges_applied_total"), 1)
        self.assertEqual(metric(samples, "larder_cluster_redis_up"), 1)
        code, out = promtool(text)
        if code is not None:
            self.assertEqual(code, 0, out)

    def test_a_node_killed_under_load_costs_no_failed_request(self):
        paths = ["/load/%d" % i for i in range(40)]
        for p in paths:
            self.via_haproxy(p)
        stop = threading.Event()
        results = {"ok": 0, "failed": [], "by_node": {}}
        lock = threading.Lock()

        def client(seed):
            i = seed
            c = None
            while not stop.is_set():
                p = paths[i % len(paths)]
                i += 7
                try:
                    if c is None:
                        c = Client(self.haproxy.port, timeout=10)
                    r = c.get(p)
                    ok = r.status == 200 and r.text.endswith(p)
                    with lock:
                        if ok:
                            results["ok"] += 1
                            n = node_of(r)[1]
                            results["by_node"][n] = results["by_node"].get(n, 0) + 1
                        else:
                            results["failed"].append((p, r.status, r.text[:80]))
                    if r.header("Connection", "").lower() == "close":
                        c.close()
                        c = None
                except Exception as e:  # a broken connection through HAProxy is a failure
                    with lock:
                        results["failed"].append((p, "exception", repr(e)))
                    if c is not None:
                        c.close()
                    c = None
            if c is not None:
                c.close()

        threads = [threading.Thread(target=client, args=(s,)) for s in range(4)]
        for t in threads:
            t.start()
        try:
            self.assertTrue(self.wait_until(lambda: results["ok"] >= 200, timeout=20))
            with lock:
                before_kill = results["ok"]
            victim = self.nodes[2]
            killed_at = time.monotonic()
            victim.kill()
            self.haproxy.wait_states({"node3": "DOWN"}, timeout=10)
            detected_ms = (time.monotonic() - killed_at) * 1000
            self.assertTrue(self.wait_until(lambda: results["ok"] >= before_kill + 300, timeout=20))
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        print("\nnode3 killed under load: %d requests, %d failed, HAProxy marked it DOWN after "
              "%.0f ms; served by %s" % (results["ok"] + len(results["failed"]),
                                        len(results["failed"]), detected_ms,
                                        dict(sorted(results["by_node"].items()))))
        self.assertEqual(results["failed"], [])
        # Its URLs moved to the two nodes left; theirs stayed where they were.
        for p in paths:
            self.assertIn(node_of(self.via_haproxy(p))[1], ("node1", "node2"))

    def test_a_node_that_was_down_replays_the_purges_it_missed(self):
        path = "/away/page"
        away = self.nodes[1]
        self.direct(away, path)
        self.assertEqual(node_of(self.direct(away, path))[0], "HIT")
        port, admin_port = away.port, away.admin_port
        self.assertEqual(away.stop(), 0)
        self.version = 2
        stream = self.stream + ":purges"
        length = self.redis.command("XLEN", stream)
        self.purge(self.nodes[0], url="http://localhost" + path)
        self.purge(self.nodes[2], tag="nothing-tagged")
        # A node publishes after it answers: wait for both purges to be in the stream.
        self.assertTrue(self.wait_until(lambda: self.redis.command("XLEN", stream) == length + 2))
        newest = self.redis.command("XREVRANGE", stream, "+", "-", "COUNT", "1")[0][0]
        state_file = os.path.join(tempfile.mkdtemp(prefix="larder-state-"), "position")
        self.addCleanup(shutil.rmtree, os.path.dirname(state_file), True)
        back = self.start_node(1, port=port, admin_port=admin_port,
                               cluster={"state_file": state_file})
        self.nodes[1] = back
        # Ready means caught up: both purges were replayed before the listener served.
        self.assertIn("cluster: node node2", back.stderr_text())
        self.assertIn("replayed (2 purges replayed", back.stderr_text())
        samples = parse_prometheus(admin_get(back, "/metrics")[2].decode())
        self.assertEqual(metric(samples, "larder_cluster_purges_replayed_total"), 2)
        self.assertEqual(self.cluster_view(back)["applied"], newest)
        r = self.direct(back, path)
        self.assertEqual(node_of(r)[0], "MISS")
        self.assertTrue(r.text.startswith("v2"), r.text)
        with open(state_file) as f:
            self.assertEqual(f.read().strip(), newest)

        # Away again, and its record in Redis lost: the state file says where to resume.
        self.assertEqual(back.stop(), 0)
        self.redis.command("HDEL", self.stream + ":nodes", "node2")
        self.purge(self.nodes[0], prefix="localhost/away/")
        again = self.start_node(1, port=port, admin_port=admin_port,
                                cluster={"state_file": state_file})
        self.nodes[1] = again
        self.assertIn("replayed (1 purges replayed", again.stderr_text())
        # Back in HAProxy's rotation.
        self.haproxy.wait_states({"node2": "UP"})

    def test_a_node_restarted_from_its_snapshot_never_serves_what_was_purged_meanwhile(self):
        # The snapshot holds both pages; a purge made while the node is down must still win:
        # catch-up runs after the snapshot is loaded and before anything is served, from no
        # later than the snapshot's time.
        snapshot_dir = tempfile.mkdtemp(prefix="larder-snapshot-")
        self.addCleanup(shutil.rmtree, snapshot_dir, True)
        cache = {"snapshot": os.path.join(snapshot_dir, "cache.snapshot")}
        kept, purged = "/snap/kept", "/snap/purged"
        port, admin_port = self.nodes[1].port, self.nodes[1].admin_port
        self.assertEqual(self.nodes[1].stop(), 0)
        node = self.start_node(1, port=port, admin_port=admin_port, cache=cache)
        self.nodes[1] = node
        for path in (kept, purged):
            self.direct(node, path)
            self.assertEqual(node_of(self.direct(node, path))[0], "HIT")
        self.assertEqual(node.stop(), 0)  # writes the snapshot after the drain
        self.assertTrue(os.path.exists(cache["snapshot"]))
        self.version = 2
        self.purge(self.nodes[0], url="http://localhost" + purged)
        fetched = self.origin.count()

        back = self.start_node(1, port=port, admin_port=admin_port, cache=cache)
        self.nodes[1] = back
        self.assertIn("replayed (1 purges replayed", back.stderr_text())
        r = self.direct(back, kept)  # from the snapshot: no origin fetch
        self.assertEqual(node_of(r)[0], "HIT")
        self.assertTrue(r.text.startswith("v1"), r.text)
        r = self.direct(back, purged)  # purged while the node was down: fetched anew
        self.assertEqual(node_of(r)[0], "MISS")
        self.assertTrue(r.text.startswith("v2"), r.text)
        self.assertEqual(self.origin.count(), fetched + 1)

    def test_purges_made_while_redis_is_down_are_applied_locally_and_sent_later(self):
        path = "/redis-down/page"
        for node in self.nodes:
            self.direct(node, path)
        before = [self.purges_applied(n) for n in self.nodes]
        self.redis.stop()
        self.version = 2
        self.purge(self.nodes[0], url="http://localhost" + path)
        # Applied here at once, queued for the others.
        self.assertEqual(node_of(self.direct(self.nodes[0], path))[0], "MISS")
        self.assertTrue(self.wait_until(
            lambda: not self.cluster_view(self.nodes[0])["redis"]["connected"]))
        self.assertEqual(self.cluster_view(self.nodes[0])["queued"], 1)
        self.assertEqual(self.purges_applied(self.nodes[1]), before[1])
        self.redis.start()  # same port, empty: a Redis restarted without persistence
        self.assertTrue(self.wait_until(
            lambda: all(self.purges_applied(self.nodes[i]) > before[i] for i in (1, 2)),
            timeout=15))
        self.assertEqual(self.cluster_view(self.nodes[0])["queued"], 0)
        for node in self.nodes[1:]:
            self.assertEqual(node_of(self.direct(node, path))[0], "MISS")

    def test_a_node_that_cannot_reach_redis_at_start_serves_and_says_so(self):
        self.redis.stop()
        lone = self.start_node(3, cluster={"node": "node4", "connect_timeout": "200ms"})
        self.assertIn("redis_unreachable", lone.stderr_text())
        r = self.direct_to(lone, "127.0.0.5", "/lonely")
        self.assertEqual(node_of(r), ("MISS", "node4"))
        view = self.cluster_view(lone)
        self.assertFalse(view["redis"]["connected"])
        self.assertIsNone(view["view_age_ms"])  # never read the cluster
        self.redis.start()  # it reconnects by itself, and shows up in the others' view
        self.assertTrue(self.wait_until(lambda: "node4" in [
            n["node"] for n in self.cluster_view(self.nodes[0])["nodes"]], timeout=15))

    def test_the_dashboard_of_any_node_shows_the_cluster(self):
        for p in ("/dash/a", "/dash/a", "/dash/b"):
            self.via_haproxy(p)
        node = self.nodes[1]
        self.assertTrue(self.wait_until(lambda: len(self.cluster_view(node)["nodes"]) == NODES))
        url = "http://127.0.0.3:%d/" % node.admin_port
        profile = tempfile.mkdtemp(prefix="larder-chromium-")
        self.addCleanup(shutil.rmtree, profile, True)
        p = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                            "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
                            "--user-data-dir=" + profile, "--virtual-time-budget=4000",
                            "--dump-dom", url], capture_output=True, timeout=90)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace")[-2000:])
        dom = Dom(p.stdout.decode("utf-8", "replace"))
        self.assertEqual(dom.text["cluster-node"], "node2")
        self.assertEqual(dom.text["cluster-redis"], "connected")
        rows = dom.text["cluster-nodes"]
        for name in ("node1", "node2", "node3"):
            self.assertIn(name + "ok", rows)  # name, then its state cell
        self.assertIn("%", rows)  # hit ratios

    def test_a_request_that_already_passed_this_node_is_refused_as_a_loop(self):
        r = self.direct(self.nodes[0], "/loop", headers=[("Via", "1.1 proxy, 1.1 node1 (larder)")])
        self.assertEqual(r.status, 508)
        self.assertEqual(r.header("X-Cache-Reason"), "via_loop")
        self.assertEqual(self.origin.count("/loop"), 0)
        # Another node's name is no loop.
        r = self.direct(self.nodes[0], "/loop", headers=[("Via", "1.1 node2 (larder)")])
        self.assertEqual(r.status, 200)
        samples = parse_prometheus(admin_get(self.nodes[0], "/metrics")[2].decode())
        self.assertEqual(metric(samples, "larder_loops_refused_total"), 1)

    @staticmethod
    def applied_after_xadd_ms(node):
        """Log time of "... applied (entry MS-SEQ)" minus MS: how long after Redis took the XADD
        the node had applied the purge (same machine, same clock; the log has ms resolution)."""
        for line in node.stderr_text().splitlines():
            m = re.match(r"(\S+) info .* applied \(entry (\d+)-\d+\)", line)
            if m:
                logged = datetime.datetime.fromisoformat(m.group(1)).timestamp() * 1000
                return round(logged - int(m.group(2)), 1)
        return None

    def wait_until(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


if __name__ == "__main__":
    unittest.main()
