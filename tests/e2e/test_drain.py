"""Graceful shutdown on SIGTERM.

Covers: a request in flight when SIGTERM arrives (the origin holds it on an Event) completes
with 200 after the origin is released; meanwhile new connections are refused; the daemon exits
with 0. Idle keep-alive connections do not hold the exit up, a SIGTERM sent as soon as the ready
file exists is handled the same way, and a request that outlives drain_timeout does not keep the
daemon alive.
"""
import signal
import socket
import threading
import time
import unittest

from harness.base import E2ETestCase
from harness.client import build_request
from harness.origin import Reply


def refuses_connections(port, timeout=5.0):
    """Polls (bounded) until connecting to port is refused; returns whether it was."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=1)
        except ConnectionRefusedError:
            return True
        except OSError:
            pass
        else:
            s.close()
        time.sleep(0.02)
    return False


class DrainTest(E2ETestCase):
    def test_inflight_request_completes_after_sigterm(self):
        larder = self.start_larder(server={"drain_timeout": "10s", "upstream_timeout": "20s"})
        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/slow", Reply(200, b"finished", hold=release, arrived=arrived))
        idle = self.client(larder)
        self.assertEqual(idle.get("/idle").status, 200)  # an idle keep-alive connection
        c = self.client(larder, timeout=20)
        c.send(build_request("GET", "/slow"))
        self.assertTrue(arrived.wait(10), "request never reached the origin")

        larder.signal(signal.SIGTERM)
        self.assertTrue(refuses_connections(larder.port), "new connections still accepted after SIGTERM")
        self.assertIsNone(larder.proc.poll(), "exited before the in-flight request finished")
        release.set()
        r = c.read_response()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"finished")
        self.assertEqual(r.header("Connection"), "close")  # the drain started while it was out
        self.assertEqual(larder.wait(15), 0)
        self.assertEqual(self.origin.count("/slow"), 1)

    def test_idle_daemon_exits_zero(self):
        larder = self.start_larder()
        c = self.client(larder)
        self.assertEqual(c.get("/x").status, 200)
        self.assertEqual(larder.stop(timeout=10), 0)
        self.assertTrue(c.wait_closed(5))

    def test_sigterm_right_after_ready_exits_zero(self):
        # Once the ready file exists, SIGTERM must already mean "drain and exit 0".
        for _ in range(5):
            larder = self.start_larder()
            larder.signal(signal.SIGTERM)
            self.assertEqual(larder.wait(10), 0)

    def test_drain_timeout_bounds_shutdown(self):
        larder = self.start_larder(server={"drain_timeout": "500ms", "upstream_timeout": "30s"})
        arrived, release = threading.Event(), threading.Event()
        self.addCleanup(release.set)
        self.origin.route("/forever", Reply(200, b"never", hold=release, arrived=arrived, hold_timeout=30))
        c = self.client(larder, timeout=20)
        c.send(build_request("GET", "/forever"))
        self.assertTrue(arrived.wait(10))
        larder.signal(signal.SIGTERM)
        code = larder.wait(10)
        self.assertIsNotNone(code, "daemon still running 10 s after SIGTERM with drain_timeout 500ms")


if __name__ == "__main__":
    unittest.main()
