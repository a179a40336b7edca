"""Warm restart: [cache] snapshot (docs/operations.md, "Warm restart").

With the members site of tests/e2e/apps (its pages say how many times the app served them, and
its /_stats counts requests per path): pages cached, larder stopped with SIGTERM, started again
with the same config: the first request for each cached page is a HIT with the same body, and
the app saw no request for it; the snapshot is consumed at start and written again at the stop.
A corrupt, truncated or foreign snapshot is reported in one log line and ignored: larder starts
and serves (MISS, fetched from the app). Records verified before a truncation are kept.
With the scripted origin: Vary variants and the HTTP policy's objects come back, a purged page
does not, and a periodic snapshot survives a SIGKILL.
"""
import json
import os
import re
import shutil
import signal
import tempfile
import time
import unittest

from harness.admin import admin_json
from harness.apps import MembersSite
from harness.base import E2ETestCase
from harness.client import Client
from harness.daemon import Larder, larder_config
from harness.origin import Reply

PAGES_RULE = {"name": "anonymous pages", "path": ["/", "/about", "/project/*"], "cache": "600s",
              "strip_set_cookie": True}


def snapshot_lines(daemon):
    """The error-log lines about the snapshot (one per load, one per write)."""
    return [l for l in daemon.stderr_text().splitlines() if "snapshot" in l]


