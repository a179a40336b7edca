"""Running the bundled Flask demo app (bench/apps/flask_demo) under gunicorn for a test.

gunicorn does not report the port it bound when given port 0, so `FlaskDemo.start()` picks a
free port (bind to 0, read it, close), starts gunicorn on it and waits (bounded) until the app
answers; if gunicorn exits (the port was taken meanwhile) it tries again with another port.
The request counter lives in a SQLite file in the instance's temp dir, shared by the workers.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from .daemon import source_dir

__all__ = ["FlaskDemo", "free_port", "PYTHON"]

PYTHON = os.environ.get("LARDER_PYTHON", "/usr/bin/python3")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class FlaskDemo:
    def __init__(self, workers=2, secret_key="e2e-test-secret", attempts=5):
        self.workers = workers
        self.secret_key = secret_key
        self.attempts = attempts
        self.app_dir = str(source_dir() / "bench" / "apps" / "flask_demo")
        self.dir = tempfile.mkdtemp(prefix="larder-flask-")
        self.log_path = os.path.join(self.dir, "gunicorn.log")
        self.proc = None
        self.port = None

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def start(self, timeout=20.0):
        last_error = None
        for _ in range(self.attempts):
            port = free_port()
            env = dict(os.environ, SECRET_KEY=self.secret_key,
                       DEMO_COUNTER_DB=os.path.join(self.dir, "counter.sqlite"),
                       PYTHONDONTWRITEBYTECODE="1")
            cmd = [PYTHON, "-m", "gunicorn", "-w", str(self.workers), "-b", "127.0.0.1:%d" % port,
                   "--chdir", self.app_dir, "--graceful-timeout", "2", "app:app"]
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             env=env, cwd=self.dir)
            finally:
                log.close()
            self.port = port
            if self._wait_answering(timeout):
                return self
            last_error = "gunicorn on port %d did not come up (exit %s)" % (port, self.proc.poll())
            self._kill()
        raise RuntimeError("%s; log:\n%s" % (last_error, self.log()))

    def _wait_answering(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.counter()
                return True
            except (OSError, ValueError):
                time.sleep(0.05)
        return False

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
                self.proc.wait(5)
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
