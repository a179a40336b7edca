"""Content codings through Larder, against the real Django site (tests/e2e/apps/django_site).

- /menu/ is compressed by Django's GZipMiddleware (gzip_page): `Vary: Accept-Encoding`, gzip to
  clients that accept it. Under a rule with a TTL and under `cache = "origin"`, twelve different
  Accept-Encoding spellings (browsers', curl's, none, q-values, `*`, `identity;q=0`) are all
  served from ONE origin fetch (the app's own request log says so), each in a coding it accepts,
  every one decoding to the same bytes.
- /menu-plain/ is a 40 KiB uncompressed HTML page: stored once with a gzip and a brotli coding
  made at store time; br, gzip and identity clients get byte-identical pages after decoding
  (gzip with Python's gzip module; br with libbrotlidec through ctypes, as /usr/bin/python3 has
  no `brotli` module and Debian's `brotli` CLI is not installed), and /metrics counts the
  codings made and served.
"""
import ctypes
import ctypes.util
import gzip
import unittest

from harness.admin import admin_get, parse_prometheus
from harness.apps import MembersSite
from harness.client import Client
from harness.daemon import Larder, larder_config


def _load_brotli():
    name = ctypes.util.find_library("brotlidec") or "libbrotlidec.so.1"
    lib = ctypes.CDLL(name)
    lib.BrotliDecoderDecompress.argtypes = [ctypes.c_size_t, ctypes.c_char_p,
                                            ctypes.POINTER(ctypes.c_size_t), ctypes.c_char_p]
    lib.BrotliDecoderDecompress.restype = ctypes.c_int
    return lib


BROTLI = _load_brotli()


def unbrotli(data, limit=8 << 20):
    out = ctypes.create_string_buffer(limit)
    size = ctypes.c_size_t(limit)
    if BROTLI.BrotliDecoderDecompress(len(data), data, ctypes.byref(size), out) != 1:
        raise ValueError("not a brotli stream")
    return out.raw[:size.value]


def decoded(response):
    coding = (response.header("Content-Encoding") or "identity").lower()
    if coding == "gzip":
        return gzip.decompress(response.body)
    if coding == "br":
        return unbrotli(response.body)
    if coding == "identity":
        return response.body
    raise AssertionError("unexpected Content-Encoding %r" % coding)


# (Accept-Encoding sent or None for no field, codings the client accepts)
SPELLINGS = [
    ("gzip, deflate, br", {"br", "gzip", "identity"}),           # Chrome, Firefox
    ("gzip, deflate, br, zstd", {"br", "gzip", "identity"}),     # Chrome 123+
    ("br;q=1.0, gzip;q=0.8, *;q=0.1", {"br", "gzip", "identity"}),
    ("gzip, deflate", {"gzip", "identity"}),                     # older Safari, curl --compressed
    ("GZIP", {"gzip", "identity"}),
    ("x-gzip", {"gzip", "identity"}),
    ("br", {"br", "identity"}),
    ("identity", {"identity"}),
    ("", {"identity"}),
    (None, {"identity"}),                                        # curl, python
    ("*", {"br", "gzip", "identity"}),
    ("gzip;q=0, identity;q=0, br", {"br"}),
]


class CompressionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.site = MembersSite("django", workers=2)
        cls.site.start()
        _, _, cls.menu = cls.site.get("/menu-plain/")
        assert len(cls.menu) >= 40 * 1024
        # The origin itself compresses /menu/ for a client that accepts gzip.
        _, headers, body = cls.site.get("/menu/", {"Accept-Encoding": "gzip"})
        assert dict(headers).get("Content-Encoding") == "gzip", headers
        assert gzip.decompress(body) == cls.menu

    @classmethod
    def tearDownClass(cls):
        cls.site.stop()

    def start_larder(self, rules, compression=None):
        config = larder_config(self.site.address, server={"debug_headers": True},
                               cache={"max_size": "64MiB", "default": "pass"}, rules=rules)
        if compression:
            config["compression"] = compression
        larder = Larder(config, start=False)
        self.addCleanup(larder.close)
        larder.start()
        return larder

    def client(self, larder):
        c = Client(larder.port)
        self.addCleanup(c.close)
        return c

    def origin_count(self, path):
        return self.site.stats()["paths"].get(path, 0)

    def fetch(self, client, path, accept_encoding):
        headers = [] if accept_encoding is None else [("Accept-Encoding", accept_encoding)]
        return client.get(path, headers=headers)

    def check_spellings(self, rules, path):
        larder = self.start_larder(rules)
        before = self.origin_count("/menu/")
        client = self.client(larder)
        statuses = []
        for spelling, accepted in SPELLINGS:
            r = self.fetch(client, path, spelling)
            self.assertEqual(r.status, 200, spelling)
            coding = (r.header("Content-Encoding") or "identity").lower()
            self.assertIn(coding, accepted, spelling)
            self.assertIn("accept-encoding", (r.header("Vary") or "").lower(), spelling)
            self.assertEqual(decoded(r), self.menu, spelling)
            self.assertEqual(int(r.header("Content-Length")), len(r.body), spelling)
            statuses.append(r.x_cache)
        self.assertEqual(statuses[0], "MISS")
        self.assertEqual(statuses[1:], ["HIT"] * (len(SPELLINGS) - 1))
        self.assertEqual(self.origin_count("/menu/") - before, 1)

    def test_vary_accept_encoding_under_a_ttl_rule_is_one_fetch_for_every_spelling(self):
        self.check_spellings([{"name": "menu", "path": "/menu/", "cache": "60s"}], "/menu/")

    def test_vary_accept_encoding_under_origin_rule_is_one_fetch_for_every_spelling(self):
        self.check_spellings([{"name": "menu", "path": "/menu/", "cache": "origin"}], "/menu/")

    def test_plain_page_is_stored_once_and_served_as_br_gzip_and_identity(self):
        larder = self.start_larder([{"name": "menu", "path": "/menu-plain/", "cache": "60s"}])
        before = self.origin_count("/menu-plain/")
        client = self.client(larder)
        br = self.fetch(client, "/menu-plain/", "gzip, deflate, br")
        gz = self.fetch(client, "/menu-plain/", "gzip")
        plain = self.fetch(client, "/menu-plain/", None)
        self.assertEqual([br.x_cache, gz.x_cache, plain.x_cache], ["MISS", "HIT", "HIT"])
        self.assertEqual(br.header("Content-Encoding"), "br")
        self.assertEqual(gz.header("Content-Encoding"), "gzip")
        self.assertIsNone(plain.header("Content-Encoding"))
        for r in (br, gz, plain):
            self.assertEqual(r.header("Vary"), "Accept-Encoding")
            self.assertEqual(decoded(r), self.menu)
        self.assertEqual(plain.body, self.menu)
        self.assertLess(len(br.body), len(self.menu) // 3)
        self.assertLess(len(gz.body), len(self.menu) // 3)
        self.assertEqual(self.origin_count("/menu-plain/") - before, 1)

        status, _, text = admin_get(larder, "/metrics")
        self.assertEqual(status, 200)
        metrics = parse_prometheus(text.decode())
        self.assertEqual(metrics[("larder_encodings_made_total", frozenset())], 2)
        served = {c: metrics[("larder_encoded_responses_total", frozenset({("coding", c)}))]
                  for c in ("identity", "gzip", "br")}
        self.assertEqual(served, {"identity": 1, "gzip": 1, "br": 1})
        self.assertEqual(metrics[("larder_encoding_bytes_saved_total", frozenset())],
                         2 * len(self.menu) - len(br.body) - len(gz.body))

    def test_compression_off_stores_the_page_as_it_came(self):
        larder = self.start_larder([{"name": "menu", "path": "/menu-plain/", "cache": "60s"}],
                                   compression={"enabled": False})
        client = self.client(larder)
        r = self.fetch(client, "/menu-plain/", "gzip, deflate, br")
        self.assertIsNone(r.header("Content-Encoding"))
        self.assertEqual(r.body, self.menu)
        self.assertEqual(self.fetch(client, "/menu-plain/", "gzip").x_cache, "HIT")


if __name__ == "__main__":
    unittest.main()
