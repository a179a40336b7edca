"""Many visitors at once through Larder, and a check on every response that nobody saw anyone
else's page: the machinery of test_privacy_flask.py and test_privacy_django.py.

Every visitor has a unique random name (`vis` + 10 hex digits) and a cookie jar of their own, and
puts that name wherever the site lets them: the login, the contact form, the items of their
cart. So another visitor's content is easy to spot: a response holding any such name other than
the requester's own (in its body, its head, or a decoded Set-Cookie value) is a leak.

- `Site` knows the URLs of one of the member sites (tests/e2e/apps) and how to submit its forms
  (the Django site wants `csrfmiddlewaretoken` plus the `csrftoken` cookie, like a browser).
- `Browser` is one visitor: a keep-alive connection to Larder and a cookie jar.
- `Tally` counts X-Cache per kind of visitor, leaks and other problems (a logged-in visitor not
  greeted by their own name, a flash-holder whose next page lacks their message, a bad status).
- `run_mix()` runs `visitors` threads (released together by a barrier) for a bounded time, each
  a stream of visitors doing random episodes: strangers (no cookies, or only `_ga`), form posters
  (post the contact form, then the page the redirect names must show their message), members
  (log in with or without remember-me, browse, sometimes "restart the browser", log out, and the
  next page must say goodbye to them), and cart holders (add to the cart, then browse the public
  pages). `run_grace()` makes a flash-holder or a member the first visitor to find an expired
  object still in grace, then lets strangers fetch it.

Kinds: "stranger"; "flash" (the page that must show the visitor's own message); "anon-after"
(anonymous pages after the message was shown or after logging out); "member"; "cart" (public
pages of a visitor whose session holds only a cart); "cart-page" (their /cart); "form" (form
pages and posts); "grace-*" in the grace scenario. Hit ratio counts HIT, STALE and COALESCED
(served from the store) over the GETs of public pages (/, /about, /project/*).
"""
import base64
import collections
import os
import random
import re
import secrets
import sys
import threading
import time
import traceback
import urllib.parse
import zlib

from .access_log import parse_line
from .client import Client, ConnectionClosed

__all__ = ["NAME_RE", "PUBLIC", "is_public", "Site", "CookieJar", "Browser", "Tally", "new_name",
           "run_mix", "run_grace", "scenario_seconds", "foreign_names", "access_log_counts"]

NAME_RE = re.compile(r"vis[0-9a-f]{10}")
PUBLIC = ["/", "/about"] + ["/project/%d" % i for i in range(8)]
FROM_STORE = ("HIT", "STALE", "COALESCED")
ANALYTICS = "GA1.2.%d.1700000000"


def is_public(path):
    """The pages of the "anonymous pages" rule: /, /about, /project/*."""
    return path in ("/", "/about") or path.startswith("/project/")


def new_name():
    return "vis" + secrets.token_hex(5)


def scenario_seconds(default=8.0):
    """How long each scenario runs: LARDER_PRIVACY_SECONDS, else `default`."""
    return float(os.environ.get("LARDER_PRIVACY_SECONDS", default))


# -- what a response reveals -----------------------------------------------------------------
def cookie_texts(set_cookie):
    """A Set-Cookie value and whatever its base64 (and zlib) parts decode to: Flask's session,
    Django's signed session and `messages` cookie all carry their payload that way."""
    value = set_cookie.split(";", 1)[0].partition("=")[2].strip().strip('"')
    out = [value]
    for part in re.split(r"[.:$]", value):
        if len(part) < 8:
            continue
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            continue
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        out.append(raw.decode("latin-1"))
    return "\n".join(out)


def foreign_names(response, own):
    """Visitor names other than `own` anywhere in the response."""
    texts = [response.raw_head.decode("latin-1"), response.text]
    texts += [cookie_texts(v) for v in response.headers.get_all("Set-Cookie")]
    return sorted(set(NAME_RE.findall("\n".join(texts))) - {own})


