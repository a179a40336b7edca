"""No visitor ever sees another visitor's content through Larder: a real Django site under load.

The site is tests/e2e/apps/django_site (Django 3.2 under gunicorn: auth, sessions, messages with
the default FallbackStorage, CSRF-protected forms), once with the signed-cookie session backend
and once with the database backend plus the `logged_in` marker cookie the site sets at login.
Every page shows the visitor's messages and "Hello, NAME" or "Hello, visitor". 32 visitor threads
(LARDER_PRIVACY_VISITORS) run for LARDER_PRIVACY_SECONDS (default 8) per scenario: strangers,
contact-form posters (a `messages` cookie), members logging in and out (with and without
remember-me, which here is the session's lifetime), anonymous cart holders (harness/privacy.py).
Every response is checked: no other visitor's name anywhere, a member is greeted by their own
name, a poster's next page shows their own message.

- Seed configs (`django_session` with backend "signed_cookies", and with backend "db" and
  `login_cookie = "logged_in"`): no leak; strangers and cart-only visitors are served from the
  store for at least 90% of their public pages.
- The first config a new user writes (no [identity]): no leak; strangers still 90%.
- Grace (signed cookies): a 1 s TTL with 30 s of grace; a poster or a member finds the expired
  page first; they see their own page and the strangers after them see nobody's.
- Shared pages, step by step, for both backends: what passes, what is served from the store,
  and that every stored response was fetched without the visitor's Cookie or Authorization,
  background refreshes in grace included.

LARDER_PRIVACY_OLD_IDENTITY=1 describes the site the way a Larder from before the privacy
rework understands (`cookies = ["sessionid"]`, or `["logged_in"]` with the db backend), to
measure such a binary; it fails here either way.
"""
import os
import secrets
import time
import unittest

from harness.privacy import run_grace, run_mix, scenario_seconds
from harness.privacy_case import (ANALYTICS_COOKIE, FIRST_CONFIG_RULES, STATIC_RULE, VISITORS,
                                  PrivacyCase, anonymous_pages_rule)

SECONDS = scenario_seconds(8.0)
EXPIRE = 1.6  # seconds after which an object of a 1 s rule is expired (and in grace)
SECRET_KEY = "privacy-e2e-django-secret-0123456789"
OLD_IDENTITY = os.environ.get("LARDER_PRIVACY_OLD_IDENTITY") == "1"


def identity(backend):
    if OLD_IDENTITY:
        return {"cookies": ["sessionid" if backend == "signed_cookies" else "logged_in"]}
    if backend == "signed_cookies":
        session = {"cookie": "sessionid", "backend": "signed_cookies", "secret_key": SECRET_KEY}
    else:
        session = {"cookie": "sessionid", "backend": backend, "login_cookie": "logged_in"}
    return {"django_session": session}


class DjangoPrivacyCase(PrivacyCase):
    site_kind = "django"
    secret_key = SECRET_KEY

    def seed_larder(self, rule=None):
        return self.start_larder(identity(self.backend), [rule or anonymous_pages_rule(),
                                                          STATIC_RULE])

    def shared_pages_steps(self, title):
        larder = self.seed_larder()
        site, step = self.site, self.step
        signed = self.backend == "signed_cookies"
        self.begin_steps()
        forms = self.form_tally()
        stranger = self.browser(larder)

        # An anonymous cart holder (csrftoken and a session without a user) gets the shared page.
        cart = self.browser(larder)
        site.add_to_cart(cart, forms, "item-%s-0" % cart.name)
        step(larder, cart, "/project/s-cart", "MISS", must=["Hello, visitor"])
        step(larder, stranger, "/project/s-cart", "HIT", must=["Hello, visitor"])
        step(larder, cart, "/project/s-cart", "HIT")
        step(larder, cart, site.cart, "PASS", must=["item-%s-0" % cart.name])

        ga = self.browser(larder, ANALYTICS_COOKIE)
        step(larder, ga, "/project/s-ga", "MISS")
        step(larder, stranger, "/project/s-ga", "HIT")

        # A message waiting in the `messages` cookie (FallbackStorage's first choice): personal.
        poster = self.browser(larder)
        site.post_contact(poster, forms)
        step(larder, poster, "/project/s-msg", "PASS", reason=["messages"],
             must=["Thanks for your message, %s" % poster.name])
        step(larder, stranger, "/project/s-msg", "MISS", must=["Hello, visitor"])

        if signed:
            # A message too big for the cookie goes to the session (`_messages`); the cookie
            # keeps only FallbackStorage's "not finished" mark. With a server-side backend
            # Larder cannot see inside the session: not checked there.
            big = self.browser(larder)
            r = site.submit(big, forms, site.contact, site.contact,
                            {"name": "%s %s" % (big.name, secrets.token_urlsafe(1800))})
            self.assertIn("sessionid", big.jar.names(), "the big message did not go to the "
                          "session: %s" % r)
            # The session alone must be enough: the same visitor without the messages cookie
            # (Django would not show the message then, so only the X-Cache is checked).
            bare = self.browser(larder)
            bare.name = big.name
            bare.jar.cookies = {k: v for k, v in big.jar.cookies.items() if k != "messages"}
            step(larder, bare, "/project/s-bigmsg-session", "PASS", reason=["_messages"])
            step(larder, big, "/project/s-bigmsg", "PASS", reason=["messages"],
                 must=["Thanks for your message, %s" % big.name])
            step(larder, stranger, "/project/s-bigmsg", "MISS", must=["Hello, visitor"])

        # Logged in (the session's user, or the logged_in marker with the db backend).
        member = self.browser(larder)
        site.log_in(member, forms, remember=False)
        hello = "Hello, %s" % member.name
        why = ["sessionid"] if signed else ["logged_in"]
        step(larder, member, "/project/s-member", "PASS", reason=why, must=[hello])
        step(larder, stranger, "/project/s-member", "MISS", must=["Hello, visitor"])
        step(larder, member, "/project/s-member", "PASS", reason=why, must=[hello])
        step(larder, member, site.me, "PASS", must=["This is the page of %s" % member.name])

        # Logging out: the goodbye message is personal until shown, then anonymous again.
        site.log_out(member, forms)
        step(larder, member, "/", "PASS", reason=["messages"],
             must=["Goodbye, %s" % member.name, "Hello, visitor"])
        step(larder, stranger, "/", "MISS", must=["Hello, visitor"])
        step(larder, member, "/", "HIT", must=["Hello, visitor"])

        rem = self.browser(larder)
        site.log_in(rem, forms, remember=True)
        step(larder, rem, "/static/app.css", "MISS")
        step(larder, stranger, "/static/app.css", "HIT")

        auth = self.browser(larder)
        step(larder, auth, "/project/s-auth", ("PASS", "MISS"),
             headers=[("Authorization", "Basic dmlzOnB3")])
        step(larder, stranger, "/project/s-auth", ("MISS", "HIT"), must=["Hello, visitor"])
        self.end_steps(title, forms)


    def grace_steps(self, title):
        # Whoever finds the page stale, its refresh is a stranger's fetch; a visitor with a
        # message or a login passes and leaves the stale page as it is.
        larder = self.seed_larder(anonymous_pages_rule(cache="1s", grace="30s"))
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
        step(larder, poster, path, "PASS", reason=["messages"],
             must=["Thanks for your message, %s" % poster.name])
        why = ["sessionid"] if self.backend == "signed_cookies" else ["logged_in"]
        step(larder, member, path, "PASS", reason=why, must=["Hello, %s" % member.name])
        step(larder, stranger, path, ("STALE", "HIT"), must=["Hello, visitor"])
        self.end_steps(title, forms)


