"""The admin listener: /metrics against known traffic, /healthz through a drain, refusals.

Covers: counters in /metrics match the requests sent exactly (misses, hits, passes by rule and
by cache status, origin requests, the latency histogram's count, store objects), and the output
passes both a strict parser (harness/admin.py) and `promtool check metrics`; /stats.json has the
same numbers; /healthz answers 200 while serving and 503 while the daemon drains an in-flight
request (held at the origin); without the token or with a wrong one 401 with WWW-Authenticate,
the token as Bearer or as the Basic password is accepted, /healthz needs no token; an address
outside `allow` gets 403 on every route; a non-loopback admin address without a token refuses
the config at its line; `listen = []` turns the listener off; 404, 405, HEAD and an oversized
body get clear answers.
"""
import base64
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness.admin import admin_get, admin_json, metric, parse_prometheus, promtool
from harness.base import E2ETestCase
from harness.client import build_request
from harness.daemon import Larder, larder_binary, larder_config
from harness.origin import Reply

TOKEN = "e2e-admin-token-0123456789abcdef"
RULES = [
    {"name": "pages", "path_prefix": "/p/", "cache": "60s"},
    {"name": "api", "path_prefix": "/api/", "pass": True},
]


class MetricsTest(E2ETestCase):
    def scrape(self, larder):
        status, headers, body = admin_get(larder, "/metrics")
        self.assertEqual(status, 200, body)
        self.assertIn("text/plain; version=0.0.4", dict(headers)["Content-Type"])
        text = body.decode()
        return text, parse_prometheus(text)

    def test_counters_match_the_traffic_sent(self):
        larder = self.start_larder(rules=RULES)
        _, before = self.scrape(larder)  # every series exists, at zero, before any request
        self.assertEqual(metric(before, "larder_rule_requests_total", rule="pages", cache_status="HIT"), 0)

        c = self.client(larder)
        sent = {"MISS": 0, "HIT": 0, "PASS": 0}
        for path in ("/p/a", "/p/b"):
            self.assertEqual(c.get(path).x_cache, "MISS")
            sent["MISS"] += 1
        for _ in range(5):
            self.assertEqual(c.get("/p/a").x_cache, "HIT")
            sent["HIT"] += 1
        for _ in range(3):
            self.assertEqual(c.get("/api/x").x_cache, "PASS")
        for _ in range(2):
            self.assertEqual(c.get("/elsewhere").x_cache, "PASS")
        sent["PASS"] = 5

        text, m = self.scrape(larder)
        for status, n in sent.items():
            self.assertEqual(metric(m, "larder_requests_total", cache_status=status), n, status)
        self.assertEqual(metric(m, "larder_requests_total", cache_status="ERROR"), 0)
        self.assertEqual(metric(m, "larder_rule_requests_total", rule="pages", cache_status="MISS"), 2)
        self.assertEqual(metric(m, "larder_rule_requests_total", rule="pages", cache_status="HIT"), 5)
        self.assertEqual(metric(m, "larder_rule_requests_total", rule="api", cache_status="PASS"), 3)
        self.assertEqual(metric(m, "larder_unmatched_requests_total", cache_status="PASS"), 2)
        origin_requests = self.origin.count()
        self.assertEqual(origin_requests, 7)
        self.assertEqual(metric(m, "larder_upstream_requests_total"), origin_requests)
        backend = self.origin.address
        self.assertEqual(metric(m, "larder_upstream_response_seconds_count", backend=backend), origin_requests)
        self.assertEqual(metric(m, "larder_cache_stores_total"), 2)
        self.assertEqual(metric(m, "larder_store_objects"), 2)
        self.assertGreater(metric(m, "larder_store_bytes"), 0)
        self.assertEqual(metric(m, "larder_backend_up", backend=backend), 1)
        self.assertEqual(metric(m, "larder_backend_state", backend=backend, state="up"), 1)
        self.assertEqual(metric(m, "larder_client_connections"), 1)  # `c`, still open
        self.assertEqual(metric(m, "larder_config_generation"), 1)
        self.assertEqual(metric(m, "larder_draining"), 0)
        self.assertEqual(metric(m, "larder_purges_total", kind="tag"), 0)
        self.assertTrue(any(name == "larder_build_info" and dict(labels).get("version")
                            for name, labels in m), "no build info")

        code, output = promtool(text)
        self.assertEqual(code, 0, output)

        status, _, stats = admin_json(larder, "/stats.json")
        self.assertEqual(status, 200)
        self.assertEqual(stats["requests"]["HIT"], 5)
        self.assertEqual(stats["requests"]["MISS"], 2)
        self.assertEqual(stats["store"]["objects"], 2)
        self.assertEqual([r["name"] for r in stats["rules"]], ["pages", "api"])
        self.assertEqual(stats["backends"][0]["responses"], origin_requests)
        # A worker counts its first 64 hits exactly: /p/a is the only hot key.
        self.assertEqual([(k["key"], k["hits"]) for k in stats["top_keys"]],
                         [("http://localhost/p/a", 5)])

    def test_upstream_failures_are_counted_per_backend(self):
        larder = self.start_larder(rules=RULES)
        self.origin.route("/api/broken", Reply(action="close"))
        c = self.client(larder)
        self.assertEqual(c.get("/api/broken").status, 502)
        _, m = self.scrape(larder)
        self.assertEqual(metric(m, "larder_requests_total", cache_status="ERROR"), 1)
        self.assertEqual(metric(m, "larder_upstream_errors_total"), 1)
        failures = sum(v for (name, labels), v in m.items()
                       if name == "larder_upstream_failures_total"
                       and dict(labels)["backend"] == self.origin.address)
        self.assertGreaterEqual(failures, 1)


