"""Running the bundled Flask demo app (bench/apps/flask_demo) under gunicorn for a test
(harness/gunicorn.py starts it). The request counter lives in a SQLite file in the instance's
temp dir, shared by the workers.
"""
import json
import os
import socket

from .daemon import source_dir
from .gunicorn import PYTHON, GunicornApp, free_port

__all__ = ["FlaskDemo", "free_port", "PYTHON"]


class FlaskDemo(GunicornApp):
    def __init__(self, workers=2, secret_key="e2e-test-secret", attempts=5):
        super().__init__("larder-flask-", workers, attempts)
        self.secret_key = secret_key
        self.app_dir = str(source_dir() / "bench" / "apps" / "flask_demo")

    def target(self):
        return "app:app"

    def env(self):
        return dict(super().env(), SECRET_KEY=self.secret_key,
                    DEMO_COUNTER_DB=os.path.join(self.dir, "counter.sqlite"))

    def probe(self):
        self.counter()

    def start(self, timeout=20.0):
        return super().start(timeout)

    def counter(self):
        """GET /counter straight from the app (not through larder): {path: requests}."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"GET /counter HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise ValueError("bad /counter answer %r" % head[:100])
        return json.loads(body.decode())
