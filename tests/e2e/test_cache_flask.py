"""The case Larder was built for: the bundled Flask app under gunicorn, behind larder.

With the config of the architecture brief (anonymous pages cached, identity from
`remember_token` and the Flask session's `_user_id`, static files cached ignoring cookies):
an anonymous page is a MISS then a HIT and reaches the app once (the app's /counter says so);
a user logged in without "remember me" (known only by the signed session cookie) and one with it
(remember_token, with or without the session) never get a HIT, and their "Hello, alice" page is
never served to an anonymous client afterwards; after logging out the visitor is anonymous again;
anonymous visitors carrying analytics cookies or
Flask's anonymous session cookie still HIT; paths without a rule (/profile, /counter, /login) are
never cached; cached responses carry no Set-Cookie; static files HIT whatever the cookies.
"""
import unittest

from harness.client import Client
from harness.daemon import Larder
from harness.flask_app import FlaskDemo

CONFIG = """\
[server]
listen = ["127.0.0.1:0"]
workers = 2
debug_headers = true

[[upstream.servers]]
address = "{address}"

[cache]
max_size = "64MiB"

[identity]
cookies = ["remember_token", "sessionid"]
flask_session = {{ cookie = "session", user_key = "_user_id" }}

[[rules]]
name = "anonymous pages"
path = ["/", "/about", "/project/*"]
visitor = "anonymous"
cache = "60s"
strip_set_cookie = true

[[rules]]
name = "static files"
path_prefix = "/static/"
cache = "1h"
ignore_cookies = true
"""

ANALYTICS = "_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000"


def cookie_header(cookies):
    return "; ".join("%s=%s" % kv for kv in cookies.items())


def set_cookies(response):
    """{name: value} from a response's Set-Cookie headers."""
    out = {}
    for v in response.headers.get_all("Set-Cookie"):
        name, _, value = v.split(";", 1)[0].partition("=")
        out[name.strip()] = value.strip()
    return out


class FlaskCacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = FlaskDemo(workers=2)
        cls.addClassCleanup(cls.app.stop)
        cls.app.start()

    def setUp(self):
        self.larder = Larder(CONFIG.format(address=self.app.address), start=False)
        self.addCleanup(self.larder.close)
        self.larder.start()

    # -- helpers ------------------------------------------------------------------------
    def fetch(self, path, cookies=None, method="GET", body=None, headers=()):
        hdrs = list(headers)
        if cookies:
            hdrs.append(("Cookie", cookies if isinstance(cookies, str) else cookie_header(cookies)))
        with Client(self.larder.port) as c:
            return c.request(method, path, hdrs, body)

    def login(self, user="alice", remember=False):
        form = "username=%s&password=password%s" % (user, "&remember=on" if remember else "")
        r = self.fetch("/login", method="POST", body=form.encode(),
                       headers=[("Content-Type", "application/x-www-form-urlencoded")])
        self.assertEqual(r.status, 302, r.text)
        self.assertEqual(r.x_cache, "PASS")
        cookies = set_cookies(r)
        self.assertIn("session", cookies)
        self.assertEqual("remember_token" in cookies, remember)
        return cookies

    def anonymous_session(self):
        """Flask's session cookie for an anonymous visitor, straight from the app."""
        with Client(self.app.port) as c:
            r = c.get("/login")
        return set_cookies(r)["session"]

    def app_count(self, path):
        return self.app.counter().get(path, 0)

    def assert_hello(self, response, name):
        self.assertEqual(response.status, 200, response)
        self.assertIn("Hello, %s" % name, response.text)
        for other in ("alice", "bob", "visitor"):
            if other != name:
                self.assertNotIn("Hello, %s" % other, response.text)

    # -- tests --------------------------------------------------------------------------
    def test_anonymous_page_miss_then_hit(self):
        before = self.app_count("/about")
        r1 = self.fetch("/about")
        r2 = self.fetch("/about")
        self.assertEqual(r1.x_cache, "MISS")
        self.assertEqual(r2.x_cache, "HIT")
        self.assert_hello(r1, "visitor")
        self.assertEqual(r2.body, r1.body)
        self.assertEqual(r2.headers.get_all("Set-Cookie"), [])
        self.assertEqual(self.app_count("/about") - before, 1)

    def test_anonymous_with_session_and_analytics_cookies_hit(self):
        before = self.app_count("/project/alpha")
        self.assertEqual(self.fetch("/project/alpha").x_cache, "MISS")
        r = self.fetch("/project/alpha", ANALYTICS)
        self.assertEqual(r.x_cache, "HIT")
        self.assert_hello(r, "visitor")
        r = self.fetch("/project/alpha", "session=%s; %s" % (self.anonymous_session(), ANALYTICS))
        self.assertEqual(r.x_cache, "HIT")
        self.assertEqual(r.headers.get_all("Set-Cookie"), [])
        self.assertEqual(self.app_count("/project/alpha") - before, 1)

    def test_session_only_login_never_cached_nor_leaked(self):
        alice = self.login("alice", remember=False)
        before = self.app_count("/")
        # Cold cache: if larder took alice for anonymous, it would store her page here.
        for _ in range(2):
            r = self.fetch("/", {"session": alice["session"]})
            self.assertNotEqual(r.x_cache, "HIT")
            self.assert_hello(r, "alice")
        anon1 = self.fetch("/")
        anon2 = self.fetch("/", ANALYTICS)
        self.assert_hello(anon1, "visitor")
        self.assert_hello(anon2, "visitor")
        self.assertEqual(anon2.x_cache, "HIT")
        r = self.fetch("/", {"session": alice["session"]})
        self.assertNotEqual(r.x_cache, "HIT")
        self.assert_hello(r, "alice")
        self.assertEqual(self.app_count("/") - before, 4)  # 3 for alice, 1 anonymous miss

    def test_remember_me_login_never_cached_nor_leaked(self):
        bob = self.login("bob", remember=True)
        before = self.app_count("/about")
        r = self.fetch("/about", bob)
        self.assertNotEqual(r.x_cache, "HIT")
        self.assert_hello(r, "bob")
        # After a browser restart only the remember_token is left; Flask-Login logs bob in.
        r = self.fetch("/about", {"remember_token": bob["remember_token"]})
        self.assertNotEqual(r.x_cache, "HIT")
        self.assert_hello(r, "bob")
        for _ in range(2):
            self.assert_hello(self.fetch("/about"), "visitor")
        r = self.fetch("/about", "%s; remember_token=%s" % (ANALYTICS, bob["remember_token"]))
        self.assertNotEqual(r.x_cache, "HIT")
        self.assert_hello(r, "bob")
        self.assertEqual(self.app_count("/about") - before, 4)  # 3 for bob, 1 anonymous miss

    def test_logged_out_user_is_anonymous_again(self):
        alice = self.login("alice")
        r = self.fetch("/logout", alice)
        self.assertEqual((r.status, r.x_cache), (302, "PASS"))
        after = dict(alice, **set_cookies(r))  # the session cookie without _user_id now
        self.assertEqual(self.fetch("/project/beta").x_cache, "MISS")
        r = self.fetch("/project/beta", {"session": after["session"]})
        self.assertEqual(r.x_cache, "HIT")
        self.assert_hello(r, "visitor")

    def test_paths_without_rule_never_cached(self):
        alice = self.login("alice")
        for _ in range(2):
            r = self.fetch("/profile", alice)
            self.assertEqual(r.x_cache, "PASS")
            self.assertIn("Private page of <b>alice</b>", r.text)
        for _ in range(2):
            r = self.fetch("/profile")
            self.assertEqual((r.status, r.x_cache), (302, "PASS"))
            r = self.fetch("/counter")
            self.assertEqual((r.status, r.x_cache), (200, "PASS"))
        r = self.fetch("/profile")
        self.assertNotIn("alice", r.text)

    def test_static_files_hit_whatever_the_cookies(self):
        alice = self.login("alice")
        before = self.app_count("/static/style.css")
        r1 = self.fetch("/static/style.css", alice)
        r2 = self.fetch("/static/style.css")
        r3 = self.fetch("/static/style.css", ANALYTICS)
        self.assertEqual((r1.status, r1.x_cache), (200, "MISS"))
        self.assertEqual((r2.x_cache, r3.x_cache), ("HIT", "HIT"))
        self.assertIn(b"Larder demo stylesheet", r2.body)
        self.assertEqual(r2.headers.get_all("Set-Cookie"), [])
        self.assertEqual(self.app_count("/static/style.css") - before, 1)


if __name__ == "__main__":
    unittest.main()