def set_cookie_names(response):
    return sorted(v.split("=", 1)[0].strip() for v in response.headers.get_all("Set-Cookie"))


# -- one visitor -----------------------------------------------------------------------------
class CookieJar:
    """name -> (value, persistent). Deletions (Max-Age=0, an Expires in 1970, an empty value)
    remove the cookie; `restart()` drops the cookies that end with the browser session."""

    def __init__(self):
        self.cookies = {}

    def set(self, name, value, persistent=True):
        self.cookies[name] = (value, persistent)

    def update(self, response):
        for line in response.headers.get_all("Set-Cookie"):
            parts = [p.strip() for p in line.split(";")]
            name, _, value = parts[0].partition("=")
            attrs = {}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                attrs[k.strip().lower()] = v.strip()
            gone = (attrs.get("max-age") == "0" or "1970" in attrs.get("expires", "")
                    or value in ("", '""'))
            if gone:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = (value, "max-age" in attrs or "expires" in attrs)

    def restart(self):
        self.cookies = {k: v for k, v in self.cookies.items() if v[1]}

    def names(self):
        return sorted(self.cookies)

    def header(self):
        return "; ".join("%s=%s" % (k, v[0]) for k, v in self.cookies.items())


class Browser:
    def __init__(self, port, name=None):
        self.port = port
        self.name = name or new_name()
        self.jar = CookieJar()
        self.client = None

    def request(self, method, path, form=None, headers=()):
        hdrs = list(headers)
        cookie = self.jar.header()
        if cookie:
            hdrs.append(("Cookie", cookie))
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            hdrs.append(("Content-Type", "application/x-www-form-urlencoded"))
        for attempt in (0, 1):
            try:
                if self.client is None:
                    self.client = Client(self.port, timeout=20)
                response = self.client.request(method, path, hdrs, body)
                break
            except (ConnectionClosed, ConnectionError):
                self.close()  # a keep-alive connection closed under us: once more, like browsers
                if attempt:
                    raise
        if (response.headers.get("Connection") or "").lower() == "close":
            self.close()
        self.jar.update(response)
        return response

    def get(self, path, headers=()):
        return self.request("GET", path, headers=headers)

    def post(self, path, form):
        return self.request("POST", path, form=form)

    def restart(self):
        """The browser is closed and opened again: session cookies are gone."""
        self.close()
        self.jar.restart()

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None


# -- the sites -------------------------------------------------------------------------------
_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Site:
    """URLs and forms of the Flask or the Django member site."""

    def __init__(self, kind):
        self.kind = kind
        slash = "/" if kind == "django" else ""
        self.contact = "/contact" + slash
        self.login_url = "/login" + slash
        self.logout_url = "/logout" + slash
        self.cart = "/cart" + slash
        self.cart_add = "/cart/add" + slash
        self.me = "/me" + slash
        self.csrf = kind == "django"

    def submit(self, browser, tally, form_page, action, fields):
        """Posts a form like a browser: with Django, GET the form page first for the token."""
        fields = dict(fields)
        if self.csrf:
            page = browser.get(form_page)
            tally.page("form", browser, form_page, page)
            m = _CSRF_RE.search(page.text)
            if m is None:
                tally.problem("form", browser, form_page, page, "no csrf token in the form")
                return None
            fields["csrfmiddlewaretoken"] = m.group(1)
        r = browser.post(action, fields)
        tally.page("form", browser, action, r, status=302)
        return r

    def post_contact(self, browser, tally):
        return self.submit(browser, tally, self.contact, self.contact,
                           {"name": browser.name, "message": "Hello from %s" % browser.name})

    def log_in(self, browser, tally, remember):
        return self.submit(browser, tally, self.login_url, self.login_url,
                           {"username": browser.name, "password": "pw",
                            "remember": "1" if remember else "0"})

    def log_out(self, browser, tally):
        r = browser.get(self.logout_url)
        tally.page("form", browser, self.logout_url, r, status=302)
        return r

    def add_to_cart(self, browser, tally, item):
        return self.submit(browser, tally, self.cart, self.cart_add, {"item": item})