class HealthzTest(E2ETestCase):
    def test_200_while_serving_503_while_draining(self):
        larder = self.start_larder(server={"drain_timeout": "10s", "upstream_timeout": "20s"})
        status, _, body = admin_json(larder, "/healthz")
        self.assertEqual((status, body), (200, {"status": "serving"}))

        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/slow", Reply(200, b"done", hold=release, arrived=arrived))
        c = self.client(larder, timeout=20)
        c.send(build_request("GET", "/slow"))
        self.assertTrue(arrived.wait(10), "request never reached the origin")
        larder.signal(signal.SIGTERM)
        # The drain is under way while the origin holds the request: poll (bounded) for 503.
        deadline, seen = time.monotonic() + 10, None
        while time.monotonic() < deadline:
            seen = admin_json(larder, "/healthz")
            if seen[0] == 503:
                break
            time.sleep(0.02)
        self.assertEqual(seen[0], 503, seen)
        self.assertEqual(seen[2], {"status": "draining"})
        _, _, m = admin_get(larder, "/metrics")
        self.assertEqual(metric(parse_prometheus(m.decode()), "larder_draining"), 1)
        release.set()
        self.assertEqual(c.read_response().status, 200)
        self.assertEqual(larder.wait(15), 0)


class AccessTest(E2ETestCase):
    def start_guarded(self, **admin):
        cfg = larder_config(self.origin)
        cfg["admin"] = dict({"listen": ["127.0.0.1:0"]}, **admin)
        return self.start_larder(cfg)

    def test_token_refusals_and_acceptance(self):
        larder = self.start_guarded(token=TOKEN)
        status, headers, body = admin_json(larder, "/metrics")
        self.assertEqual(status, 401)
        self.assertEqual(body["error"], "missing_token")
        challenges = [v for k, v in headers if k.lower() == "www-authenticate"]
        self.assertTrue(any(v.startswith("Bearer") for v in challenges), headers)

        status, headers, body = admin_json(larder, "/metrics", token=TOKEN + "x")
        self.assertEqual((status, body["error"]), (401, "wrong_token"))
        status, _, body = admin_json(larder, "/stats.json", token=TOKEN[:-1])
        self.assertEqual((status, body["error"]), (401, "wrong_token"))
        # An unknown route is refused the same way: refusals do not reveal which routes exist.
        status, _, body = admin_json(larder, "/no-such-route")
        self.assertEqual((status, body["error"]), (401, "missing_token"))

        self.assertEqual(admin_get(larder, "/metrics", token=TOKEN)[0], 200)
        basic = base64.b64encode(("operator:" + TOKEN).encode()).decode()
        self.assertEqual(admin_get(larder, "/", headers={"Authorization": "Basic " + basic})[0], 200)
        wrong = base64.b64encode(b"operator:guess").decode()
        self.assertEqual(admin_get(larder, "/", headers={"Authorization": "Basic " + wrong})[0], 401)
        self.assertEqual(admin_get(larder, "/", headers={"Authorization": "Basic %%%"})[0], 401)
        self.assertEqual(admin_json(larder, "/healthz")[0], 200)  # load balancers: no token

    def test_address_outside_allow_gets_403_everywhere(self):
        larder = self.start_guarded(token=TOKEN, allow=["10.0.0.0/8", "::1"])
        for path in ("/healthz", "/metrics", "/"):
            status, _, body = admin_json(larder, path, token=TOKEN)
            self.assertEqual((status, body["error"]), (403, "address_not_allowed"), path)

    def test_loopback_in_allow_list_passes(self):
        larder = self.start_guarded(allow=["127.0.0.0/8"])
        self.assertEqual(admin_get(larder, "/metrics")[0], 200)

    def test_non_loopback_admin_without_token_refuses_to_start(self):
        text = ('[server]\nlisten = ["127.0.0.1:0"]\n\n[admin]\nallow = ["10.0.0.0/8"]\n'
                'listen = ["127.0.0.1:0", "0.0.0.0:9180"]\n\n'
                '[[upstream.servers]]\naddress = "%s"\n' % self.origin.address)
        daemon = Larder(text, start=False)
        self.addCleanup(daemon.close)
        p = subprocess.run([larder_binary(), "--config", daemon.config_path], capture_output=True,
                           timeout=15)
        self.assertEqual(p.returncode, 2)
        err = p.stderr.decode()
        self.assertRegex(err, r"larder\.toml:6:\d+: admin\.listen\[1\]: \"0\.0\.0\.0\" is not a loopback")
        self.assertIn("admin.token", err)

    def test_bad_admin_settings_name_their_key(self):
        cases = [
            ('token = "short"', r"admin\.token: expected at least 16"),
            ('allow = ["10.0.0.0/33"]', r"admin\.allow\[0\]: expected an IP address or a CIDR"),
            ('listen = "nowhere"', r"admin\.listen: expected \"host:port\""),
            ('lisen = []', r"admin\.lisen"),
        ]
        for line, pattern in cases:
            text = ('[admin]\n%s\n\n[[upstream.servers]]\naddress = "%s"\n'
                    % (line, self.origin.address))
            daemon = Larder(text, start=False)
            self.addCleanup(daemon.close)
            p = subprocess.run([larder_binary(), "--check-config", daemon.config_path],
                               capture_output=True, timeout=15)
            self.assertEqual(p.returncode, 2, line)
            self.assertRegex(p.stderr.decode(), r"larder\.toml:2:\d+: " + pattern, line)

    def test_listen_empty_turns_the_admin_listener_off(self):
        cfg = larder_config(self.origin)
        cfg["admin"] = {"listen": []}
        larder = self.start_larder(cfg)
        self.assertEqual([kind for kind, _, _ in larder.listeners], ["http"])
        self.assert_serves(larder)


