"""No visitor ever sees another visitor's content through Larder: a real Flask site under load.

The site is tests/e2e/apps/members_flask (Flask + Flask-Login under gunicorn): every page shows
the visitor's flashed messages and "Hello, NAME" or "Hello, visitor". 32 visitor threads
(LARDER_PRIVACY_VISITORS) run for LARDER_PRIVACY_SECONDS (default 8) per scenario: strangers
(no cookies or only _ga), contact-form posters, members logging in with and without remember-me,
browsing, restarting the browser and logging out, and anonymous cart holders
(harness/privacy.py). Every response is checked: no other visitor's name anywhere, a member is
greeted by their own name, a flash-holder's next page shows their own message.

- The seed config ([identity] remember_token and the Flask session): no leak; strangers and
  cart-only visitors are served from the store for at least 90% of their public pages.
- The first config a new user writes (no [identity], one rule): no leak; strangers still 90%.
- Grace: a 1 s TTL with 30 s of grace, and a flash-holder or a member is the first to ask for
  the expired page: they see their own page, and the strangers after them see nobody's.
- Shared pages, step by step: what passes (and X-Cache-Reason names why), what is served from
  the store, and that every response Larder stored was fetched from the app without the
  visitor's Cookie or Authorization (the app logs the headers it received); the same for the
  background refresh of a page in grace found by a cart holder.

Each scenario prints a summary line (requests, leaks, hit ratio per kind). A Larder from before
the privacy rework fails here: it stores flash-holders' pages and forwards visitors' cookies.
"""
import time
import unittest

from harness.privacy import run_grace, run_mix, scenario_seconds
from harness.privacy_case import (ANALYTICS_COOKIE, FIRST_CONFIG_RULES, STATIC_RULE, VISITORS,
                                  PrivacyCase, anonymous_pages_rule)

SECONDS = scenario_seconds(8.0)
EXPIRE = 1.6  # seconds after which an object of a 1 s rule is expired (and in grace)
IDENTITY = {"cookies": ["remember_token"],
            "flask_session": {"cookie": "session", "user_key": "_user_id"}}