# -- counting --------------------------------------------------------------------------------
class Tally:
    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.requests = 0
        self.by_kind = collections.defaultdict(collections.Counter)     # all responses
        self.public = collections.defaultdict(collections.Counter)      # GETs of PUBLIC pages
        self.public_paths = collections.Counter()                        # ... per path
        self.public_reasons = collections.Counter()                      # ... (X-Cache, reason)
        self.reasons = collections.defaultdict(collections.Counter)     # X-Cache-Reason
        self.anon_set_cookies = collections.Counter()                    # on anonymous pages
        self.leaks = []
        self.problems = []
        self.started = self.finished = None

    def _describe(self, kind, browser, path, response):
        return "%s %s %s -> %s %s (%s) cookies sent: %s" % (
            kind, browser.name, path, response.status if response else "-",
            response.x_cache if response else "-",
            response.header("X-Cache-Reason") if response else "-", browser.jar.names())

    def problem(self, kind, browser, path, response, what):
        with self.lock:
            self.problems.append("%s: %s" % (what, self._describe(kind, browser, path, response)))

    def error(self, what):
        with self.lock:
            self.problems.append(what)

    def page(self, kind, browser, path, response, status=200, must=(), cookies_before=None):
        """Records one response and checks it: no other visitor's name, the expected status,
        and every text in `must`."""
        foreign = foreign_names(response, browser.name)
        missing = [m for m in must if m not in response.text]
        with self.lock:
            self.requests += 1
            xc = response.x_cache or "-"
            self.by_kind[kind][xc] += 1
            self.reasons[kind]["%s %s" % (xc, response.header("X-Cache-Reason", "-"))] += 1
            if is_public(path):
                self.public[kind][xc] += 1
                self.public_paths[path] += 1
                self.public_reasons[(xc, response.header("X-Cache-Reason", "-"))] += 1
                if kind in ("stranger", "cart", "anon-after"):
                    for n in set_cookie_names(response):
                        self.anon_set_cookies["%s %s" % (xc, n)] += 1
            if foreign:
                self.leaks.append("%s saw %s" % (self._describe(kind, browser, path, response),
                                                 ", ".join(foreign)))
            if response.status != status:
                self.problems.append("status %d, expected %d: %s" % (
                    response.status, status, self._describe(kind, browser, path, response)))
            for m in missing:
                self.problems.append("missing %r: %s" % (m, self._describe(kind, browser, path,
                                                                            response)))

    # -- figures ------------------------------------------------------------------------------
    def ratio(self, kind):
        c = self.public.get(kind, collections.Counter())
        total = sum(c.values())
        return (sum(c[x] for x in FROM_STORE) / total) if total else None, total

    def x_cache_totals(self):
        total = collections.Counter()
        for c in self.by_kind.values():
            total.update(c)
        return total

    def summary(self):
        secs = (self.finished - self.started) if self.started and self.finished else 0
        parts = ["privacy[%s]: %d requests in %.1f s, %d leaks, %d other problems"
                 % (self.name, self.requests, secs, len(self.leaks), len(self.problems))]
        for kind in sorted(self.public):
            ratio, total = self.ratio(kind)
            counts = " ".join("%s=%d" % kv for kv in sorted(self.public[kind].items()))
            parts.append("%s hit %.1f%% of %d (%s)" % (kind, 100 * ratio, total, counts))
        return "; ".join(parts)

    def report(self, limit=8):
        """The summary, then the first leaks and problems and the pass reasons per kind."""
        lines = [self.summary()]
        if self.problems:
            kinds = collections.Counter(p.split(" ", 1)[0].split(":")[0] for p in self.problems)
            lines.append("  problems by kind: %s" % dict(kinds.most_common()))
        for title, items in (("leaks", self.leaks), ("problems", self.problems)):
            if items:
                lines.append("  first %s of %d:" % (title, len(items)))
                lines += ["    " + x for x in items[:limit]]
        for kind in sorted(self.reasons):
            top = ", ".join("%s x%d" % kv for kv in self.reasons[kind].most_common(4))
            lines.append("  %s: %s" % (kind, top))
        if self.anon_set_cookies:
            lines.append("  Set-Cookie on anonymous public pages: %s"
                         % dict(self.anon_set_cookies))
        return "\n".join(lines)

    def print_report(self):
        sys.stderr.write("\n" + self.report() + "\n")
        sys.stderr.flush()


