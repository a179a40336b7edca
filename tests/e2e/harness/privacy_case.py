"""The unittest side of the privacy suites: one member site per test class, a Larder per test,
the scenario runner with its checks, and the step-by-step checks of the shared-pages tests.

`PrivacyCase.scenario()` runs a visitor mix (harness/privacy.py) and then checks, besides leaks
and the per-visitor expectations: Larder's access log agrees with the X-Cache the clients saw
(its in-process counters are not exported, the log is their public face), and the app's request
log agrees too (a HIT never reached the app, every MISS and PASS did). Each scenario prints
one summary line; the class prints them all again at the end, ready to be quoted.

`PrivacyCase.step()` is one request of a shared-pages test: it checks the X-Cache (and that the
X-Cache-Reason names the cookie or key), and reads the requests the app received meanwhile, so
that a MISS or a STALE's refresh — a response Larder stores — is known to have been fetched
without the visitor's Cookie and Authorization.
"""
import collections
import os
import sys
import time
import unittest

from .apps import MembersSite
from .daemon import Larder, larder_config
from .privacy import Browser, Site, Tally, access_log_counts, foreign_names, is_public

__all__ = ["PrivacyCase", "PAGES", "anonymous_pages_rule", "STATIC_RULE", "FIRST_CONFIG_RULES",
           "VISITORS", "ANALYTICS_COOKIE"]

PAGES = ["/", "/about", "/project/*"]
VISITORS = int(os.environ.get("LARDER_PRIVACY_VISITORS", "32"))
STATIC_RULE = {"name": "static files", "path_prefix": "/static/", "cache": "1h",
               "ignore_cookies": True}
ANALYTICS_COOKIE = {"_ga": "GA1.2.1234567890.1700000000"}
# The config a new user writes first: no [identity], one rule.
FIRST_CONFIG_RULES = [{"name": "pages", "path": PAGES, "cache": "60s"}]


def anonymous_pages_rule(cache="60s", grace=None):
    rule = {"name": "anonymous pages", "path": PAGES, "visitor": "anonymous", "cache": cache,
            "strip_set_cookie": True}
    if grace is not None:
        rule["grace"] = grace
    return rule


