"""The fixed-rate latency scenarios (issue 16): every system gets the same offered load, a fixed
number of requests per second from bench/tools/openloop.c, at fractions (50% and 80%) of the
slowest system's capacity, and reports latency counted from each request's due time, so time a
request spent waiting behind a slow one counts (no coordinated omission; bench/README.md).

Capacity is measured in the same run, just before: one saturating wrk run per system (-t2 -c64,
the scenario's own wrk script), its req/s. The slowest system sets the rates; origin direct is
left out of that choice (it is the floor the proxies are compared with, not a peer). Each rate
gives one row, `<scenario>@50%`, measured like any other (CPU, peak RSS, upstream requests and
connections around the run). scenario.json:

    "fixed_rate": {"path": "/1k.html", "fractions": [0.5, 0.8], "connections": 64}
"""
import json
import os
import statistics
import subprocess

import harness
import report

KEY = "fixed_rate"
TOOL_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools",
                        "openloop.c")


def build_tool(tmp):
    """Compiles openloop.c into the run's temp directory (once per run)."""
    exe = os.path.join(tmp, "openloop")
    if not os.path.exists(exe):
        subprocess.run(["cc", "-O2", "-Wall", "-o", exe, TOOL_SRC], check=True)
    return exe


def run_openloop(exe, port, path, rate, connections, duration, log_path, timeout_s=10):
    argv = [exe, "--port", str(port), "--path", path, "--rate", str(rate), "--duration",
            str(duration), "--connections", str(connections), "--timeout", str(timeout_s)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + timeout_s + 60)
    with open(log_path, "a") as f:
        f.write("$ %s\n%s%s\n" % (" ".join(argv), out.stdout, out.stderr))
    for line in out.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON "):])
    raise RuntimeError("openloop gave no result (exit %d): %s" % (out.returncode,
                                                                  out.stderr.strip()))


def capacities(systems, script, env, seconds, connections, logf):
    """req/s of one saturating wrk run per system."""
    caps = {}
    for s in systems:
        res = harness.run_wrk(s.port, script, 2, connections, seconds, env, logf)
        caps[s.kind] = res["requests"] / (res["duration_us"] / 1e6)
    return caps


def run(ctx, scen, systems, script, env, duration, rounds, logf, labels, measure, log):
    fr = scen[KEY]
    exe = build_tool(ctx.tmp)
    conns = fr.get("connections", 64)
    seconds = fr.get("capacity_s", max(3, duration // 2))
    caps = capacities(systems, script, env, seconds, fr.get("capacity_connections", 64), logf)
    peers = {k: v for k, v in caps.items() if k != "origin"} or caps
    slowest = min(peers, key=peers.get)
    log("  %-22s capacity (wrk -t2 -c64, %d s): %s; slowest %s" % (
        scen["name"], seconds, ", ".join("%s %.0f" % kv for kv in caps.items()), slowest))
    rows = []
    for fraction in fr.get("fractions", [0.5, 0.8]):
        rate = max(1, int(round(fraction * peers[slowest])))
        variant = {"name": "%d%%" % round(100 * fraction), "threads": 1, "connections": conns}
        row = "%s@%s" % (scen["name"], variant["name"])

        def load(system):
            return run_openloop(exe, system.port, fr["path"], rate, conns, duration, logf)

        per = {s.kind: [] for s in systems}
        for r in range(rounds):
            for s in systems:
                res = measure(ctx, scen, variant, s, script, env, duration, logf, load=load)
                per[s.kind].append(res)
                log("  %-22s round %d %-8s %9.0f req/s  p99 %8.2f ms  p99.9 %8.2f ms  errors %d"
                    % (row, r + 1, s.kind, res["requests"] / (res["duration_us"] / 1e6),
                       res["latency_us"]["p99"] / 1000, res["latency_us"]["p999"] / 1000,
                       sum(res["errors"].values())))
        out = report.summarise(row, scen, variant, per, labels)
        for s in out["systems"]:
            runs = per[s["kind"]]
            s["service_p99_us"] = statistics.median([r["service_us"]["p99"] for r in runs])
            s["send_lag_p99_us"] = statistics.median([r["send_lag_us"]["p99"] for r in runs])
            s["max_queue"] = max(r["max_queue"] for r in runs)
            s["larder_ratio"] = None   # every system got the same rate: compare latencies
        out["load"] = "open loop, %s req/s, %d connections" % (report.fmt_int(rate), conns)
        out["fixed_rate"] = {"rate": rate, "fraction": fraction, "slowest": slowest,
                             "capacity_rps": caps, "capacity_s": seconds}
        out["notes"] = [
            "offered %s req/s to each = %d%% of the slowest capacity (%s %s req/s; wrk -t2 "
            "-c64, %d s: %s)" % (report.fmt_int(rate), round(100 * fraction),
                                 labels.get(slowest, slowest), report.fmt_int(peers[slowest]),
                                 seconds, ", ".join("%s %s" % (labels.get(k, k), report.fmt_int(v))
                                                    for k, v in caps.items())),
            "p99 of the service time (written -> answered) / of the send lag (due -> written) / "
            "most requests queued for a connection: " + ", ".join(
                "%s %s / %s / %d" % (s["label"], report.fmt_us(s["service_p99_us"]),
                                     report.fmt_us(s["send_lag_p99_us"]), s["max_queue"])
                for s in out["systems"])]
        rows.append(out)
    return rows