class FlaskPrivacyTest(PrivacyCase):
    site_kind = "flask"

    def test_seed_config_many_visitors(self):
        larder = self.start_larder(IDENTITY, [anonymous_pages_rule(), STATIC_RULE])
        self.scenario("flask, seed config", larder,
                      lambda t: run_mix(larder.port, self.site, t, SECONDS, VISITORS),
                      min_hit={"stranger": 0.9, "cart": 0.9})

    def test_first_config_many_visitors(self):
        larder = self.start_larder(None, FIRST_CONFIG_RULES)
        self.scenario("flask, first config (no [identity])", larder,
                      lambda t: run_mix(larder.port, self.site, t, SECONDS, VISITORS),
                      min_hit={"stranger": 0.9})

    def test_grace_personal_visitor_finds_the_stale_page(self):
        rules = [anonymous_pages_rule(cache="1s", grace="30s"), STATIC_RULE]
        larder = self.start_larder(IDENTITY, rules)
        self.scenario("flask, 1s TTL + grace", larder,
                      lambda t: run_grace(larder.port, self.site, t, max(SECONDS, 5.0)))

    def test_grace_refresh_step_by_step(self):
        # Whoever finds the page stale, its refresh is a stranger's fetch; a visitor with a
        # flash or a login passes and leaves the stale page as it is.
        larder = self.start_larder(IDENTITY, [anonymous_pages_rule(cache="1s", grace="30s"),
                                              STATIC_RULE])
        site, step, path = self.site, self.step, "/project/g-1"
        self.begin_steps()
        forms = self.form_tally()
        stranger = self.browser(larder)
        step(larder, stranger, path, "MISS")
        cart = self.browser(larder)
        site.add_to_cart(cart, forms, "item-%s-0" % cart.name)
        time.sleep(EXPIRE)
        step(larder, cart, path, "STALE", must=["Hello, visitor"])
        poster = self.browser(larder)
        site.post_contact(poster, forms)
        member = self.browser(larder)
        site.log_in(member, forms, remember=False)
        time.sleep(EXPIRE)
        step(larder, poster, path, "PASS", reason=["_flashes"],
             must=["Thanks for your message, %s" % poster.name])
        step(larder, member, path, "PASS", reason=["session"], must=["Hello, %s" % member.name])
        step(larder, stranger, path, ("STALE", "HIT"), must=["Hello, visitor"])
        self.end_steps("flask grace refreshes", forms)

    def test_shared_pages_step_by_step(self):
        larder = self.start_larder(IDENTITY, [anonymous_pages_rule(), STATIC_RULE])
        site, step = self.site, self.step
        self.begin_steps()
        forms = self.form_tally()
        stranger = self.browser(larder)

        # An anonymous visitor whose session holds only a cart gets the shared page, and the
        # page was fetched without their cookies.
        cart = self.browser(larder)
        site.add_to_cart(cart, forms, "item-%s-0" % cart.name)
        step(larder, cart, "/project/s-cart", "MISS", must=["Hello, visitor"])
        step(larder, stranger, "/project/s-cart", "HIT", must=["Hello, visitor"])
        step(larder, cart, "/project/s-cart", "HIT")
        step(larder, cart, site.cart, "PASS", must=["item-%s-0" % cart.name])

        # Analytics cookies only: a stranger; the app does not get them on a stored fetch.
        ga = self.browser(larder, ANALYTICS_COOKIE)
        step(larder, ga, "/project/s-ga", "MISS")
        step(larder, stranger, "/project/s-ga", "HIT")

        # A flashed message waiting in the session: personal; nothing is stored for others.
        poster = self.browser(larder)
        site.post_contact(poster, forms)
        step(larder, poster, "/project/s-flash", "PASS", reason=["_flashes"],
             must=["Thanks for your message, %s" % poster.name])
        step(larder, stranger, "/project/s-flash", "MISS", must=["Hello, visitor"])

        # Logged in without remember-me: only the session's _user_id says so.
        member = self.browser(larder)
        site.log_in(member, forms, remember=False)
        hello = "Hello, %s" % member.name
        step(larder, member, "/project/s-member", "PASS", reason=["session"], must=[hello])
        step(larder, stranger, "/project/s-member", "MISS", must=["Hello, visitor"])
        step(larder, member, "/project/s-member", "PASS", reason=["session"], must=[hello])

        # Remember-me after a browser restart: only remember_token is left.
        rem = self.browser(larder)
        site.log_in(rem, forms, remember=True)
        rem.restart()
        step(larder, rem, "/project/s-remember", "PASS", reason=["remember_token"],
             must=["Hello, %s" % rem.name])
        step(larder, stranger, "/project/s-remember", "MISS", must=["Hello, visitor"])

        # Logging out leaves a goodbye message: personal until shown, then anonymous again.
        site.log_out(member, forms)
        step(larder, member, "/", "PASS", reason=["_flashes"],
             must=["Goodbye, %s" % member.name, "Hello, visitor"])
        step(larder, stranger, "/", "MISS", must=["Hello, visitor"])
        step(larder, member, "/", "HIT", must=["Hello, visitor"])

        # Static files are stored whoever asks, and fetched without cookies.
        step(larder, rem, "/static/app.css", "MISS")
        step(larder, stranger, "/static/app.css", "HIT")

        # Authorization: whatever Larder does with it, a stored fetch must not carry it.
        auth = self.browser(larder)
        step(larder, auth, "/project/s-auth", ("PASS", "MISS"),
             headers=[("Authorization", "Basic dmlzOnB3")])
        step(larder, stranger, "/project/s-auth", ("MISS", "HIT"), must=["Hello, visitor"])
        self.end_steps("flask shared pages, seed config", forms)

    def test_first_config_shared_pages_step_by_step(self):
        larder = self.start_larder(None, FIRST_CONFIG_RULES)
        site, step = self.site, self.step
        self.begin_steps()
        forms = self.form_tally()
        stranger = self.browser(larder)
        ga = self.browser(larder, ANALYTICS_COOKIE)
        step(larder, ga, "/about", "MISS", must=["Hello, visitor"])
        step(larder, stranger, "/about", "HIT", must=["Hello, visitor"])
        # Without [identity] Larder cannot read the session: any other cookie passes.
        cart = self.browser(larder)
        site.add_to_cart(cart, forms, "item-%s-0" % cart.name)
        step(larder, cart, "/about", "PASS", reason=["session"])
        member = self.browser(larder)
        site.log_in(member, forms, remember=True)
        step(larder, member, "/about", "PASS", reason=["session", "remember_token"],
             must=["Hello, %s" % member.name])
        step(larder, member, "/project/f-1", "PASS", must=["Hello, %s" % member.name])
        step(larder, stranger, "/project/f-1", "MISS", must=["Hello, visitor"])
        step(larder, stranger, "/about", "HIT", must=["Hello, visitor"])
        self.end_steps("flask shared pages, first config", forms)


if __name__ == "__main__":
    unittest.main()
