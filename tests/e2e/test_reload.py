"""Configuration reload: SIGHUP and POST /reload (docs/operations.md, "Reloading the configuration").

Covers: a reload under steady load (client threads looping requests on keep-alive and new
connections) changes a rule with no failed request, and the page cached before it is still a HIT
afterwards (X-Cache and the hit counter); a broken file changes nothing, is logged with its file,
line and key, and counted as a failed reload; POST /reload answers ok with the new generation and
the settings that need a restart, or the loader's error; a request held at the app while a
reload moves [upstream] to another app finishes with the first app's answer while new requests
go to the second; a new listen address is bound by a
reload while a connection on the old one keeps being served; the reload latency (SIGHUP to the
new generation answering) is printed.
"""
import json
import re
import signal
import threading
import time
import unittest

from harness.admin import admin_get, admin_json, metric, parse_prometheus
from harness.base import E2ETestCase, wait_until
from harness.client import Client
from harness.daemon import larder_config, to_toml
from harness.origin import Origin, Reply

STATIC_RULE = {"name": "static", "path_prefix": "/static/", "cache": "60s"}
PAGE_PASS = {"name": "page", "path": "/page", "pass": True}
PAGE_CACHED = {"name": "page", "path": "/page", "cache": "60s"}


class ReloadTest(E2ETestCase):
    def config(self, rules, **sections):
        sections.setdefault("server", {"debug_headers": True})
        return larder_config(self.origin, rules=rules, **sections)

    def rewrite(self, larder, config):
        text = config if isinstance(config, str) else to_toml(config)
        if "[admin]" not in text:
            text = text.rstrip("\n") + '\n\n[admin]\nlisten = ["127.0.0.1:0"]\n'
        with open(larder.config_path, "w") as f:
            f.write(text)

    def stats(self, larder):
        status, _, body = admin_json(larder, "/stats.json")
        self.assertEqual(status, 200)
        return body

    def metrics(self, larder):
        status, _, body = admin_get(larder, "/metrics")
        self.assertEqual(status, 200)
        return parse_prometheus(body.decode())

    def generation(self, larder):
        return self.stats(larder)["config_generation"]

    def test_reload_under_load_changes_a_rule_without_failed_requests(self):
        self.origin.route("/static/*", Reply(200, b"static body", [("Content-Type", "text/css")]))
        self.origin.route("/page", Reply(200, b"page body", [("Content-Type", "text/html")]))
        larder = self.start_larder(self.config([STATIC_RULE, PAGE_PASS]))
        with Client(larder.port) as c:
            self.assertEqual(c.get("/static/a.css").x_cache, "MISS")
            self.assertEqual(c.get("/static/a.css").x_cache, "HIT")
            self.assertEqual(c.get("/page").x_cache, "PASS")

        stop = threading.Event()
        failures = []
        done = [0] * 4
        warmed = threading.Barrier(5)

        def load(i):
            # Threads 0-1 keep one connection alive; 2-3 open one per request.
            c = Client(larder.port) if i < 2 else None
            try:
                n = 0
                while not stop.is_set():
                    path = "/static/a.css" if n % 2 == 0 else "/page"
                    try:
                        if c is None:
                            with Client(larder.port) as fresh:
                                r = fresh.get(path)
                        else:
                            r = c.get(path)
                        want = b"static body" if path.startswith("/static") else b"page body"
                        if r.status != 200 or r.body != want:
                            failures.append((path, r.status, r.body[:80]))
                    except Exception as e:  # a reset or a timeout is a failed request
                        failures.append((path, repr(e)))
                    n += 1
                    done[i] = n
                    if n == 20:
                        warmed.wait(10)
            finally:
                if c is not None:
                    c.close()

        threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(4)]
        for t in threads:
            t.start()
        warmed.wait(10)  # every thread has 20 requests behind it

        self.rewrite(larder, self.config([STATIC_RULE, PAGE_CACHED]))
        before = list(done)
        sighup_at = time.monotonic()
        larder.signal(signal.SIGHUP)
        # The first response that shows the new rule: /page cached (a MISS, then HITs).
        with Client(larder.port) as c:
            switched = wait_until(lambda: c.get("/page").x_cache in ("MISS", "HIT"), timeout=10,
                                  interval=0.001)
        latency_ms = (time.monotonic() - sighup_at) * 1000
        self.assertTrue(switched, "the new rule never took effect")
        # Load keeps running on the new generation for a while, then stops.
        wait_until(lambda: all(d >= b + 20 for d, b in zip(done, before)), timeout=10)
        stop.set()
        for t in threads:
            t.join(10)
        self.assertEqual(failures, [], "requests failed across the reload")
        self.assertTrue(all(d >= b + 20 for d, b in zip(done, before)), (before, done))

        # The store survived: the object cached before the reload is still a hit, without the app.
        origin_static = self.origin.count("/static/a.css")
        with Client(larder.port) as c:
            r = c.get("/static/a.css")
            self.assertEqual(r.x_cache, "HIT")
            self.assertEqual(c.get("/page").x_cache, "HIT")
        self.assertEqual(self.origin.count("/static/a.css"), origin_static)
        self.assertEqual(origin_static, 1, "the static page was fetched again after the reload")

        samples = self.metrics(larder)
        self.assertEqual(metric(samples, "larder_reloads_total", result="ok"), 1)
        self.assertEqual(metric(samples, "larder_reloads_total", result="failed"), 0)
        self.assertEqual(metric(samples, "larder_config_generation"), 2)
        self.assertGreater(metric(samples, "larder_rule_requests_total", rule="page", cache_status="HIT"), 0)
        m = re.search(r"generation 2 in use after ([0-9.]+) ms", larder.stderr_text())
        self.assertIsNotNone(m, larder.stderr_text()[-2000:])
        print("\nreload latency: %.2f ms inside larder (file read to generation published), "
              "%.1f ms from SIGHUP to the first response under the new rule, %d requests "
              "during the test" % (float(m.group(1)), latency_ms, sum(done)))

    def test_broken_file_changes_nothing_and_is_logged(self):
        larder = self.start_larder(self.config([STATIC_RULE]))
        with Client(larder.port) as c:
            self.assertEqual(c.get("/static/x.js").x_cache, "MISS")
        with open(larder.config_path) as f:
            good = f.read()
        broken = good.replace('cache = "60s"', 'cache = "forever"')
        self.assertNotEqual(good, broken)
        self.rewrite(larder, broken)
        line = 1 + broken[: broken.index('cache = "forever"')].count("\n")
        larder.signal(signal.SIGHUP)
        self.assertTrue(wait_until(lambda: "reload (SIGHUP) failed" in larder.stderr_text()),
                        larder.stderr_text()[-2000:])
        err = larder.stderr_text()
        self.assertIn("%s:%d:" % (larder.config_path, line), err)
        self.assertIn("rules[0].cache", err)
        self.assertIn("invalid_config", err)
        self.assertTrue(larder.running())
        with Client(larder.port) as c:
            self.assertEqual(c.get("/static/x.js").x_cache, "HIT")  # same rule, same store
        samples = self.metrics(larder)
        self.assertEqual(metric(samples, "larder_reloads_total", result="failed"), 1)
        self.assertEqual(metric(samples, "larder_reloads_total", result="ok"), 0)
        self.assertEqual(metric(samples, "larder_config_generation"), 1)

        # A file that loads but cannot be applied (a server that does not resolve): same.
        self.rewrite(larder, good.replace(self.origin.address, "no-such-host.invalid:80"))
        status, _, body = admin_json(larder, "/reload", method="POST")
        self.assertEqual(status, 500, body)
        self.assertEqual(body["error"], "cannot_apply")
        self.assertIn("no-such-host.invalid", body["message"])
        self.assertEqual(self.generation(larder), 1)
        self.assert_serves(larder)

    def test_admin_reload_answers_ok_and_errors(self):
        larder = self.start_larder(self.config([PAGE_PASS]))
        with Client(larder.port) as c:
            self.assertEqual(c.get("/page").x_cache, "PASS")
        # server.workers cannot change while running: reported, the running value kept.
        cfg = self.config([PAGE_CACHED])
        cfg["server"]["workers"] = 3
        self.rewrite(larder, cfg)
        status, _, body = admin_json(larder, "/reload", method="POST")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["generation"], 2)
        self.assertEqual(body["needs_restart"], ["server.workers"])
        self.assertIn("server.workers changed: needs restart", larder.stderr_text())
        with Client(larder.port) as c:
            self.assertEqual(c.get("/page").x_cache, "MISS")
            self.assertEqual(c.get("/page").x_cache, "HIT")

        with open(larder.config_path, "a") as f:
            f.write("\n[server]\nworkers = 2\n")  # a table defined twice
        status, _, body = admin_json(larder, "/reload", method="POST")
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"], "invalid_config")
        self.assertIn(larder.config_path, body["message"])
        self.assertEqual(self.generation(larder), 2)
        self.assertEqual(self.stats(larder)["reloads"], {"ok": 1, "failed": 1})
        with Client(larder.port) as c:
            self.assertEqual(c.get("/page").x_cache, "HIT")

    def test_request_in_flight_finishes_on_its_generation_when_upstreams_change(self):
        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/slow", Reply(200, b"old origin", hold=release, arrived=arrived))
        larder = self.start_larder(self.config([PAGE_PASS]))
        held = self.client(larder, timeout=20)
        held.send(b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertTrue(arrived.wait(10), "the request never reached the origin")

        new_origin = Origin()
        self.addCleanup(new_origin.stop)
        new_origin.route("/slow", Reply(200, b"new origin"))
        cfg = larder_config(new_origin, rules=[PAGE_PASS], server={"debug_headers": True})
        self.rewrite(larder, cfg)
        status, _, body = admin_json(larder, "/reload", method="POST")
        self.assertEqual(status, 200, body)
        with Client(larder.port) as c:
            self.assertEqual(c.get("/slow").body, b"new origin")  # new requests: new upstream
        release.set()
        r = held.read_response()
        self.assertEqual((r.status, r.body), (200, b"old origin"))  # its own generation
        self.assertEqual(self.origin.count("/slow"), 1)
        self.assertEqual(new_origin.count("/slow"), 1)

    def test_reload_binds_a_new_address_and_keeps_connections_on_the_old_one(self):
        larder = self.start_larder(self.config([STATIC_RULE]))
        first_port = larder.port
        kept = self.client(larder)
        self.assertEqual(kept.get("/static/k").x_cache, "MISS")
        cfg = self.config([STATIC_RULE])
        cfg["server"]["listen"] = ["127.0.0.1:%d" % first_port, "127.0.0.1:0"]
        self.rewrite(larder, cfg)
        status, _, body = admin_json(larder, "/reload", method="POST")
        self.assertEqual(status, 200, body)
        with open(larder.ready_path) as f:
            ready = f.read().split()
        http_ports = [int(a.rpartition(":")[2]) for k, a in zip(ready[::2], ready[1::2]) if k == "http"]
        self.assertEqual(len(http_ports), 2, ready)
        self.assertEqual(http_ports[0], first_port)
        self.assertEqual(kept.get("/static/k").x_cache, "HIT")  # the connection survived
        with Client(http_ports[1]) as c:
            self.assertEqual(c.get("/static/k").x_cache, "HIT")
        with Client(first_port) as c:
            self.assertEqual(c.get("/static/k").x_cache, "HIT")

        # Dropping the first address: no new connection there, the open one finishes its work.
        cfg["server"]["listen"] = ["127.0.0.1:%d" % http_ports[1]]
        self.rewrite(larder, cfg)
        status, _, body = admin_json(larder, "/reload", method="POST")
        self.assertEqual(status, 200, body)
        self.assertEqual(kept.get("/static/k").x_cache, "HIT")
        with self.assertRaises(ConnectionRefusedError):
            with Client(first_port) as c:
                c.get("/static/k")
        with Client(http_ports[1]) as c:
            self.assertEqual(c.get("/static/k").x_cache, "HIT")


if __name__ == "__main__":
    unittest.main()