# -- episodes --------------------------------------------------------------------------------
def _stranger(b, site, tally, rng, deadline):
    if rng.random() < 0.5:
        b.jar.set("_ga", ANALYTICS % rng.randrange(10 ** 9))
    for _ in range(rng.randint(5, 15)):
        if time.monotonic() > deadline:
            break
        path = rng.choice(PUBLIC)
        tally.page("stranger", b, path, b.get(path), must=["Hello, visitor"])


def _anonymous_pages(b, tally, rng, deadline, kind, count):
    for _ in range(count):
        if time.monotonic() > deadline:
            return
        path = rng.choice(PUBLIC)
        tally.page(kind, b, path, b.get(path), must=["Hello, visitor"])


def _poster(b, site, tally, rng, deadline):
    if rng.random() < 0.3:
        b.jar.set("_ga", ANALYTICS % rng.randrange(10 ** 9))
    r = site.post_contact(b, tally)
    if r is not None and r.status == 302:
        target = urllib.parse.urlsplit(r.header("Location", "/")).path or "/"
        tally.page("flash", b, target, b.get(target),
                   must=["Thanks for your message, %s" % b.name])
    _anonymous_pages(b, tally, rng, deadline, "anon-after", rng.randint(2, 6))


def _member(b, site, tally, rng, deadline):
    remember = rng.random() < 0.5
    r = site.log_in(b, tally, remember)
    if r is None or r.status != 302:
        return
    hello = "Hello, %s" % b.name
    tally.page("member", b, "/", b.get("/"), must=[hello])
    for _ in range(rng.randint(3, 8)):
        if time.monotonic() > deadline:
            break
        path = rng.choice(PUBLIC + [site.me])
        must = [hello] + (["This is the page of %s" % b.name] if path == site.me else [])
        tally.page("member", b, path, b.get(path), must=must)
    if remember and rng.random() < 0.5:
        b.restart()  # Flask: only remember_token is left; Flask-Login logs the member in again
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(PUBLIC)
            tally.page("member", b, path, b.get(path), must=[hello])
    r = site.log_out(b, tally)
    if r.status == 302:
        target = urllib.parse.urlsplit(r.header("Location", "/")).path or "/"
        tally.page("flash", b, target, b.get(target),
                   must=["Goodbye, %s" % b.name, "Hello, visitor"])
    _anonymous_pages(b, tally, rng, deadline, "anon-after", rng.randint(1, 3))


def _cart(b, site, tally, rng, deadline):
    items = []
    for k in range(rng.randint(1, 2)):
        item = "item-%s-%d" % (b.name, k)
        r = site.add_to_cart(b, tally, item)
        if r is None or r.status != 302:
            return
        items.append(item)
        tally.page("cart-page", b, site.cart, b.get(site.cart), must=items)
    _anonymous_pages(b, tally, rng, deadline, "cart", rng.randint(5, 12))
    tally.page("cart-page", b, site.cart, b.get(site.cart), must=items)


EPISODES = [(_stranger, 3), (_poster, 2), (_member, 3), (_cart, 2)]


