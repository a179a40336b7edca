"""`larder explain`: which rule matches a URL and why the earlier ones do not, as text and JSON.

Covers: a cache candidate (exit 0) with the skipped rule's reason, the key, forwarded cookies and
TTL/grace; a logged-in visitor (exit 1) turned away by the visitor matcher; default = "http"
("follows the origin's Cache-Control"); --json is one JSON object with the documented keys;
--header and --method reach the rules; a bad config exits 2 naming file, line and key; a bad URL
or header exits 2 with the reason; --admin against an address where nothing listens exits 3.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import unittest

from harness.daemon import larder_binary

CONFIG = """\
[server]
listen = ["127.0.0.1:0"]

[[upstream.servers]]
address = "127.0.0.1:9"

[identity]
cookies = ["sessionid"]

[[rules]]
name = "static"
path_prefix = "/static/"
cache = "1h"
ignore_cookies = true

[[rules]]
name = "api"
path_prefix = "/api/"
headers = { Accept = { equals = "application/json" } }
cache = "10s"

[[rules]]
name = "blog"
path = ["/blog/*"]
cache = "5m"
grace = "30s"
vary_cookies = ["lang"]
"""


def run(args, timeout=15):
    return subprocess.run([larder_binary(), "explain"] + args, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, text=True)


class ExplainCliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="larder-explain-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.config = self.write("larder.toml", CONFIG)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_cache_candidate(self):
        r = run(["--config", self.config, "http://example.com/blog/hello?x=1", "--cookie", "lang=fr"])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertIn('1 "static" (line 10): skipped, path_prefixes: path "/blog/hello" starts '
                      'with none of path_prefix ["/static/"]', out)
        self.assertIn('2 "api" (line 16): skipped, path_prefixes', out)
        self.assertIn('3 "blog" (line 22): MATCHED', out)
        self.assertIn("Decision:          CACHE (rule_cache)", out)
        self.assertIn("Visitor:           anonymous (anonymous)", out)
        self.assertIn("Cache key:         http://example.com/blog/hello?x=1\\x1flang=fr", out)
        self.assertIn("Forwarded cookies: lang=fr", out)
        self.assertIn("Freshness:         ttl 5m, grace 30s, stale-if-error 5m", out)

    def test_logged_in_visitor_passes(self):
        r = run(["--config", self.config, "http://example.com/blog/hello", "-b", "sessionid=abc"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("skipped, visitor: the rule is for anonymous visitors", r.stdout)
        self.assertIn("this visitor is logged_in (login_cookie:sessionid)", r.stdout)
        self.assertIn("Decision:          PASS (personal_visitor)", r.stdout)
        self.assertIn("Cache key:         none", r.stdout)

    def test_header_and_method_reach_the_rules(self):
        url = "http://example.com/api/items"
        without = run(["--config", self.config, url])
        self.assertEqual(without.returncode, 1)
        self.assertIn('skipped, headers: header condition "Accept" equals "application/json" '
                      "does not hold", without.stdout)
        with_header = run(["--config", self.config, url, "-H", "Accept: application/json"])
        self.assertEqual(with_header.returncode, 0, with_header.stdout)
        post = run(["--config", self.config, url, "-H", "Accept: application/json", "-X", "POST"])
        self.assertEqual(post.returncode, 1)
        self.assertIn('skipped, method: method POST is not in methods ["GET", "HEAD"]', post.stdout)

    def test_http_default_follows_the_origin(self):
        config = self.write("http.toml", CONFIG.replace("[identity]", '[cache]\ndefault = "http"\n\n[identity]'))
        r = run(["--config", config, "http://example.com/other"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Decision:          CACHE (http_default)", r.stdout)
        self.assertIn("follows the origin's Cache-Control (RFC 9111)", r.stdout)

    def test_json(self):
        r = run(["--config", self.config, "http://example.com/static/app.css", "--json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        answer = json.loads(lines[0])
        self.assertEqual(set(answer), {"request", "rules", "decision", "visitor", "key",
                                       "forwarded_cookies", "freshness"})
        self.assertEqual(answer["decision"]["action"], "cache")
        self.assertEqual(answer["decision"]["rule"], "static")
        self.assertEqual([r["verdict"] for r in answer["rules"]],
                         ["matched", "not_reached", "not_reached"])
        self.assertEqual(answer["key"], "http://example.com/static/app.css")
        self.assertEqual(answer["freshness"]["ttl_ms"], 3600000)

    def test_bad_config_names_file_line_and_key(self):
        bad = self.write("bad.toml", CONFIG.replace('cache = "5m"', 'cache = "soon"'))
        r = run(["--config", bad, "http://example.com/"])
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"bad\.toml:\d+:\d+: rules\[2\]\.cache: ")
        self.assertEqual(r.stdout, "")

    def test_bad_arguments(self):
        for args, needle in [
            (["--config", self.config, "example.com/x"], "absolute http:// or https:// URL"),
            (["--config", self.config, "http://example.com/", "-H", "NoColon"], "Name: value"),
            (["--config", self.config, "http://exa mple.com/"], "would refuse"),
            (["--config", self.config], "which URL"),
            (["http://example.com/"], "--config FILE"),
            (["--config", self.config, "http://example.com/", "--bogus"], "unrecognised"),
        ]:
            r = run(args)
            self.assertEqual(r.returncode, 2, (args, r.stdout))
            self.assertIn(needle, r.stderr, args)

    def test_admin_unreachable_exits_3(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        r = run(["--admin", "127.0.0.1:%d" % port, "http://example.com/"])
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertIn("127.0.0.1:%d" % port, r.stderr)


if __name__ == "__main__":
    unittest.main()