def wait_until(predicate, timeout=10.0):
    """Polls (bounded) for an outcome of the daemon's own timer; returns whether it came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class SnapshotCase(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix="larder-snapshot-e2e-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "cache.snapshot")

    def get(self, daemon, path, headers=()):
        with Client(daemon.port) as c:
            return c.get(path, headers=list(headers))

    def restart(self, daemon):
        """SIGTERM (drain, write the snapshot), then a new larder with the same config."""
        self.assertEqual(daemon.stop(), 0, daemon.stderr_text())
        return self.start_larder(config=daemon.config_text)


class WarmRestartAppTest(SnapshotCase):
    @classmethod
    def setUpClass(cls):
        cls.site = MembersSite("flask", workers=2)
        cls.addClassCleanup(cls.site.stop)
        cls.site.start()

    def config(self):
        return larder_config(self.site.address, server={"debug_headers": True},
                             cache={"snapshot": self.path}, rules=[PAGES_RULE])

    def app_count(self, path):
        return self.site.stats()["paths"].get(path, 0)

    def fill(self, daemon, paths):
        """Caches each page (a MISS, then a HIT); returns {path: body}."""
        bodies = {}
        for p in paths:
            first = self.get(daemon, p)
            self.assertEqual((first.status, first.x_cache), (200, "MISS"), p)
            again = self.get(daemon, p)
            self.assertEqual(again.x_cache, "HIT", p)
            bodies[p] = again.body
        return bodies

    def test_restart_serves_cached_pages_as_hits_without_the_app(self):
        paths = ["/", "/about", "/project/snap-1"]
        larder = self.start_larder(config=self.config())
        initially = {p: self.app_count(p) for p in paths}  # the site is shared by the class
        bodies = self.fill(larder, paths)
        before = {p: self.app_count(p) for p in paths}
        self.assertEqual(before, {p: n + 1 for p, n in initially.items()})

        self.assertEqual(larder.stop(), 0)
        self.assertTrue(os.path.exists(self.path))
        self.assertFalse(os.path.exists(self.path + ".tmp"))
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o600)
        self.assertRegex(larder.stderr_text(), r"snapshot .* \(stop\): wrote 3 objects")

        second = self.start_larder(config=larder.config_text)
        lines = snapshot_lines(second)
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], r"loaded 3 objects .* dropped 0 expired, 0 refused")
        self.assertFalse(os.path.exists(self.path), "the snapshot is consumed at start")
        for p in paths:
            r = self.get(second, p)
            self.assertEqual((r.status, r.x_cache), (200, "HIT"), p)
            self.assertEqual(r.body, bodies[p], p)  # "served 1 times": the stored copy
        self.assertEqual({p: self.app_count(p) for p in paths}, before)
        # The app is there and counting: a page never cached is fetched.
        self.assertEqual(self.get(second, "/project/snap-new").x_cache, "MISS")
        self.assertEqual(self.app_count("/project/snap-new"), 1)

        # The next stop writes what the second process holds: the old pages and the new one.
        self.assertEqual(second.stop(), 0)
        self.assertRegex(second.stderr_text(), r"\(stop\): wrote 4 objects")

    def damaged_restart(self, damage):
        """One page cached and the snapshot written; `damage(bytes)` -> the file's new bytes;
        returns (the restarted larder, its one snapshot line)."""
        larder = self.start_larder(config=self.config())
        self.fill(larder, ["/about"])
        self.assertEqual(larder.stop(), 0)
        with open(self.path, "rb") as f:
            data = f.read()
        with open(self.path, "wb") as f:
            f.write(damage(data))
        second = self.start_larder(config=larder.config_text)
        lines = snapshot_lines(second)
        self.assertEqual(len(lines), 1, lines)
        return second, lines[0]

    def assert_serves_from_the_app(self, daemon, path="/about"):
        before = self.app_count(path)
        r = self.get(daemon, path)
        self.assertEqual((r.status, r.x_cache), (200, "MISS"))
        self.assertIn(b"Members" if path == "/" else b"About", r.body)
        self.assertEqual(self.app_count(path), before + 1)

    def test_corrupt_snapshot_is_reported_and_ignored(self):
        def flip_middle(data):
            b = bytearray(data)
            b[len(b) // 2] ^= 0x20  # inside the one object record
            return bytes(b)

        second, line = self.damaged_restart(flip_middle)
        self.assertRegex(line, r"snapshot .*: corrupt at byte 40 .* kept 0 objects")
        self.assert_serves_from_the_app(second)

    def test_truncated_snapshot_is_reported_and_ignored(self):
        second, line = self.damaged_restart(lambda data: data[: len(data) // 2])
        self.assertRegex(line, r"snapshot .*: truncated at byte 40 .* kept 0 objects")
        self.assert_serves_from_the_app(second)

    def test_records_verified_before_a_truncation_are_kept(self):
        # Only the end record is cut: the object's record is whole and checksummed.
        second, line = self.damaged_restart(lambda data: data[:-5])
        self.assertRegex(line, r"truncated at byte \d+ .* kept 1 objects")
        before = self.app_count("/about")
        self.assertEqual(self.get(second, "/about").x_cache, "HIT")
        self.assertEqual(self.app_count("/about"), before)

    def test_a_file_that_is_no_snapshot_is_reported_and_left_alone(self):
        foreign = b"[cache]\nmax_size = 1\n"  # a config file named by mistake
        second, line = self.damaged_restart(lambda data: foreign)
        self.assertRegex(line, r"not_a_snapshot at byte 0: starting with an empty cache")
        self.assert_serves_from_the_app(second)
        self.assertEqual(second.stop(), 0)
        with open(self.path, "rb") as f:
            self.assertEqual(f.read(), foreign)  # neither removed nor written over
        self.assertRegex(second.stderr_text(), r"\(stop\): not written: not a snapshot")

    def test_another_format_version_is_reported_and_ignored(self):
        second, line = self.damaged_restart(lambda data: data[:8] + b"\x63\x00\x00\x00" + data[12:])
        self.assertRegex(line, r"wrong_version at byte 0 \(format version 99\)")
        self.assert_serves_from_the_app(second)


class WarmRestartOriginTest(SnapshotCase):
    def test_variants_and_http_policy_objects_come_back(self):
        self.origin.route("/v", lambda req: Reply(
            200, "lang=%s" % req.header("Accept-Language"),
            [("Cache-Control", "max-age=600"), ("Vary", "Accept-Language"),
             ("ETag", '"v1"')]))
        larder = self.start_larder(cache={"snapshot": self.path, "default": "http"})
        for lang in ("fr", "en"):
            self.assertEqual(self.get(larder, "/v", [("Accept-Language", lang)]).x_cache, "MISS")
            self.assertEqual(self.get(larder, "/v", [("Accept-Language", lang)]).x_cache, "HIT")
        second = self.restart(larder)
        fetched = self.origin.count("/v")
        for lang in ("fr", "en"):
            r = self.get(second, "/v", [("Accept-Language", lang)])
            self.assertEqual((r.x_cache, r.body), ("HIT", ("lang=%s" % lang).encode()))
            self.assertEqual(r.header("ETag"), '"v1"')
            self.assertGreaterEqual(int(r.header("Age")), 0)
        self.assertEqual(self.origin.count("/v"), fetched)
        # A conditional request is answered from the restored validators.
        r = self.get(second, "/v", [("Accept-Language", "fr"), ("If-None-Match", '"v1"')])
        self.assertEqual(r.status, 304)
        self.assertEqual(self.origin.count("/v"), fetched)

    def test_a_purged_page_does_not_come_back(self):
        self.origin.route("/p/*", lambda req: Reply(
            200, "page %s" % req.path, [("Surrogate-Key", "page-%s" % req.path[3:])]))
        rules = [{"name": "pages", "path_prefix": "/p/", "cache": "600s"}]
        larder = self.start_larder(cache={"snapshot": self.path}, rules=rules)
        for p in ("/p/kept", "/p/purged"):
            self.get(larder, p)
            self.assertEqual(self.get(larder, p).x_cache, "HIT")
        status, _, answer = admin_json(larder, "/purge", method="POST",
                                       body=json.dumps({"tag": "page-purged"}))
        self.assertEqual((status, answer["purged"]), (200, 1), answer)
        second = self.restart(larder)
        self.assertRegex(snapshot_lines(second)[0], r"loaded 1 objects")
        self.assertEqual(self.get(second, "/p/kept").x_cache, "HIT")
        self.assertEqual(self.get(second, "/p/purged").x_cache, "MISS")
        self.assertEqual(self.origin.count("/p/purged"), 2)

    def test_periodic_snapshot_survives_a_crash(self):
        self.origin.route("/page", Reply(200, "the page"))
        rules = [{"name": "pages", "path": "/page", "cache": "600s"}]
        larder = self.start_larder(cache={"snapshot": self.path, "snapshot_interval": "1s"},
                                   rules=rules)
        self.get(larder, "/page")
        self.assertEqual(self.get(larder, "/page").x_cache, "HIT")
        self.assertTrue(wait_until(
            lambda: re.search(r"\(periodic\): wrote 1 objects", larder.stderr_text()), 15),
            "no periodic snapshot with the page in it")
        larder.kill()  # no drain, no snapshot at the stop
        second = self.start_larder(config=larder.config_text)
        self.assertRegex(snapshot_lines(second)[0], r"loaded 1 objects")
        self.assertEqual(self.get(second, "/page").x_cache, "HIT")
        self.assertEqual(self.origin.count("/page"), 1)

    def test_snapshot_in_a_missing_directory_stops_the_start(self):
        path = os.path.join(self.dir, "no-such-dir", "cache.snapshot")
        daemon = Larder(larder_config(self.origin, cache={"snapshot": path}), start=False)
        self.addCleanup(daemon.close)
        with self.assertRaises(Exception) as caught:
            daemon.start()
        self.assertIn("[cache] snapshot: cannot write in %s" % os.path.dirname(path),
                      str(caught.exception))
        self.assertEqual(daemon.proc.returncode, 1)

    def test_without_snapshot_setting_nothing_is_written(self):
        self.origin.route("/page", Reply(200, "the page"))
        larder = self.start_larder(rules=[{"name": "pages", "path": "/page", "cache": "600s"}])
        self.get(larder, "/page")
        self.assertEqual(larder.stop(), 0)
        self.assertEqual(snapshot_lines(larder), [])
        self.assertEqual(os.listdir(self.dir), [])


if __name__ == "__main__":
    unittest.main()