class PrivacyCase(unittest.TestCase):
    site_kind = None          # "flask" or "django"
    backend = "signed_cookies"
    secret_key = "privacy-e2e-secret-key-0123456789"
    summaries = None

    @classmethod
    def setUpClass(cls):
        cls.app = MembersSite(cls.site_kind, workers=3, secret_key=cls.secret_key,
                              backend=cls.backend)
        cls.addClassCleanup(cls.app.stop)
        cls.app.start()
        cls.site = Site(cls.site_kind)
        cls.summaries = []

    @classmethod
    def tearDownClass(cls):
        if cls.summaries:
            sys.stderr.write("\n%s summaries:\n%s\n" % (cls.__name__, "\n".join(cls.summaries)))
            sys.stderr.flush()

    # -- Larder ---------------------------------------------------------------------------
    def start_larder(self, identity, rules):
        config = larder_config(self.app.address, server={"debug_headers": True},
                               cache={"max_size": "64MiB"}, identity=identity, rules=rules)
        larder = Larder(config, start=False)
        larder.rules = rules
        self.addCleanup(self._close_larder, larder)
        larder.start()
        return larder

    def _close_larder(self, larder):
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not getattr(outcome, "success", True):
            sys.stderr.write("\n--- larder stderr (last lines) ---\n%s\n--- gunicorn log ---\n%s\n"
                             % (larder.stderr_text()[-3000:], self.app.log()[-2000:]))
        larder.close()

    # -- scenarios ------------------------------------------------------------------------
    def scenario(self, name, larder, run, min_hit=None):
        """Runs run(tally), prints the report, checks the counters and asserts: no leak, no
        problem, and the hit ratio of each kind in `min_hit` ({kind: ratio})."""
        before = self.app.stats()["paths"]
        tally = Tally(name)
        run(tally)
        after = self.app.stats()["paths"]
        self._check_counts(larder, tally, before, after)
        tally.print_report()
        self.summaries.append(tally.summary())
        failures = []
        if tally.leaks:
            failures.append("%d responses showed another visitor's content" % len(tally.leaks))
        if tally.problems:
            failures.append("%d other problems" % len(tally.problems))
        for kind, least in (min_hit or {}).items():
            ratio, total = tally.ratio(kind)
            if not total:
                failures.append("no public page requests by %s visitors" % kind)
            elif ratio < least:
                failures.append("%s hit ratio %.1f%% < %.0f%%" % (kind, 100 * ratio, 100 * least))
        self.assertFalse(failures, "%s: %s\n%s" % (name, "; ".join(failures), tally.report()))
        return tally

    def _check_counts(self, larder, tally, before, after):
        seen = tally.x_cache_totals()
        logged = access_log_counts(larder, tally.requests)
        if logged != seen:
            tally.error("Larder's access log counts %s, the clients saw %s"
                        % (dict(logged), dict(seen)))
        public = collections.Counter()
        for counter in tally.public.values():
            public.update(counter)
        total = sum(public.values())
        reached = sum(n - before.get(p, 0) for p, n in after.items() if is_public(p))
        # Every MISS and PASS reached the app, a HIT never did. A MISS that was not stored (its
        # reason is not the rule's name) may have been followed by the visitor's own fetch,
        # a STALE by one refresh, a COALESCED follower of an unstored MISS by its own fetch.
        rules = {rule["name"] for rule in larder.rules}
        unstored = sum(n for (xc, why), n in tally.public_reasons.items()
                       if xc == "MISS" and why not in rules)
        least = public["MISS"] + public["PASS"] + public["HIT-FOR-PASS"]
        most = total - public["HIT"] + unstored
        if not least <= reached <= most:
            tally.error("the app served %d public-page requests; the X-Cache the clients saw "
                        "allow %d to %d (%s)" % (reached, least, most, dict(public)))

    # -- shared-pages steps ---------------------------------------------------------------
    def begin_steps(self):
        self.steps = []
        self.step_problems = []
        self.last_id = self.app.stats()["last_id"]

    def _app_rows(self, path):
        """The requests for `path` the app received since the previous look."""
        rows = self.app.stats(log=True, since=self.last_id)["requests"]
        if rows:
            self.last_id = rows[-1][0]
        return [row for row in rows if row[2] == path]

    def step(self, larder, browser, path, expect, reason=(), must=(), headers=(), status=200):
        """One GET through Larder by `browser`. `expect` is the X-Cache wanted (or a tuple of
        acceptable ones); `reason` names of which one must appear in X-Cache-Reason; `must`
        texts of the body. Then the app's log since the previous step: a MISS reached the app
        once, a STALE's background refresh reached it (waited for, bounded), both without
        Cookie and Authorization; a HIT did not reach it."""
        r = browser.get(path, headers=headers)
        mine = self._app_rows(path)
        xc, why = r.x_cache, r.header("X-Cache-Reason", "")
        if xc == "STALE":
            deadline = time.monotonic() + 5
            while not mine and time.monotonic() < deadline:
                time.sleep(0.05)
                mine = self._app_rows(path)
        what = "%s %s (cookies %s) -> %s %s %s" % (browser.name, path, browser.jar.names(),
                                                   r.status, xc, why)
        self.steps.append(what + "; app saw %s" % [(row[3], row[4]) for row in mine])
        expect = (expect,) if isinstance(expect, str) else tuple(expect)
        if r.status != status:
            self.step_problems.append("status %d, expected %d: %s" % (r.status, status, what))
        if xc not in expect:
            self.step_problems.append("X-Cache %s, expected %s: %s" % (xc, "/".join(expect), what))
        elif reason and not any(n in why for n in reason):
            self.step_problems.append("X-Cache-Reason %r names none of %s: %s"
                                      % (why, list(reason), what))
        foreign = foreign_names(r, browser.name)
        if foreign:
            self.step_problems.append("LEAK of %s: %s" % (foreign, what))
        for m in must:
            if m not in r.text:
                self.step_problems.append("missing %r: %s" % (m, what))
        if xc == "HIT" and mine:
            self.step_problems.append("a HIT reached the app: %s" % what)
        if xc in ("MISS", "STALE"):
            if len(mine) != 1:
                self.step_problems.append("a %s reached the app %d times: %s"
                                          % (xc, len(mine), what))
            for row in mine:
                if row[3] or row[4]:
                    self.step_problems.append(
                        "stored response fetched with the visitor's Cookie %r / Authorization %r:"
                        " %s" % (row[3], row[4], what))
        return r

    def form_tally(self):
        """Where Site's form posts (logins, contact, cart) of a step-by-step test are checked."""
        return Tally("forms")

    def end_steps(self, title, forms=None):
        if forms is not None:
            self.step_problems += ["LEAK in a form post: %s" % x for x in forms.leaks]
            self.step_problems += ["form post: %s" % x for x in forms.problems]
        sys.stderr.write("\n%s:\n  %s\n" % (title, "\n  ".join(self.steps)))
        if self.step_problems:
            sys.stderr.write("  %d problems:\n    %s\n" % (len(self.step_problems),
                                                         "\n    ".join(self.step_problems)))
        sys.stderr.flush()
        self.summaries.append("%s: %d steps, %d problems (%d leaks)" % (
            title, len(self.steps), len(self.step_problems),
            sum(p.startswith("LEAK") for p in self.step_problems)))
        if self.step_problems:
            self.fail("%s: %d problems:\n  %s" % (title, len(self.step_problems),
                                                 "\n  ".join(self.step_problems)))

    def browser(self, larder, cookies=None):
        b = Browser(larder.port)
        for k, v in (cookies or {}).items():
            b.jar.set(k, v)
        self.addCleanup(b.close)
        return b