class DjangoSignedCookiesPrivacyTest(DjangoPrivacyCase):
    backend = "signed_cookies"

    def test_seed_config_many_visitors(self):
        larder = self.seed_larder()
        self.scenario("django signed_cookies, seed config", larder,
                      lambda t: run_mix(larder.port, self.site, t, SECONDS, VISITORS),
                      min_hit={"stranger": 0.9, "cart": 0.9})

    def test_first_config_many_visitors(self):
        larder = self.start_larder(None, FIRST_CONFIG_RULES)
        self.scenario("django signed_cookies, first config (no [identity])", larder,
                      lambda t: run_mix(larder.port, self.site, t, SECONDS, VISITORS),
                      min_hit={"stranger": 0.9})

    def test_grace_personal_visitor_finds_the_stale_page(self):
        larder = self.seed_larder(anonymous_pages_rule(cache="1s", grace="30s"))
        self.scenario("django signed_cookies, 1s TTL + grace", larder,
                      lambda t: run_grace(larder.port, self.site, t, max(SECONDS, 5.0)))

    def test_shared_pages_step_by_step(self):
        self.shared_pages_steps("django signed_cookies shared pages")

    def test_grace_refresh_step_by_step(self):
        self.grace_steps("django signed_cookies grace refreshes")

    def test_first_config_shared_pages_step_by_step(self):
        larder = self.start_larder(None, FIRST_CONFIG_RULES)
        site, step = self.site, self.step
        self.begin_steps()
        forms = self.form_tally()
        stranger = self.browser(larder)
        ga = self.browser(larder, ANALYTICS_COOKIE)
        step(larder, ga, "/about", "MISS", must=["Hello, visitor"])
        step(larder, stranger, "/about", "HIT", must=["Hello, visitor"])
        # Without [identity] any cookie but analytics ones passes: csrftoken, sessionid, ...
        cart = self.browser(larder)
        site.add_to_cart(cart, forms, "item-%s-0" % cart.name)
        step(larder, cart, "/about", "PASS", reason=["csrftoken", "sessionid"])
        member = self.browser(larder)
        site.log_in(member, forms, remember=True)
        step(larder, member, "/project/f-1", "PASS", must=["Hello, %s" % member.name])
        step(larder, stranger, "/project/f-1", "MISS", must=["Hello, visitor"])
        step(larder, stranger, "/about", "HIT", must=["Hello, visitor"])
        self.end_steps("django first config shared pages", forms)


class DjangoDatabaseSessionsPrivacyTest(DjangoPrivacyCase):
    backend = "db"

    def test_seed_config_many_visitors(self):
        larder = self.seed_larder()
        self.scenario("django db + login_cookie, seed config", larder,
                      lambda t: run_mix(larder.port, self.site, t, SECONDS, VISITORS),
                      min_hit={"stranger": 0.9, "cart": 0.9})

    def test_shared_pages_step_by_step(self):
        self.shared_pages_steps("django db + login_cookie shared pages")

    def test_grace_refresh_step_by_step(self):
        self.grace_steps("django db + login_cookie grace refreshes")


if __name__ == "__main__":
    unittest.main()
