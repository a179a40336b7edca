"""A unittest base class wiring origin, daemon and clients with cleanups.

Every process and socket a test creates is registered with addCleanup, so it is stopped even
when the test fails; the daemon's stderr is printed when a test fails, to see why.
"""
import sys
import time
import unittest

from .client import Client
from .daemon import Larder, larder_config
from .origin import Origin

__all__ = ["E2ETestCase"]


def wait_until(predicate, timeout=10.0, interval=0.01):
    """Polls `predicate` (bounded); returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class E2ETestCase(unittest.TestCase):
    def setUp(self):
        self.origin = Origin()
        self.addCleanup(self.origin.stop)
        self.daemons = []

    def start_larder(self, config=None, log_level=None, **sections):
        """Starts larder with `config` (TOML text or dict) or larder_config(self.origin, **sections)."""
        if config is None:
            config = larder_config(self.origin, **sections)
        daemon = Larder(config, log_level=log_level, start=False)
        self.daemons.append(daemon)
        self.addCleanup(self._close_daemon, daemon)
        return daemon.start()

    def _close_daemon(self, daemon):
        outcome = getattr(self, "_outcome", None)
        failed = outcome is not None and not getattr(outcome, "success", True)
        if failed:
            try:
                sys.stderr.write("\n--- larder stderr ---\n%s\n" % daemon.stderr_text()[-4000:])
            except OSError:
                pass
        daemon.close()

    def client(self, daemon, timeout=10.0):
        c = Client(daemon.port, timeout=timeout)
        self.addCleanup(c.close)
        return c

    def assert_serves(self, daemon, path="/alive"):
        """The daemon still accepts a new connection and proxies a request."""
        self.assertTrue(daemon.running(), "larder exited with %s" % daemon.proc.poll())
        with Client(daemon.port) as c:
            r = c.get(path)
        self.assertEqual(r.status, 200, r)
        return r
