"""The command line: --check-config, --version, --help, and refusing to start on a bad config.

Covers: a good config checks with exit 0 (so does the shipped config/larder.toml); each of
several bad configs exits 2 with `FILE:LINE:COL: key: problem` on stderr, naming the right line
and dotted key; a missing file exits 2; --version and --help exit 0; `larder --config bad.toml`
exits non-zero with the message on stderr and never writes its ready file.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness.daemon import larder_binary, source_dir

GOOD = """\
[server]
listen = ["127.0.0.1:0"]
workers = 1
keepalive_timeout = "5s"
max_header_size = "16KiB"

[[upstream.servers]]
address = "127.0.0.1:9"

[cache]
max_size = "64MiB"

[identity]
cookies = ["remember_token"]
flask_session = { cookie = "session", user_key = "_user_id" }

[[rules]]
name = "anonymous pages"
path = ["/", "/about", "/project/*"]
visitor = "anonymous"
cache = "60s"
strip_set_cookie = true

[[rules]]
name = "static"
path_prefix = "/static/"
cache = "1h"
ignore_cookies = true
"""

UPSTREAM = '\n[[upstream.servers]]\naddress = "127.0.0.1:9"\n'

# (name, config text, line of the mistake or None, regex the dotted key must match)
BAD = [
    ("unknown_key", '[server]\nlisten = ["127.0.0.1:0"]\nwokers = 4\n' + UPSTREAM, 3, r"server\.wokers"),
    ("bad_size", '[server]\nlisten = ["127.0.0.1:0"]\nmax_header_size = "lots"\n' + UPSTREAM, 3,
     r"server\.max_header_size"),
    ("bad_duration", '[server]\nkeepalive_timeout = "soon"\n' + UPSTREAM, 2, r"server\.keepalive_timeout"),
    ("wrong_type", '[server]\nworkers = "four"\n' + UPSTREAM, 2, r"server\.workers"),
    ("bad_listen", '[server]\nlisten = ["not an address"]\n' + UPSTREAM, 2, r"server\.listen"),
    ("bad_upstream_address", '[server]\nlisten = ["127.0.0.1:0"]\n\n[[upstream.servers]]\naddress = "nonsense"\n',
     5, r"upstream\.servers(\[0\])?\.address"),
    ("bad_rule_ttl", UPSTREAM + '\n[[rules]]\nname = "x"\npath = ["/"]\ncache = "forever"\n', 8,
     r"rules(\[0\])?\.cache"),
    ("no_upstream", '[server]\nlisten = ["127.0.0.1:0"]\n', None, r"upstream"),
    ("toml_syntax", '[server]\nlisten = ["127.0.0.1:0"\nworkers = 2\n' + UPSTREAM, None, None),
]


def run(args, timeout=15):
    return subprocess.run([larder_binary()] + args, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout, text=True)


class ConfigCliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="larder-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_good_config_checks(self):
        path = self.write("good.toml", GOOD)
        p = run(["--check-config", path])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_shipped_config_checks(self):
        shipped = source_dir() / "config" / "larder.toml"
        if not shipped.exists():
            self.skipTest("config/larder.toml not written yet")
        p = run(["--check-config", str(shipped)])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_bad_configs(self):
        for name, text, line, key in BAD:
            with self.subTest(name):
                path = self.write(name + ".toml", text)
                p = run(["--check-config", path])
                self.assertEqual(p.returncode, 2, "%s: exit %s, stderr %r" % (name, p.returncode, p.stderr))
                m = re.search(re.escape(path) + r":(\d+):(\d+): (.*)", p.stderr)
                self.assertIsNotNone(m, "%s: no FILE:LINE:COL in %r" % (name, p.stderr))
                if line is not None:
                    self.assertEqual(int(m.group(1)), line, p.stderr)
                self.assertGreaterEqual(int(m.group(2)), 1, p.stderr)
                if key is not None:
                    self.assertRegex(m.group(3), r"^" + key + r"\S*: \S", p.stderr)

    def test_missing_file(self):
        path = os.path.join(self.dir, "does-not-exist.toml")
        p = run(["--check-config", path])
        self.assertEqual(p.returncode, 2)
        self.assertIn(path, p.stderr)

    def test_version(self):
        p = run(["--version"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("larder", p.stdout.lower())
        self.assertRegex(p.stdout, r"\d+\.\d+")

    def test_help(self):
        p = run(["--help"])
        self.assertEqual(p.returncode, 0, p.stderr)
        for option in ("--config", "--check-config", "--ready-file"):
            self.assertIn(option, p.stdout + p.stderr)

    def test_daemon_refuses_bad_config(self):
        path = self.write("bad.toml", '[server]\nlisten = ["127.0.0.1:0"]\nmax_body_size = "huge"\n' + UPSTREAM)
        ready = os.path.join(self.dir, "ready")
        p = run(["--config", path, "--ready-file", ready], timeout=15)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(path + ":3:", p.stderr)
        self.assertIn("server.max_body_size", p.stderr)
        self.assertFalse(os.path.exists(ready))

    def test_daemon_refuses_unwritable_logs_and_bad_log_level(self):
        ready = os.path.join(self.dir, "ready")
        for name, text, args in [
            ("access", '[server]\nlisten = ["127.0.0.1:0"]\n[log]\naccess = "/proc/none/a.log"\n', []),
            ("error", '[server]\nlisten = ["127.0.0.1:0"]\n[log]\nerror = "/proc/none/e.log"\n', []),
            ("level", '[server]\nlisten = ["127.0.0.1:0"]\n', ["--log-level", "verbose"]),
        ]:
            with self.subTest(name):
                path = self.write(name + ".toml", text + UPSTREAM)
                p = run(["--config", path, "--ready-file", ready] + args, timeout=15)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.strip(), "no message on stderr")
                self.assertFalse(os.path.exists(ready))


if __name__ == "__main__":
    unittest.main()
