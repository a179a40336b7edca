"""Running a WSGI app under Debian's gunicorn for a test: the part every app harness shares.

gunicorn does not report the port it bound when given port 0, so `start()` picks a free port
(bind to 0, read it, close), starts gunicorn on it and waits (bounded) until `probe()` answers;
if gunicorn exits (the port was taken meanwhile) it tries again with another port. A subclass
says what to run: `app_dir`, `target()` ("module:callable"), `env()`, `probe()` (raises OSError
or ValueError until the app answers) and optionally `prepare()` (run once before the first
start, e.g. database migrations).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

__all__ = ["GunicornApp", "free_port", "PYTHON"]

PYTHON = os.environ.get("LARDER_PYTHON", "/usr/bin/python3")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class GunicornApp:
    def __init__(self, prefix, workers, attempts=5):
        self.workers = workers
        self.attempts = attempts
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.log_path = os.path.join(self.dir, "gunicorn.log")
        self.proc = None
        self.port = None

    # -- what a subclass provides ---------------------------------------------------------
    app_dir = None

    def target(self):
        raise NotImplementedError

    def env(self):
        return dict(os.environ, PYTHONDONTWRITEBYTECODE="1")

    def probe(self):
        raise NotImplementedError

    def prepare(self):
        pass

    # -- running --------------------------------------------------------------------------
    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def start(self, timeout=30.0):
        self.prepare()
        last_error = None
        for _ in range(self.attempts):
            port = free_port()
            cmd = [PYTHON, "-m", "gunicorn", "-w", str(self.workers), "-b", "127.0.0.1:%d" % port,
                   "--chdir", self.app_dir, "--graceful-timeout", "2", self.target()]
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

    def _wait_answering(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.probe()
                return True
            except (OSError, ValueError):
                time.sleep(0.05)
        return False

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
        return False