def _run_threads(count, body, seconds, tally):
    """Starts `count` threads running body(i, deadline) together (barrier), joins them (bounded)."""
    barrier = threading.Barrier(count + 1)
    box = {}

    def main(i):
        try:
            barrier.wait(30)
            body(i, box["deadline"])
        except Exception:
            tally.error("thread %d: %s" % (i, traceback.format_exc()))

    threads = [threading.Thread(target=main, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    box["deadline"] = time.monotonic() + seconds
    tally.started = time.monotonic()
    barrier.wait(30)
    for t in threads:
        t.join(seconds + 60)
    tally.finished = time.monotonic()
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        tally.error("%d visitor threads still running %.0f s after the deadline" % (stuck, 60))


def run_mix(port, site, tally, seconds, visitors=32, seed=None):
    """`visitors` threads, each a stream of new visitors doing random episodes until the deadline."""
    seed = random.randrange(1 << 30) if seed is None else seed
    episodes = [e for e, _ in EPISODES]
    weights = [w for _, w in EPISODES]

    def body(i, deadline):
        rng = random.Random(seed * 1000 + i)
        while time.monotonic() < deadline:
            b = Browser(port)  # a new visitor: new name, empty cookie jar
            try:
                rng.choices(episodes, weights)[0](b, site, tally, rng, deadline)
            finally:
                b.close()

    _run_threads(visitors, body, seconds, tally)
    return tally


def run_grace(port, site, tally, seconds, keys=6, ttl=1.0, strangers=2, seed=None):
    """Each of `keys` threads owns one page: a stranger fetches it, the object expires (it stays
    in grace), then a flash-holder or a logged-in member (in turn: flash, member, member with
    remember-me) is the first to ask for it, then the stranger fetches it three times.
    Meanwhile `strangers` more threads browse the other public pages."""
    seed = random.randrange(1 << 30) if seed is None else seed
    run = secrets.token_hex(3)

    def personal_visitor_first(special, path, turn):
        if turn % 3 == 0:
            r = site.post_contact(special, tally)
            if r is not None and r.status == 302:
                tally.page("grace-flash", special, path, special.get(path),
                           must=["Thanks for your message, %s" % special.name])
            return
        remember = turn % 3 == 2
        r = site.log_in(special, tally, remember=remember)
        if r is not None and r.status == 302:
            if remember and site.kind == "flask":
                special.restart()  # only remember_token is left
            tally.page("grace-member", special, path, special.get(path),
                       must=["Hello, %s" % special.name])

    def owner(i, deadline, stranger):
        rng = random.Random(seed * 1000 + i)
        path = "/project/grace-%s-%d" % (run, i)
        turn = i
        while time.monotonic() < deadline:
            tally.page("grace-stranger", stranger, path, stranger.get(path),
                       must=["Hello, visitor"])
            time.sleep(ttl + 0.3)  # expired, within grace: the next request finds it stale
            special = Browser(port)
            try:
                personal_visitor_first(special, path, turn)
            finally:
                special.close()
            turn += 1
            for _ in range(3):
                time.sleep(0.1 + 0.1 * rng.random())
                tally.page("grace-stranger", stranger, path, stranger.get(path),
                           must=["Hello, visitor"])

    def browse(i, deadline, b):
        rng = random.Random(seed * 1000 + i)
        while time.monotonic() < deadline:
            path = rng.choice(PUBLIC)
            tally.page("stranger", b, path, b.get(path), must=["Hello, visitor"])
            time.sleep(0.01)

    def body(i, deadline):
        b = Browser(port)
        try:
            (owner if i < keys else browse)(i, deadline, b)
        finally:
            b.close()

    _run_threads(keys + strangers, body, seconds, tally)
    return tally


# -- Larder's own count ----------------------------------------------------------------------
def access_log_counts(larder, expected, timeout=10.0):
    """Cache statuses in Larder's access log once it holds `expected` lines (bounded wait:
    the log is written asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = larder.access_log_lines()
        if len(lines) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    counts = collections.Counter()
    for line in lines:
        record = parse_line(line)
        if record:
            counts[record["cache"]] += 1
    return counts
