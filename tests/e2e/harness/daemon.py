"""Starting and stopping the real larder binary for one test.

`Larder(config)` writes the config (a TOML string, or a dict turned into TOML) to a fresh temp
directory, starts `larder --config larder.toml --ready-file ready` with stdout and stderr captured
to files there, and waits (bounded) until the ready file appears: that is start-up, not event
ordering. The ready file lists one `http 127.0.0.1:PORT` line per listener and one
`admin 127.0.0.1:PORT` line per admin listener, so configs use port 0: a config without an
`[admin]` section gets `[admin] listen = ["127.0.0.1:0"]` appended, so that tests running side by
side never compete for the default admin port.
`stop()` sends SIGTERM and returns the exit code; `close()` kills whatever is left and removes
the directory. `larder_config()` builds the usual dict: a port-0 listener plus upstream servers.

Under `make test-sanitize` (LARDER_SANITIZED=1 in the environment, larder built with
-fsanitize=address,undefined and ASAN_OPTIONS/UBSAN_OPTIONS making any report fatal with exit code
SANITIZER_EXIT), `close()` first stops the daemon with SIGTERM (so LeakSanitizer runs at exit),
then raises SanitizerReport when its stderr holds a sanitizer report, it exited with
SANITIZER_EXIT, or it died of a signal the test did not send (SIGSEGV, SIGABRT...): the test that
started it fails, with the report.
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time

__all__ = ["Larder", "larder_config", "to_toml", "larder_binary", "source_dir", "StartError",
           "SanitizerReport", "SANITIZER_EXIT"]

SANITIZER_EXIT = 66  # exitcode= in scripts/test-sanitize's ASAN_OPTIONS and UBSAN_OPTIONS
_SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                      "SUMMARY: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")


def sanitized():
    """Whether larder runs under ASan/UBSan (make test-sanitize)."""
    return os.environ.get("LARDER_SANITIZED") == "1"


def source_dir():
    env = os.environ.get("LARDER_SOURCE_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[3]


def larder_binary():
    env = os.environ.get("LARDER_BIN")
    if env:
        return env
    return str(source_dir() / "build" / "larder")


# -- config ---------------------------------------------------------------------------------
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k):
    return k if _BARE_KEY.match(k) else _string(k)


def _string(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join("%s = %s" % (_key(k), _value(x)) for k, x in v.items()) + " }"
    raise TypeError("cannot write %r as TOML" % (v,))


def _is_table_array(v):
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, dict) for x in v)


def _emit_table(lines, prefix, table):
    scalars = [(k, v) for k, v in table.items() if not isinstance(v, dict) and not _is_table_array(v)]
    for k, v in scalars:
        lines.append("%s = %s" % (_key(k), _value(v)))
    for k, v in table.items():
        name = (prefix + "." if prefix else "") + _key(k)
        if isinstance(v, dict):
            has_scalars = any(not isinstance(x, dict) and not _is_table_array(x) for x in v.values())
            if has_scalars or not v:  # a table of only sub-tables needs no header of its own
                lines.append("")
                lines.append("[%s]" % name)
            _emit_table(lines, name, v)
        elif _is_table_array(v):
            for item in v:
                lines.append("")
                lines.append("[[%s]]" % name)
                _emit_table(lines, name, item)


def to_toml(config):
    """A dict of TOML tables as TOML text (tables, arrays of tables, inline values)."""
    lines = []
    _emit_table(lines, "", config)
    return "\n".join(lines).strip() + "\n"


def larder_config(upstreams, server=None, cache=None, identity=None, rules=None, log=None,
                  upstream=None):
    """The usual test config: listen on 127.0.0.1:0, the given upstream addresses
    ("127.0.0.1:PORT", or an Origin), access log on stdout, plus any section overrides."""
    if not isinstance(upstreams, (list, tuple)):
        upstreams = [upstreams]
    addresses = [u if isinstance(u, str) else u.address for u in upstreams]
    cfg = {"server": {"listen": ["127.0.0.1:0"], "workers": 2}}
    cfg["server"].update(server or {})
    up = dict(upstream or {})
    up["servers"] = [{"address": a} for a in addresses]
    cfg["upstream"] = up
    cfg["log"] = {"access": "stdout"}
    cfg["log"].update(log or {})
    if cache:
        cfg["cache"] = dict(cache)
    if identity:
        cfg["identity"] = dict(identity)
    if rules:
        cfg["rules"] = list(rules)
    return cfg


# -- the daemon -----------------------------------------------------------------------------
class StartError(RuntimeError):
    pass


class SanitizerReport(AssertionError):
    """larder reported a memory or undefined-behaviour error, or crashed (make test-sanitize)."""


class Larder:
    def __init__(self, config, log_level=None, args=(), binary=None, start=True, start_timeout=10.0):
        self.binary = binary or larder_binary()
        self.dir = tempfile.mkdtemp(prefix="larder-e2e-")
        self.config_path = os.path.join(self.dir, "larder.toml")
        self.ready_path = os.path.join(self.dir, "ready")
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        text = config if isinstance(config, str) else to_toml(config)
        if not re.search(r"^\[admin\]", text, re.M):
            text = text.rstrip("\n") + '\n\n[admin]\nlisten = ["127.0.0.1:0"]\n'
        with open(self.config_path, "w") as f:
            f.write(text)
        self.config_text = text
        self.log_level = log_level
        self.args = list(args)
        self.proc = None
        self.listeners = []
        self.signals_sent = set()  # signals the test sent: dying of one of them is no crash
        if start:
            self.start(start_timeout)

    def command(self):
        cmd = [self.binary, "--config", self.config_path, "--ready-file", self.ready_path]
        if self.log_level:
            cmd += ["--log-level", self.log_level]
        return cmd + self.args

    def start(self, timeout=10.0):
        if not os.path.exists(self.binary):
            raise StartError("larder binary not found at %s (set LARDER_BIN)" % self.binary)
        out = open(self.stdout_path, "wb")
        err = open(self.stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err, cwd=self.dir)
        finally:
            out.close()
            err.close()
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.ready_path):
            if self.proc.poll() is not None:
                raise StartError("larder exited with %s before it was ready; stderr:\n%s"
                                 % (self.proc.returncode, self.stderr_text()))
            if time.monotonic() > deadline:
                self.kill()
                raise StartError("larder not ready after %.0f s; stderr:\n%s"
                                 % (timeout, self.stderr_text()))
            time.sleep(0.01)
        with open(self.ready_path) as f:
            self.listeners = []
            for line in f.read().splitlines():
                parts = line.split()
                if len(parts) == 2:
                    host, _, port = parts[1].rpartition(":")
                    self.listeners.append((parts[0], host, int(port)))
        if not self.listeners:
            raise StartError("ready file has no listener: %r" % open(self.ready_path).read())
        return self

    @property
    def port(self):
        """The port of the first http listener."""
        for kind, _, port in self.listeners:
            if kind == "http":
                return port
        raise StartError("no http listener in %r" % self.listeners)

    @property
    def admin_port(self):
        """The port of the first admin listener."""
        for kind, _, port in self.listeners:
            if kind == "admin":
                return port
        raise StartError("no admin listener in %r" % self.listeners)

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.running():
            self.signals_sent.add(sig)
            self.proc.send_signal(sig)

    def wait(self, timeout=15.0):
        """Waits for exit; returns the exit code, or None if it is still running after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=15.0):
        """SIGTERM, then wait. Returns the exit code; kills it (and returns None) on timeout."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.signals_sent.add(signal.SIGTERM)
            self.proc.send_signal(signal.SIGTERM)
        code = self.wait(timeout)
        if code is None:
            self.kill()
        return code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.signals_sent.add(signal.SIGKILL)
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def close(self):
        try:
            if sanitized() and self.proc is not None:
                self.stop(timeout=10.0)  # an exit of its own: LeakSanitizer checks at exit
                self.check_sanitizer()
        finally:
            self.kill()
            shutil.rmtree(self.dir, ignore_errors=True)

    def check_sanitizer(self):
        """Raises SanitizerReport when stderr shows a sanitizer report or larder crashed."""
        text = self.stderr_text()
        code = self.proc.poll() if self.proc is not None else None
        crashed = code is not None and code < 0 and -code not in self.signals_sent
        if code == SANITIZER_EXIT or crashed or any(m in text for m in _SANITIZER_MARKERS):
            raise SanitizerReport("larder exited with %s; stderr:\n%s" % (code, text[-12000:]))

    # -- output ---------------------------------------------------------------------------
    def stdout_text(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr_text(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def access_log_lines(self):
        """Lines of the access log (stdout) written so far."""
        return [l for l in self.stdout_text().splitlines() if l.strip()]

    def wait_for_log(self, predicate, timeout=5.0):
        """Polls the access log (bounded) until some line satisfies predicate; returns it or None.
        Log lines are written asynchronously, so this waits for output, not for ordering."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.access_log_lines():
                if predicate(line):
                    return line
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)

    def wait_for_stderr(self, text, timeout=5.0, count=1):
        """Polls the daemon's log (stderr, bounded) until `text` has appeared `count` times;
        returns whether it did. For state changes the daemon only reports in its log."""
        deadline = time.monotonic() + timeout
        while True:
            if self.stderr_text().count(text) >= count:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
