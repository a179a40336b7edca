"""Processes and measurements for bench/run: free ports, templated configs, starting and stopping
the systems under test, CPU and peak RSS from /proc, upstream request counters, wrk runs.

Everything listens on 127.0.0.1. Every process started here is registered with a Procs object,
which kills it (and its process group) on exit, whatever happens.
"""
import http.client
import json
import os
import re
import resource
import signal
import socket
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(template_path, values):
    """Reads a config template and replaces every {{NAME}} with values[NAME]."""
    with open(template_path) as f:
        text = f.read()

    def sub(m):
        name = m.group(1)
        if name not in values:
            raise KeyError("%s: unknown placeholder {{%s}}" % (template_path, name))
        return str(values[name])

    return re.sub(r"\{\{([A-Z0-9_]+)\}\}", sub, text)


def wait_port(port, proc=None, timeout=20.0, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s exited with status %s while starting" % (what, proc.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on 127.0.0.1:%d within %.0fs" % (what, port, timeout))


class Procs:
    """Every process bench/run starts; stop_all() ends each one, by its own id."""

    def __init__(self):
        self.procs = []

    def start(self, name, argv, log_path, env=None, cwd=None):
        log = open(log_path, "ab")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        proc.bench_name = name
        self.procs.append(proc)
        return proc

    def stop(self, proc, timeout=10.0):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        # The group may outlive its leader (varnish's child, nginx workers): end what is left.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.poll() is None:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in list(reversed(self.procs)):
            self.stop(proc)


# -- /proc -------------------------------------------------------------------------------------
def _read_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    # Fields after the command name (which may hold spaces) start after the last ')'.
    rest = data[data.rindex(")") + 2:].split()
    ppid = int(rest[1])
    utime, stime = int(rest[11]), int(rest[12])
    return ppid, utime + stime


def process_tree(root):
    """root and every descendant (varnish's cache child, nginx and uwsgi workers, gunicorn)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid, _ = _read_stat(int(entry))
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(roots):
    total = 0
    for root in roots:
        for pid in process_tree(root):
            try:
                total += _read_stat(pid)[1]
            except (OSError, ValueError, IndexError):
                pass
    return total / CLK_TCK


def peak_rss_bytes(roots):
    """Sum of VmHWM (peak resident set) over every process of the system."""
    total = 0
    for root in roots:
        for pid in process_tree(root):
            try:
                with open("/proc/%d/status" % pid) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                pass
    return total


def reset_peak_rss(roots):
    """Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each run reports its own peak."""
    for root in roots:
        for pid in process_tree(root):
            try:
                with open("/proc/%d/clear_refs" % pid, "w") as f:
                    f.write("5")
            except OSError:
                pass


def raise_fd_limit():
    """Soft RLIMIT_NOFILE up to the hard limit, for bench/run and every process it starts (the
    keepalive-5000 scenario holds 5,000 client connections to each system)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1 << 20 if hard == resource.RLIM_INFINITY else hard
    if want > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# -- HTTP helpers --------------------------------------------------------------------------------
def http_get(port, path, headers=None, timeout=10.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, resp.getheaders(), body
    finally:
        conn.close()


def nginx_status(port):
    """(connections accepted, requests served) by an nginx instance (stub_status); the status
    request itself counts as one of each."""
    status, _, body = http_get(port, "/__status")
    if status != 200:
        raise RuntimeError("stub_status answered %d" % status)
    # "Active connections: 1 \nserver accepts handled requests\n 1 1 1 \n..."
    accepts, _, requests = body.decode().split("\n")[2].split()
    return int(accepts), int(requests)


def nginx_requests(port):
    return nginx_status(port)[1]


def flask_requests(port):
    status, _, body = http_get(port, "/counter")
    if status != 200:
        raise RuntimeError("/counter answered %d" % status)
    return sum(json.loads(body).values())


# -- wrk -----------------------------------------------------------------------------------------
def run_wrk(port, script, threads, connections, duration, env, log_path, timeout_s=10):
    argv = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency",
            "--timeout", "%ds" % timeout_s, "-s", script, "http://127.0.0.1:%d" % port]
    full_env = dict(os.environ)
    full_env.update(env)
    out = subprocess.run(argv, capture_output=True, text=True, env=full_env,
                         timeout=duration + 60)
    with open(log_path, "a") as f:
        f.write("$ %s\n%s%s\n" % (" ".join(argv), out.stdout, out.stderr))
    for line in out.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON "):])
    raise RuntimeError("wrk gave no result (exit %d): %s" % (out.returncode, out.stderr.strip()))


def rss_bytes(roots):
    """Sum of VmRSS (resident now) over every process of the trees rooted at `roots`."""
    total = 0
    for root in roots:
        for pid in process_tree(root):
            try:
                with open("/proc/%d/status" % pid) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                pass
    return total
