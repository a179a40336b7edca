"""The access log in both formats, and request ids.

Covers: `[log] format = "text"` and `"json"` lines carry every documented field (address, RFC 3339
UTC time with milliseconds, method, target, protocol, status, bytes, referer, user agent,
durations, cache status, reason, host, request id) and parse back to what was sent; a request id
is generated per request (32 hex digits, unique), sent upstream and returned as X-Request-Id,
and a client's acceptable X-Request-Id is kept while an unacceptable one is replaced; a hit
carries its own request's id, not the id the app echoed when the object was stored; hostile
User-Agent values (quotes, backslashes, tabs, non-ASCII bytes) reach the log escaped and parse
back byte for byte, and requests the parser refuses (obs-fold, control bytes) still make exactly
one well-formed line each.
"""
import datetime
import json
import re
import unittest

from harness.access_log import parse_line
from harness.base import E2ETestCase
from harness.origin import Reply

RULES = [{"name": "cached pages", "path_prefix": "/c/", "cache": "60s"}]
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


class AccessLogCase(E2ETestCase):
    FORMAT = "text"

    def setUp(self):
        super().setUp()
        self.larder = self.start_larder(log={"format": self.FORMAT}, rules=RULES)

    def line_for(self, needle, count=1):
        """The access-log lines containing `needle`, once there are `count` of them (bounded)."""
        self.larder.wait_for_log(lambda l: sum(needle in x for x in self.larder.access_log_lines())
                                 >= count)
        lines = [l for l in self.larder.access_log_lines() if needle in l]
        self.assertEqual(len(lines), count, lines)
        records = [parse_line(l) for l in lines]
        for line, record in zip(lines, records):
            self.assertIsNotNone(record, "unparsable %s line %r" % (self.FORMAT, line))
        return records

    def check_every_line_parses(self):
        for line in self.larder.access_log_lines():
            if line.startswith(("{", "127.")):
                self.assertIsNotNone(parse_line(line), line)
                if self.FORMAT == "json":
                    json.loads(line)  # strict JSON, one object a line


