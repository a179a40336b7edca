#!/usr/bin/python3
"""A/B throughput of 1 KiB cache hits between two larder binaries, interleaved rounds.

    bench/tools/ab_hits.py BASELINE_BIN CANDIDATE_BIN [--rounds 6] [--duration 5]

Starts a tiny origin in this process (one 1 KiB page, fetched once per daemon), then for each
round runs each binary in turn (A B A B ...): start it with one worker on a port-0 listener,
warm the object, run `wrk -t1 -c16` for `duration` seconds on the hit, stop it. Prints every
round and the median requests/s of each binary, and the candidate's ratio to the baseline.
Interleaving spreads the machine's noise (other processes, frequency changes) over both.
"""
import argparse
import http.server
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BODY = b"x" * 1024


class Origin(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


ADMIN = """[admin]
listen = ["127.0.0.1:0"]
"""
CONFIG = """[server]
listen = ["127.0.0.1:0"]
workers = 1
%s
[[upstream.servers]]
address = "127.0.0.1:%d"
[log]
access = "off"
[[rules]]
name = "all"
path_prefix = "/"
cache = "1h"
ignore_cookies = true
"""


def knows_admin(binary):
    """Whether `binary` has the [admin] section (binaries from before it refuse it)."""
    with tempfile.TemporaryDirectory(prefix="larder-ab-") as d:
        cfg = os.path.join(d, "larder.toml")
        with open(cfg, "w") as f:
            f.write(CONFIG % (ADMIN, 1))
        return subprocess.run([binary, "--check-config", cfg], capture_output=True).returncode == 0


def run_once(binary, origin_port, duration):
    with tempfile.TemporaryDirectory(prefix="larder-ab-") as d:
        cfg, ready = os.path.join(d, "larder.toml"), os.path.join(d, "ready")
        with open(cfg, "w") as f:
            f.write(CONFIG % (ADMIN if knows_admin(binary) else "", origin_port))
        p = subprocess.Popen([binary, "--config", cfg, "--ready-file", ready],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(ready):
                if time.monotonic() > deadline or p.poll() is not None:
                    raise RuntimeError("%s did not start" % binary)
                time.sleep(0.01)
            port = int(open(ready).read().split()[1].rsplit(":", 1)[1])
            url = "http://127.0.0.1:%d/1k.html" % port
            for _ in range(2):
                urllib.request.urlopen(url).read()
            out = subprocess.run(["wrk", "-t1", "-c16", "-d%ds" % duration, url],
                                 capture_output=True, text=True, check=True).stdout
            return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        finally:
            p.terminate()
            p.wait(15)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("baseline")
    ap.add_argument("candidate")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--duration", type=int, default=5)
    args = ap.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results = {"baseline": [], "candidate": []}
    for r in range(args.rounds):
        for name in ("baseline", "candidate") if r % 2 == 0 else ("candidate", "baseline"):
            rps = run_once(getattr(args, name), server.server_address[1], args.duration)
            results[name].append(rps)
            print("round %d %-9s %10.0f req/s" % (r + 1, name, rps), flush=True)
    a, b = statistics.median(results["baseline"]), statistics.median(results["candidate"])
    print("median baseline %.0f req/s (min %.0f max %.0f)" % (a, min(results["baseline"]), max(results["baseline"])))
    print("median candidate %.0f req/s (min %.0f max %.0f)" % (b, min(results["candidate"]), max(results["candidate"])))
    print("candidate / baseline = %.3f" % (b / a))


if __name__ == "__main__":
    sys.exit(main())
