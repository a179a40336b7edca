"""Running the privacy tests' member sites (tests/e2e/apps) under Debian's gunicorn.

`MembersSite("flask")` is the Flask + Flask-Login site (apps/members_flask);
`MembersSite("django", backend="signed_cookies" | "db")` is the Django 3.2 site
(apps/django_site), whose SQLite database is migrated into the instance's temp dir first.
harness/gunicorn.py starts it, waiting (bounded) until the site answers /_stats. `stats()` reads the site's
request log straight from the app (not through Larder): per-path counts, and with log=True
every request's method, path, Cookie and Authorization headers.
"""
import http.client
import json
import os
import subprocess

from .daemon import source_dir
from .gunicorn import PYTHON, GunicornApp

__all__ = ["MembersSite"]

APPS_DIR = source_dir() / "tests" / "e2e" / "apps"


class MembersSite(GunicornApp):
    def __init__(self, kind, workers=3, secret_key="privacy-e2e-secret-key-0123456789",
                 backend="signed_cookies", attempts=5):
        if kind not in ("flask", "django"):
            raise ValueError("kind is 'flask' or 'django', not %r" % kind)
        super().__init__("larder-%s-site-" % kind, workers, attempts)
        self.kind = kind
        self.secret_key = secret_key
        self.backend = backend

    @property
    def app_dir(self):
        return str(APPS_DIR / ("members_flask" if self.kind == "flask" else "django_site"))

    def env(self):
        env = dict(super().env(), SECRET_KEY=self.secret_key,
                   APP_REQUEST_LOG=os.path.join(self.dir, "requests.sqlite"))
        if self.kind == "django":
            env.update(DJANGO_SETTINGS_MODULE="members.settings",
                       DJANGO_SESSION_BACKEND=self.backend,
                       DJANGO_DB=os.path.join(self.dir, "site.sqlite3"))
        return env

    def target(self):
        return "app:app" if self.kind == "flask" else "members.wsgi:application"

    def prepare(self):
        if self.kind == "django":
            self._migrate()

    def probe(self):
        self.stats()

    def _migrate(self):
        cmd = [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"]
        done = subprocess.run(cmd, cwd=self.app_dir, env=self.env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise RuntimeError("migrate failed (%d):\n%s"
                               % (done.returncode, done.stdout.decode("utf-8", "replace")))

    def get(self, target, headers=()):
        """One request straight to the app (not through Larder): (status, headers, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", target, headers=dict(headers, Host="localhost"))
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def stats(self, log=False, since=0):
        """The app's request log: {"paths": {path: n}, "requests": [[id, method, path, cookie,
        authorization], ...]} (requests only with log=True, rows after `since`)."""
        status, _, body = self.get("/_stats?log=%d&since=%d" % (1 if log else 0, since))
        if status != 200:
            raise ValueError("bad /_stats answer %d" % status)
        return json.loads(body.decode())
