"""One Larder per listen address (docs/operations.md, "One instance per address").

Covers: a second larder configured with an address the first one serves exits non-zero with a
message naming that address, and takes none of its traffic (every request is answered by the
first one's origin); the first one, with two workers sharing the port through SO_REUSEPORT,
keeps serving, on several connections at once; a second larder on a wildcard address that
overlaps the first one's port is refused the same way.
"""
import os
import unittest

from harness.base import E2ETestCase
from harness.client import Client
from harness.daemon import Larder, StartError, larder_config
from harness.origin import Origin


class OneInstanceTest(E2ETestCase):
    def second_larder(self, listen):
        other_origin = Origin()
        self.addCleanup(other_origin.stop)
        cfg = larder_config(other_origin, server={"listen": [listen]})
        second = Larder(cfg, start=False)
        self.addCleanup(second.close)
        with self.assertRaises(StartError) as failed:
            second.start(timeout=10)
        return second, other_origin, str(failed.exception)

    def test_second_instance_on_a_busy_port_exits_non_zero_naming_the_address(self):
        first = self.start_larder(server={"workers": 2})
        address = "127.0.0.1:%d" % first.port
        second, other_origin, message = self.second_larder(address)
        self.assertNotEqual(second.proc.returncode, 0)
        self.assertGreater(second.proc.returncode, 0, "died of a signal, not an exit")
        self.assertIn("cannot listen on %s" % address, second.stderr_text())
        self.assertIn("Address already in use", second.stderr_text())
        self.assertFalse(os.path.exists(second.ready_path))

        # The first one serves everything, on several connections at once (both workers).
        clients = [Client(first.port) for _ in range(12)]
        try:
            for i, c in enumerate(clients):
                self.assertEqual(c.get("/n/%d" % i).status, 200)
        finally:
            for c in clients:
                c.close()
        self.assertEqual(self.origin.count(), 12)
        self.assertEqual(other_origin.count(), 0)
        self.assert_serves(first)

    def test_wildcard_address_overlapping_a_served_port_is_refused(self):
        first = self.start_larder()
        address = "0.0.0.0:%d" % first.port
        second, _, _ = self.second_larder(address)
        self.assertNotEqual(second.proc.returncode, 0)
        self.assertIn("cannot listen on %s" % address, second.stderr_text())
        self.assert_serves(first)


if __name__ == "__main__":
    unittest.main()