class AdminHttpTest(E2ETestCase):
    def test_clear_answers_to_odd_requests(self):
        larder = self.start_larder()
        status, _, body = admin_json(larder, "/nothing-here")
        self.assertEqual((status, body["error"]), (404, "not_found"))
        status, headers, body = admin_json(larder, "/metrics", method="DELETE")
        self.assertEqual((status, body["error"]), (405, "method_not_allowed"))
        self.assertEqual(dict(headers)["Allow"], "GET")
        status, headers, body = admin_get(larder, "/metrics", method="HEAD")
        self.assertEqual((status, body), (200, b""))
        self.assertGreater(int(dict(headers)["Content-Length"]), 0)
        # A body over 1 MiB is refused from its Content-Length, before it is sent.
        with socket.create_connection(("127.0.0.1", larder.admin_port), timeout=10) as s:
            s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (2 << 20))
            answer = s.makefile("rb").read()
        self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), answer[:100])
        self.assertIn(b'"error":"body_too_large"', answer)
        status, _, body = admin_json(larder, "/api")
        self.assertEqual(status, 200)
        self.assertIn({"method": "GET", "path": "/healthz", "token": False,
                       "summary": "200 while serving, 503 while draining (no token needed)"},
                      body["routes"])
        self.assertEqual(admin_json(larder, "/healthz")[0], 200)  # still serving


if __name__ == "__main__":
    unittest.main()