class FieldsTest(AccessLogCase):
    def test_every_field(self):
        self.origin.route("/fields", Reply(200, b"twelve bytes"))
        before = datetime.datetime.now(datetime.timezone.utc)
        r = self.client(self.larder).get("/fields?q=1", [("User-Agent", "probe/1.0 (test)"),
                                                         ("Referer", "http://ref.example/a b")])
        after = datetime.datetime.now(datetime.timezone.utc)
        self.assertEqual(r.status, 200)
        [rec] = self.line_for("/fields?q=1")
        self.assertRegex(rec["address"], r"^127\.0\.0\.1:\d+$")
        self.assertRegex(rec["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        when = datetime.datetime.strptime(rec["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc)
        self.assertLessEqual(before - datetime.timedelta(seconds=1), when)
        self.assertLessEqual(when, after + datetime.timedelta(seconds=1))
        self.assertEqual((rec["method"], rec["target"], rec["protocol"]), ("GET", "/fields?q=1",
                                                                           "HTTP/1.1"))
        self.assertEqual(rec["status"], 200)
        self.assertGreater(rec["bytes"], len(b"twelve bytes"))
        self.assertEqual(rec["referer"], "http://ref.example/a b")
        self.assertEqual(rec["user_agent"], "probe/1.0 (test)")
        self.assertGreaterEqual(rec["total_us"], rec["upstream_us"])
        self.assertEqual(rec["cache"], "PASS")
        self.assertEqual(rec["reason"], "no_rule_matched")
        self.assertEqual(rec["host"], "localhost")
        self.assertRegex(rec["request_id"], HEX_ID)
        self.assertEqual(r.header("X-Request-Id"), rec["request_id"])
        self.assertEqual(self.origin.last("/fields").headers.get_all("X-Request-Id"),
                         [rec["request_id"]])

    def test_absent_fields(self):
        self.client(self.larder).request("GET", "/bare", host=None, version="HTTP/1.0")
        [rec] = self.line_for("/bare")
        self.assertIsNone(rec["referer"])
        self.assertIsNone(rec["user_agent"])
        self.assertIsNone(rec["host"])
        self.assertEqual(rec["protocol"], "HTTP/1.0")


class RequestIdTest(AccessLogCase):
    def test_generated_ids_are_unique_and_sent_both_ways(self):
        c = self.client(self.larder)
        responses = [c.get("/ids/%d" % i) for i in range(20)]
        ids = [r.header("X-Request-Id") for r in responses]
        self.assertEqual(len(set(ids)), 20, ids)
        for i, rid in enumerate(ids):
            self.assertRegex(rid, HEX_ID)
            self.assertEqual(self.origin.last("/ids/%d" % i).header("X-Request-Id"), rid)
            [rec] = self.line_for("/ids/%d " % i if self.FORMAT == "text" else '"/ids/%d"' % i)
            self.assertEqual(rec["request_id"], rid)

    def test_client_id_kept_when_acceptable(self):
        r = self.client(self.larder).get("/own", [("X-Request-Id", "client-chosen.id_42")])
        self.assertEqual(r.header("X-Request-Id"), "client-chosen.id_42")
        self.assertEqual(self.origin.last("/own").headers.get_all("X-Request-Id"),
                         ["client-chosen.id_42"])
        [rec] = self.line_for("/own")
        self.assertEqual(rec["request_id"], "client-chosen.id_42")

    def test_client_id_replaced_when_not_acceptable(self):
        c = self.client(self.larder)
        for n, bad in enumerate(["x" * 129, "has space", "caf\xe9", ""]):
            path = "/replaced/%d" % n
            r = c.get(path, [("X-Request-Id", bad), ("X_Request_Id", "underscore spelling")])
            self.assertRegex(r.header("X-Request-Id"), HEX_ID, bad)
            sent = self.origin.last(path)
            self.assertEqual(sent.headers.get_all("X-Request-Id"), [r.header("X-Request-Id")])
            self.assertEqual(sent.headers.get_all("X_Request_Id"), [])

    def test_hit_carries_its_own_id_not_the_apps_echo(self):
        self.origin.route("/c/page", Reply(200, b"page", [("X-Request-Id", "echo-of-the-filler")]))
        c = self.client(self.larder)
        miss = c.get("/c/page")
        hit = c.get("/c/page")
        self.assertEqual((miss.x_cache, hit.x_cache), ("MISS", "HIT"))
        for r in (miss, hit):
            self.assertEqual(len(r.headers.get_all("X-Request-Id")), 1, r.headers.items)
            self.assertRegex(r.header("X-Request-Id"), HEX_ID)
        self.assertNotEqual(miss.header("X-Request-Id"), hit.header("X-Request-Id"))
        self.assertEqual(self.origin.count("/c/page"), 1)


class HostileTest(AccessLogCase):
    HOSTILE = 'evil" \\" \\x22 {"injected": true}\t]\xe9\xff end'

    def test_hostile_user_agent_is_escaped(self):
        c = self.client(self.larder)
        r = c.get("/hostile", [("User-Agent", self.HOSTILE), ("Referer", '"quoted"')])
        self.assertEqual(r.status, 200)
        [rec] = self.line_for("/hostile")
        self.assertEqual(rec["user_agent"], self.HOSTILE)
        self.assertEqual(rec["referer"], '"quoted"')
        self.check_every_line_parses()

    def test_refused_requests_make_one_line_each(self):
        attempts = [
            b"GET /fold HTTP/1.1\r\nHost: localhost\r\nUser-Agent: a\r\n b\" forged=1\r\n\r\n",
            b"GET /ctl HTTP/1.1\r\nHost: localhost\r\nUser-Agent: a\x01b\x1b[31m\r\n\r\n",
            b"GET /nul HTTP/1.1\r\nHost: localhost\r\nUser-Agent: a\x00b\r\n\r\n",
            b"GET /cr HTTP/1.1\r\nHost: localhost\r\nUser-Agent: a\rb\r\n\r\n",
        ]
        for raw in attempts:
            c = self.client(self.larder)
            c.send(raw)
            r = c.read_response()
            self.assertEqual(r.status, 400, raw)
            self.assertRegex(r.header("X-Request-Id"), HEX_ID)
        self.larder.wait_for_log(lambda l: len([x for x in self.larder.access_log_lines()
                                                if parse_line(x)]) >= len(attempts))
        lines = self.larder.access_log_lines()
        self.assertEqual(len(lines), len(attempts), lines)
        for line in lines:
            rec = parse_line(line)
            self.assertIsNotNone(rec, line)
            self.assertEqual(rec["status"], 400)
            self.assertEqual(rec["cache"], "ERROR")
            self.assertNotIn("forged", line)  # the folded line never became a field
        self.assertEqual(self.origin.count(), 0)


class JsonFieldsTest(FieldsTest):
    FORMAT = "json"


class JsonRequestIdTest(RequestIdTest):
    FORMAT = "json"


class JsonHostileTest(HostileTest):
    FORMAT = "json"


if __name__ == "__main__":
    unittest.main()
