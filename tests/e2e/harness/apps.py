"""Running the privacy tests' member sites (tests/e2e/apps) under Debian's gunicorn.

`MembersSite("flask")` is the Flask + Flask-Login site (apps/members_flask);
`MembersSite("django", backend="signed_cookies" | "db")` is the Django 3.2 site
(apps/django_site), whose SQLite database is migrated into the instance's temp dir first.
Like `FlaskDemo`, `start()` picks a free port, starts gunicorn on it and waits (bounded) until
the site answers /_stats, trying another port if gunicorn exits. `stats()` reads the site's
request log straight from the app (not through Larder): per-path counts, and with log=True
every request's method, path, Cookie and Authorization headers.
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from .daemon import source_dir
from .flask_app import PYTHON, free_port

__all__ = ["MembersSite"]

APPS_DIR = source_dir() / "tests" / "e2e" / "apps"


class MembersSite:
    def __init__(self, kind, workers=3, secret_key="privacy-e2e-secret-key-0123456789",
                 backend="signed_cookies", attempts=5):
        if kind not in ("flask", "django"):
            raise ValueError("kind is 'flask' or 'django', not %r" % kind)
        self.kind = kind
        self.workers = workers
        self.secret_key = secret_key
        self.backend = backend
        self.attempts = attempts
        self.dir = tempfile.mkdtemp(prefix="larder-%s-site-" % kind)
        self.log_path = os.path.join(self.dir, "gunicorn.log")
        self.proc = None
        self.port = None

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    @property
    def app_dir(self):
        return str(APPS_DIR / ("members_flask" if self.kind == "flask" else "django_site"))

    def env(self):
        env = dict(os.environ, SECRET_KEY=self.secret_key, PYTHONDONTWRITEBYTECODE="1",
                   APP_REQUEST_LOG=os.path.join(self.dir, "requests.sqlite"))
        if self.kind == "django":
            env.update(DJANGO_SETTINGS_MODULE="members.settings",
                       DJANGO_SESSION_BACKEND=self.backend,
                       DJANGO_DB=os.path.join(self.dir, "site.sqlite3"))
        return env

    def start(self, timeout=30.0):
        if self.kind == "django":
            self._migrate()
        target = "app:app" if self.kind == "flask" else "members.wsgi:application"
        last_error = None
        for _ in range(self.attempts):
            port = free_port()
            cmd = [PYTHON, "-m", "gunicorn", "-w", str(self.workers), "-b", "127.0.0.1:%d" % port,
                   "--chdir", self.app_dir, "--graceful-timeout", "2", target]
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             env=self.env(), cwd=self.dir)
            finally:
                log.close()
            self.port = port
            if self._wait_answering(timeout):
                return self
            last_error = "gunicorn on port %d did not come up (exit %s)" % (port, self.proc.poll())
            self._kill()
        raise RuntimeError("%s; log:\n%s" % (last_error, self.log()))

    def _migrate(self):
        cmd = [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"]
        done = subprocess.run(cmd, cwd=self.app_dir, env=self.env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise RuntimeError("migrate failed (%d):\n%s"
                               % (done.returncode, done.stdout.decode("utf-8", "replace")))

    def _wait_answering(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.stats()
                return True
            except (OSError, ValueError):
                time.sleep(0.05)
        return False

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

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def stop(self):
        self._kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
