"""The keepalive-5000 scenario (issue 16): what idle keep-alive connections cost each system, and
whether they slow the active ones. Per system and round:

1. RSS before: the sum of VmRSS over the system's processes (warm: the page is cached).
2. bench/tools/idle_clients.py opens the idle connections (one request each, then idle) and says
   READY; a second later, RSS with them open. Memory per connection = (RSS with - RSS before) /
   connections open.
3. The ordinary measured wrk run (-t2 -c64, cache hits) while they stay open.
4. One more request on every idle connection: how many the system kept usable.

The first round's figure is the honest one: allocators keep freed memory, so a later round's
"before" already holds what the previous round's connections used. The table shows the largest
over the rounds. scenario.json:

    "idle_clients": {"path": "/1k.html", "clients": 5000, "batch": 100}
"""
import json
import os
import select
import statistics
import subprocess
import sys
import time

import harness
import report

KEY = "idle_clients"
TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools",
                    "idle_clients.py")
KIB = 1024



def read_tagged(proc, tag, timeout):
    """The JSON after `tag` on the first stdout line that starts with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("idle_clients.py exited (%s) before %s" % (proc.poll(), tag))
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1:])
    raise RuntimeError("idle_clients.py gave no %s line within %.0f s" % (tag, timeout))


def one_round(ctx, scen, variant, system, script, env, duration, logf, measure):
    ic = scen[KEY]
    clients = ic.get("clients", 5000)
    time.sleep(0.5)
    before = harness.rss_bytes(system.roots)
    argv = [sys.executable, TOOL, "--port", str(system.port), "--path", ic["path"],
            "--clients", str(clients), "--batch", str(ic.get("batch", 100))]
    with open(logf, "a") as err:
        tool = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                text=True)
    try:
        ready = read_tagged(tool, "READY", 120)
        time.sleep(1.0)   # let the system park them (Varnish's waiter, nginx's keep-alive state)
        held = harness.rss_bytes(system.roots)
        res = measure(ctx, scen, variant, system, script, env, duration, logf)
        tool.stdin.write("check\n")
        tool.stdin.flush()
        final = read_tagged(tool, "BENCHJSON", 120)
        tool.wait(30)
    finally:
        if tool.poll() is None:
            tool.kill()
            tool.wait()
    opened = ready["open"]
    res["idle_clients"] = {
        "clients": clients, "open": opened, "connect_errors": ready["errors"],
        "connect_seconds": ready["seconds"], "rss_before": before, "rss_with": held,
        "bytes_per_conn": (held - before) / opened if opened else None,
        "answered_at_end": final["answered_at_end"],
        "closed_by_server": final["closed_by_server"]}
    return res


def run(ctx, scen, systems, script, env, duration, rounds, logf, labels, measure, log):
    variant = {"name": "", "threads": 2, "connections": 64}
    per = {s.kind: [] for s in systems}
    for r in range(rounds):
        for s in systems:
            res = one_round(ctx, scen, variant, s, script, env, duration, logf, measure)
            per[s.kind].append(res)
            ic = res["idle_clients"]
            log("  %-22s round %d %-8s %9.0f req/s  p99 %8.2f ms  %d idle open, %.1f KiB each, "
                "%d answered at the end" % (
                    scen["name"], r + 1, s.kind, res["requests"] / (res["duration_us"] / 1e6),
                    res["latency_us"]["p99"] / 1000, ic["open"],
                    (ic["bytes_per_conn"] or 0) / KIB, ic["answered_at_end"]))
    out = report.summarise(scen["name"], scen, variant, per, labels)
    for s in out["systems"]:
        ics = [r["idle_clients"] for r in per[s["kind"]]]
        per_conn = [ic["bytes_per_conn"] for ic in ics if ic["bytes_per_conn"] is not None]
        s["idle_bytes_per_conn"] = max(per_conn) if per_conn else None
        s["idle_open"] = min(ic["open"] for ic in ics)
        s["idle_answered_at_end"] = min(ic["answered_at_end"] for ic in ics)
        s["idle_rss_with"] = statistics.median(ic["rss_with"] for ic in ics)
    clients = scen[KEY].get("clients", 5000)
    out["load"] = "wrk -t2 -c64 beside %s idle keep-alive connections" % report.fmt_int(clients)
    out["idle_clients"] = clients
    out["notes"] = [
        "memory per idle connection ((RSS with them open - RSS before) / open): " + ", ".join(
            "%s %s" % (s["label"], "-" if s["idle_bytes_per_conn"] is None
                       else "%.1f KiB" % (s["idle_bytes_per_conn"] / KIB))
            for s in out["systems"]),
        "idle connections open / still answering after the load: " + ", ".join(
            "%s %s/%s" % (s["label"], report.fmt_int(s["idle_open"]),
                          report.fmt_int(s["idle_answered_at_end"])) for s in out["systems"])]
    return [out]
