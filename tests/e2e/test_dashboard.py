"""The live dashboard at / on the admin listener, in headless Chromium (Debian's chromium).

Covers: the page loads with no external assets and its script fills it from /stats.json (the
body's data-updates counts successful polls); the numbers move when traffic flows: the DOM is
dumped, known traffic is sent (one miss, then hits, then passes), the DOM is dumped again and the
totals, hit ratio, store objects, top keys, top rules and backend health show that traffic; a
screenshot is kept under the build directory (test-artifacts/dashboard.png) for people to look at.
Chromium's virtual time budget lets the page's one-second polls run without the test sleeping.
"""
import html.parser
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness.base import E2ETestCase
from harness.daemon import larder_binary

RULES = [{"name": "pages", "path_prefix": "/p/", "cache": "60s"}]


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("chromium not found: run scripts/bootstrap (Debian package chromium)")


class Dom(html.parser.HTMLParser):
    """Text of every element with an id, and the <body>'s attributes; <script> and <link> srcs."""

    def __init__(self, text):
        super().__init__()
        self.text, self.body, self.external, self._open = {}, {}, [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        for attr in ("src", "href"):
            if a.get(attr) and re.match(r"^(https?:)?//", a[attr]):
                self.external.append(a[attr])
        if tag in ("br", "img", "meta", "link", "input"):
            return
        self._open.append(a.get("id"))
        if a.get("id"):
            self.text[a["id"]] = ""

    def handle_endtag(self, tag):
        if tag in ("br", "img", "meta", "link", "input") or not self._open:
            return
        self._open.pop()

    def handle_data(self, data):
        for i in self._open:
            if i:
                self.text[i] += data


class DashboardTest(E2ETestCase):
    def browse(self, url, *extra):
        profile = tempfile.mkdtemp(prefix="larder-chromium-")
        self.addCleanup(shutil.rmtree, profile, True)
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
               "--virtual-time-budget=4000", *extra, url]
        p = subprocess.run(cmd, capture_output=True, timeout=90)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace")[-2000:])
        return p.stdout.decode("utf-8", "replace")

    def dump(self, url):
        dom = Dom(self.browse(url, "--dump-dom"))
        self.assertGreaterEqual(int(dom.body.get("data-updates", "0")), 2,
                                "the page did not poll /stats.json: %r" % dom.text.get("live"))
        self.assertEqual(dom.text["live"], "live")
        return dom

    def test_numbers_move_with_traffic_and_a_screenshot_is_kept(self):
        larder = self.start_larder(rules=RULES)
        url = "http://127.0.0.1:%d/" % larder.admin_port

        quiet = self.dump(url)
        self.assertEqual(quiet.external, [])
        self.assertEqual(quiet.text["total-HIT"], "0")
        self.assertEqual(quiet.text["total-requests"], "0")
        self.assertEqual(quiet.text["hit-ratio"], "\u2013")
        self.assertEqual(quiet.text["store-objects"], "0")
        self.assertIn("none yet", quiet.text["top-keys"])

        c = self.client(larder)
        self.assertEqual(c.get("/p/home").x_cache, "MISS")
        for _ in range(19):
            self.assertEqual(c.get("/p/home").x_cache, "HIT")
        for _ in range(5):
            self.assertEqual(c.get("/other").x_cache, "PASS")

        busy = self.dump(url)
        self.assertEqual(busy.text["total-HIT"], "19")
        self.assertEqual(busy.text["total-MISS"], "1")
        self.assertEqual(busy.text["total-PASS"], "5")
        self.assertEqual(busy.text["total-requests"], "25")
        self.assertEqual(busy.text["hit-ratio"], "76.0%")  # 19 of 25, since start
        self.assertEqual(busy.text["store-objects"], "1")
        self.assertIn("http://localhost/p/home", busy.text["top-keys"])
        self.assertIn("pages", busy.text["rules"])
        self.assertIn(self.origin.address, busy.text["backends"])
        self.assertIn("up", busy.text["backends"])
        self.assertRegex(busy.text["lat-p50"], r"^\d+(\.\d+)? (ms|s)$")  # 6 origin responses

        artifacts = os.path.join(os.path.dirname(os.path.abspath(larder_binary())), "test-artifacts")
        os.makedirs(artifacts, exist_ok=True)
        shot = os.path.join(artifacts, "dashboard.png")
        if os.path.exists(shot):
            os.unlink(shot)
        self.browse(url, "--screenshot=" + shot, "--window-size=1280,1100", "--hide-scrollbars")
        with open(shot, "rb") as f:
            png = f.read()
        self.assertTrue(png.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG")
        self.assertGreater(len(png), 10_000)


if __name__ == "__main__":
    unittest.main()
