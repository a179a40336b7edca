"""Redis, HAProxy and a few Larder nodes on loopback, for tests/e2e/test_cluster.py and bench.

- `Redis()` runs `redis-server` on 127.0.0.1 and a port picked free (redis cannot report a port
  it chose), without persistence (`--save "" --appendonly no`), and waits until it answers PING.
  `command(*args)` sends one command (RESP) and returns the decoded reply: a tiny client, enough
  to read the purge stream and the node hash.
- `HAProxy(bind, servers)` fills config/haproxy.cfg.in (the documented config) with the bind
  address and one `server NAME HOST:PORT check port ADMIN` line per node, adds a stats socket
  in a second config file, runs `haproxy -db` and waits until the frontend accepts connections.
  `server_states()` reads `show servers state` from the socket; `wait_states()` waits (bounded)
  until the nodes are UP or DOWN as asked.
- `node_config(...)` is the config of one node: listener and admin listener on its own
  loopback address (127.0.0.2, 127.0.0.3, ... work on Linux without setup), and [cluster].

Every process is started by the caller's test and stopped by its cleanup; each writes its
output to a file in its own temp directory, printed when a test fails.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

from .daemon import larder_config, source_dir
from .gunicorn import free_port

__all__ = ["Redis", "HAProxy", "node_config", "tools_missing"]


def tools_missing():
    """The binaries test_cluster needs that are not installed (scripts/bootstrap installs them)."""
    return [b for b in ("redis-server", "haproxy") if shutil.which(b) is None]


def _wait_port(host, port, proc, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s" % (what, proc.returncode))
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("%s did not listen on %s:%d" % (what, host, port))


class Redis:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="larder-redis-")
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "redis.log")
        self.proc = None
        try:
            self.start()
        except BaseException:
            self.close()
            raise

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def start(self):
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", self.dir, "--daemonize", "no"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        _wait_port("127.0.0.1", self.port, self.proc, "redis-server")
        deadline = time.monotonic() + 10
        while self.command("PING") != "PONG":
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server does not answer PING")
            time.sleep(0.02)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def command(self, *args, timeout=5.0):
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            out = b"*%d\r\n" % len(args)
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out += b"$%d\r\n%s\r\n" % (len(a), a)
            s.sendall(out)
            return _read_reply(s.makefile("rb"))

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def _read_reply(f):
    line = f.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError("redis: " + rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode("utf-8", "replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise RuntimeError("redis: unexpected reply %r" % line)


class HAProxy:
    def __init__(self, servers, check_inter="200ms"):
        """servers: [(name, host, port, admin_port)]."""
        self.dir = tempfile.mkdtemp(prefix="larder-haproxy-")
        self.port = free_port()
        self.socket_path = os.path.join(self.dir, "stats.sock")
        self.log_path = os.path.join(self.dir, "haproxy.log")
        template = (source_dir() / "config" / "haproxy.cfg.in").read_text()
        lines = "\n".join("    server %s %s:%d check port %d" % s for s in servers)
        text = (template.replace("@BIND@", "127.0.0.1:%d" % self.port)
                .replace("@SERVERS@", lines).replace("@CHECK_INTER@", check_inter))
        self.config_path = os.path.join(self.dir, "haproxy.cfg")
        with open(self.config_path, "w") as f:
            f.write(text)
        self.stats_path = os.path.join(self.dir, "stats.cfg")
        with open(self.stats_path, "w") as f:
            f.write("global\n    stats socket %s level admin\n" % self.socket_path)
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                ["haproxy", "-db", "-f", self.config_path, "-f", self.stats_path],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        try:
            _wait_port("127.0.0.1", self.port, self.proc, "haproxy")
            deadline = time.monotonic() + 10
            while not os.path.exists(self.socket_path):  # created around the same time
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("haproxy made no stats socket")
                time.sleep(0.02)
        except RuntimeError as e:
            output = self.log_text()
            self.close()
            raise RuntimeError("%s; its output:\n%s" % (e, output)) from None

    def stats(self, command):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(self.socket_path)
            s.sendall(command.encode() + b"\n")
            chunks = []
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
            return b"".join(chunks).decode()
        finally:
            s.close()

    def server_states(self):
        """{server name: "UP" | "DOWN" | ...} from `show stat` (the status column)."""
        text = self.stats("show stat")
        header, *rows = [l for l in text.splitlines() if l.strip()]
        columns = header.lstrip("# ").split(",")
        out = {}
        for row in rows:
            fields = dict(zip(columns, row.split(",")))
            if fields.get("svname") not in ("FRONTEND", "BACKEND"):
                out[fields["svname"]] = fields["status"]
        return out

    def wait_states(self, wanted, timeout=10.0):
        """Waits until every server in `wanted` ({name: "UP"|"DOWN"}) has that status."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.server_states()
            if all(states.get(n, "").startswith(s) for n, s in wanted.items()):
                return states
            if time.monotonic() > deadline:
                raise AssertionError("haproxy servers %r, wanted %r" % (states, wanted))
            time.sleep(0.05)

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def node_config(origin, index, redis, stream, rules, port=0, admin_port=0, cache=None,
                cluster=None):
    """Node `index` (0, 1, 2...) on 127.0.0.(index+2), named node(index+1)."""
    host = "127.0.0.%d" % (index + 2)
    cfg = larder_config(origin, server={"listen": ["%s:%d" % (host, port)], "workers": 1,
                                        "debug_headers": True},
                        rules=rules, cache=cache)
    cfg["admin"] = {"listen": ["%s:%d" % (host, admin_port)]}
    cfg["cluster"] = {"node": "node%d" % (index + 1), "redis": redis.address,
                      "stream": stream + ":purges", "nodes_key": stream + ":nodes",
                      "heartbeat": "200ms", "reconnect_max": "300ms",
                      "connect_timeout": "500ms", "command_timeout": "1s"}
    cfg["cluster"].update(cluster or {})
    return cfg
