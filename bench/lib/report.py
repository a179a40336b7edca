"""Summaries, the text table, and the issue-7 targets checked against one run's results."""
import random
import statistics
from collections import OrderedDict

MIB = 1024 * 1024


def _median(xs):
    return statistics.median(xs) if xs else None


def zipf_key(u, keys):
    """The same continuous Zipf (s = 1) draw as bench/scenarios/churn/wrk.lua: floor((N+1)^u)."""
    return min(int((keys + 1) ** u), keys)


def ideal_lru_hits(counts, keys, capacity, seed=7):
    """Hit ratio of an ideal LRU holding `capacity` objects, from cold, after each of `counts`
    requests of the churn key stream (one simulation, read at several points)."""
    rng = random.Random(seed)
    lru = OrderedDict()
    hits, done, out = 0, 0, {}
    for target in sorted(set(counts)):
        while done < target:
            k = zipf_key(rng.random(), keys)
            if k in lru:
                lru.move_to_end(k)
                hits += 1
            else:
                lru[k] = True
                if len(lru) > capacity:
                    lru.popitem(last=False)
            done += 1
        out[target] = hits / target if target else 0.0
    return out


def summarise(row, scen, variant, per, labels):
    systems = []
    for kind, runs in per.items():
        secs = [r["duration_us"] / 1e6 for r in runs]
        rps = [r["requests"] / s for r, s in zip(runs, secs)]
        total = sum(r["requests"] for r in runs)
        errors = sum(sum(r["errors"].values()) for r in runs)
        cpu = sum(r["cpu_s"] for r in runs)
        up = [r["upstream"] for r in runs if "upstream" in r]
        s = {"kind": kind, "label": labels.get(kind, kind), "rounds": runs,
             "rps": statistics.mean(rps), "rps_rounds": rps, "requests": total,
             "p50_us": _median([r["latency_us"]["p50"] for r in runs]),
             "p99_us": _median([r["latency_us"]["p99"] for r in runs]),
             "p999_us": _median([r["latency_us"]["p999"] for r in runs]),
             "errors": errors, "upstream": sum(up) if up else None,
             "cpu_s": cpu, "cpu_us_per_req": cpu * 1e6 / total if total else None,
             "peak_rss": max(r["peak_rss"] for r in runs), "seconds": sum(secs),
             "bytes_per_resp": sum(r["bytes"] for r in runs) / total if total else None}
        if "ttl_s" in scen and s["upstream"] is not None:
            # One fetch per TTL: each run may start on an entry that expired while the other
            # systems were measured (one fetch), then one per TTL that ends within the run.
            s["upstream_one_per_ttl"] = sum(
                1 + int(sec // scen["ttl_s"]) for sec in secs)
            s["upstream_per_ttl"] = s["upstream"] * scen["ttl_s"] / s["seconds"]
        if "churn" in scen and s["upstream"] is not None and total:
            s["hit_ratio"] = max(0.0, 1.0 - s["upstream"] / total)
        conns = [r["upstream_conns"] for r in runs if "upstream_conns" in r]
        if conns:
            s["upstream_conns"] = sum(conns)
            # Connection churn (issue 16): origin accepts per 1,000 requests served.
            s["upstream_conns_per_1k"] = 1000.0 * sum(conns) / total if total else None
        slow = [r["slow_readers"] for r in runs if isinstance(r.get("slow_readers"), dict)]
        if slow:
            s["slow_readers"] = slow
        if runs and runs[-1].get("memory"):
            s["memory"] = memory_summary(runs[-1]["memory"], scen)
        systems.append(s)
    larder = next((s for s in systems if s["kind"] == "larder"), None)
    for s in systems:
        s["larder_ratio"] = larder["rps"] / s["rps"] if larder and s["rps"] else None
    out = {"row": row, "scenario": scen["name"], "description": scen["description"],
           "threads": variant.get("threads", 2), "connections": variant.get("connections", 64),
           "systems": systems}
    if "churn" in scen:
        c = scen["churn"]
        ideal = ideal_lru_hits([s["requests"] for s in systems], c["keys"], c["capacity"])
        for s in systems:
            s["ideal_lru_hit_ratio"] = ideal[s["requests"]]
        out["churn"] = c
    if "ttl_s" in scen:
        out["ttl_s"] = scen["ttl_s"]
    if scen.get("show_bytes"):
        out["show_bytes"] = True
    if scen.get("show_upstream_conns") or scen["name"].startswith("pass"):
        out["show_upstream_conns"] = True
    return out


def memory_summary(m, scen):
    """The end-of-run memory figures of one system (bench/lib/memory.py) against the store
    size: its memory (RSS, plus nginx's cache files on tmpfs), per object held, and / max_size."""
    max_size = scen.get("churn", {}).get("max_size_bytes")
    total = m["rss"] + (m.get("cache_files_bytes") or 0)
    out = dict(m, memory=total)
    if max_size:
        out["memory_over_max_size"] = total / max_size
    if m.get("objects"):
        out["memory_per_object"] = total / m["objects"]
        if m.get("store_bytes"):
            out["charged_per_object"] = m["store_bytes"] / m["objects"]
    return out


def render_memory(s):
    m = s["memory"]
    parts = ["%s memory %.1f MiB" % (s["label"], m["memory"] / MIB)]
    if m.get("cache_files_bytes"):
        parts[0] += " (RSS %.1f + cache files %.1f)" % (m["rss"] / MIB,
                                                          m["cache_files_bytes"] / MIB)
    if "memory_over_max_size" in m:
        parts.append("%.2fx max_size" % m["memory_over_max_size"])
    if m.get("objects"):
        parts.append("%s objects, %s B/object" % (fmt_int(m["objects"]),
                                                  fmt_int(m["memory_per_object"])))
    if m.get("bookkeeping_bytes"):
        parts.append("bookkeeping %d B/object" % m["bookkeeping_bytes"])
    return ", ".join(parts)


# -- text --------------------------------------------------------------------------------------
def fmt_us(us):
    if us is None:
        return "-"
    if us >= 1e6:
        return "%.2fs" % (us / 1e6)
    if us >= 1000:
        return "%.2fms" % (us / 1000)
    return "%.0fus" % us


def fmt_int(x):
    return "-" if x is None else "{:,}".format(int(round(x)))


def render_row(row):
    if "error" in row:
        return "== %s: FAILED: %s\n" % (row["row"], row["error"])
    lines = ["== %s (%s): %s" % (row["row"], load_text(row), row["description"])]
    head = "%-20s %9s %9s %9s %9s %7s %9s %7s %7s %9s %8s" % (
        "system", "req/s", "p50", "p99", "p99.9", "errors", "upstream", "CPU s", "CPUus/r",
        "peak RSS", "Larder x")
    lines.append(head)
    for s in row["systems"]:
        lines.append("%-20s %9s %9s %9s %9s %7s %9s %7.1f %7.1f %8.1fM %8s" % (
            s["label"], fmt_int(s["rps"]), fmt_us(s["p50_us"]), fmt_us(s["p99_us"]),
            fmt_us(s["p999_us"]), fmt_int(s["errors"]), fmt_int(s["upstream"]), s["cpu_s"],
            s["cpu_us_per_req"] or 0, s["peak_rss"] / MIB,
            "%.2f" % s["larder_ratio"] if s["larder_ratio"] else "-"))
    extra = []
    if row.get("show_bytes"):
        extra.append("bytes per response (head and body): " + ", ".join(
            "%s %s" % (s["label"], fmt_int(s["bytes_per_resp"])) for s in row["systems"]))
    for s in row["systems"]:
        if "upstream_per_ttl" in s:
            extra.append("%s %d upstream (one per TTL: <= %d)" % (
                s["label"], s["upstream"], s["upstream_one_per_ttl"]))
        if (s.get("upstream_conns") is not None and s["kind"] != "origin"
                and row.get("show_upstream_conns")):
            extra.append("%s opened %d origin connections (%.2f per 1,000 requests)" % (
                s["label"], s["upstream_conns"], s["upstream_conns_per_1k"] or 0))
        if "hit_ratio" in s:
            extra.append("%s hit ratio %.1f%% (ideal LRU %.1f%%)" % (
                s["label"], 100 * s["hit_ratio"], 100 * s["ideal_lru_hit_ratio"]))
        if "memory" in s:
            extra.append(render_memory(s))
        for sr in s.get("slow_readers", [])[:1]:
            if "responses" in sr:
                extra.append("%s: %d slow clients got %d responses, %.1f MiB" % (
                    s["label"], sr["clients"], sr["responses"], sr["bytes"] / MIB))
    if extra:
        lines.append("   " + "; ".join(extra))
    for note in row.get("notes", []):   # scenario-specific lines (lib/fixed_rate.py, ...)
        lines.append("   " + note)
    return "\n".join(lines) + "\n"


def load_text(row):
    """How the row's load was generated: wrk's threads and connections unless it says."""
    return row.get("load") or "wrk -t%d -c%d" % (row["threads"], row["connections"])


def render(results):
    m = results["machine"]
    out = ["", "Larder benchmarks, %s: %s cores, %s, %.1f GiB; load before %s, after %s; "
           "%d s x %d rounds" % (results["started"], m["nproc"], m.get("cpu", "?"),
                                 m["mem_total_kib"] / MIB, results["load_before"],
                                 results.get("load_after"), results["duration_s"],
                                 results["rounds"]), ""]
    for row in results["scenarios"]:
        out.append(render_row(row))
    out.append(headline(results))
    if results.get("targets"):
        out.append("Targets (issues 7 and 16):")
        for t in results["targets"]:
            out.append("  [%s] %s: %s" % ({True: "met", False: "MISSED", None: "n/a"}[t["met"]],
                                          t["target"], t["value"]))
    return "\n".join(out) + "\n"


# -- targets -----------------------------------------------------------------------------------
def _row(results, name):
    for r in results["scenarios"]:
        if r.get("row") == name and "systems" in r:
            return {s["kind"]: s for s in r["systems"]}
    return None


def targets(results):
    t = []

    def add(target, met, value):
        t.append({"target": target, "met": met, "value": value})

    hs = _row(results, "hot-small")
    if hs and "larder" in hs:
        L = hs["larder"]
        for kind, need in [("varnish", 1.3), ("nginx", 1.05), ("origin", 0.9)]:
            if kind in hs:
                r = L["rps"] / hs[kind]["rps"]
                add("hot-small req/s >= %.2fx %s" % (need, hs[kind]["label"]), r >= need,
                    "%.2fx (%s vs %s)" % (r, fmt_int(L["rps"]), fmt_int(hs[kind]["rps"])))
        for kind in ("varnish", "nginx"):
            if kind in hs:
                add("hot-small p99 <= %s" % hs[kind]["label"], L["p99_us"] <= hs[kind]["p99_us"],
                    "%s vs %s" % (fmt_us(L["p99_us"]), fmt_us(hs[kind]["p99_us"])))
        add("hot-small CPU per hit <= 14 us", L["cpu_us_per_req"] <= 14,
            "%.1f us" % L["cpu_us_per_req"])
    hl = _row(results, "hot-large")
    if hl and "larder" in hl:
        for kind in ("varnish", "nginx"):
            if kind in hl:
                r = hl["larder"]["rps"] / hl[kind]["rps"]
                add("hot-large req/s >= 1.0x %s" % hl[kind]["label"], r >= 1.0, "%.2fx" % r)
    pt = _row(results, "pass-through")
    if pt and "larder" in pt and "nginx" in pt:
        r = pt["larder"]["rps"] / pt["nginx"]["rps"]
        add("pass-through req/s >= 1.2x nginx", r >= 1.2, "%.2fx" % r)
    pt1 = _row(results, "pass-through@c1")
    if pt1 and "larder" in pt1 and "origin" in pt1:
        d = pt1["larder"]["p50_us"] - pt1["origin"]["p50_us"]
        add("pass-through -c1 added p50 <= 50 us", d <= 50, "%+.0f us" % d)
    for name in ("slow-endpoint", "expiry-storm"):
        r = _row(results, name)
        if r and "larder" in r:
            L = r["larder"]
            if L.get("upstream_per_ttl") is not None:
                add("%s: the app sees one request per TTL" % name,
                    L["upstream"] <= L["upstream_one_per_ttl"],
                    "%d requests in %.0f s of load (one per TTL: <= %d)" % (
                        L["upstream"], L["seconds"], L["upstream_one_per_ttl"]))
            add("%s: p99 < 5 ms" % name, L["p99_us"] < 5000, fmt_us(L["p99_us"]))
    ch = _row(results, "churn")
    if ch and "larder" in ch:
        L = ch["larder"]
        row = next(r for r in results["scenarios"] if r.get("row") == "churn")
        max_size = row["churn"]["max_size_bytes"]
        add("churn: RSS <= max_size + 10%", L["peak_rss"] <= 1.1 * max_size,
            "%.1f MiB vs %.1f MiB" % (L["peak_rss"] / MIB, 1.1 * max_size / MIB))
        # Issue 16: at steady state (the end of the run, the store full), and per object.
        m = L.get("memory") or {}
        if "memory_over_max_size" in m:
            add("churn: steady-state RSS <= 1.15 x max_size", m["memory_over_max_size"] <= 1.15,
                "%.1f MiB, %.2fx" % (m["memory"] / MIB, m["memory_over_max_size"]))
        if m.get("bookkeeping_bytes"):
            add("per-object bookkeeping <= 200 bytes", m["bookkeeping_bytes"] <= 200,
                "%d bytes (as malloc holds them)" % m["bookkeeping_bytes"])
        if "hit_ratio" in L:
            add("churn: hit ratio within 5% of ideal LRU",
                L["hit_ratio"] >= 0.95 * L["ideal_lru_hit_ratio"],
                "%.1f%% vs %.1f%%" % (100 * L["hit_ratio"], 100 * L["ideal_lru_hit_ratio"]))
    if pt and "larder" in pt:
        rss = pt["larder"]["peak_rss"]
        add("resident memory with an empty cache under load <= 32 MiB", rss <= 32 * MIB,
            "%.1f MiB (pass-through)" % (rss / MIB))
    micro = (results.get("micro") or {}).get("json") or {}
    for b in micro.get("benchmarks", []):
        if "overhead_bytes" in b:
            add("per-object overhead <= 256 bytes", b["overhead_bytes"] <= 256,
                "%.0f bytes" % b["overhead_bytes"])
            break
    return t + issue16_targets(results)


def issue16_targets(results):
    """Issue 16's checks that the bench scenarios can answer: connection churn and CPU of the
    pass-through against nginx proxy_pass, and tails at equal offered load against nginx."""
    t = []

    def add(target, met, value):
        t.append({"target": target, "met": met, "value": value})

    pt = _row(results, "pass-through")
    if pt and "larder" in pt and "nginx" in pt:
        L, N = pt["larder"], pt["nginx"]
        if L.get("upstream_conns_per_1k") is not None and N.get("upstream_conns_per_1k") is not None:
            add("pass-through origin connections per 1,000 requests <= nginx's",
                L["upstream_conns_per_1k"] <= N["upstream_conns_per_1k"],
                "%.2f vs %.2f" % (L["upstream_conns_per_1k"], N["upstream_conns_per_1k"]))
        if L["cpu_us_per_req"] and N["cpu_us_per_req"]:
            add("pass-through CPU per request <= nginx's",
                L["cpu_us_per_req"] <= N["cpu_us_per_req"],
                "%.1f us vs %.1f us" % (L["cpu_us_per_req"], N["cpu_us_per_req"]))
    for row in results["scenarios"]:
        if "fixed_rate" not in row or "systems" not in row:
            continue
        by = {s["kind"]: s for s in row["systems"]}
        if "larder" not in by or "nginx" not in by:
            continue
        L, N = by["larder"], by["nginx"]
        for key, name in (("p99_us", "p99"), ("p999_us", "p99.9")):
            add("%s %s <= %s's at the same load" % (row["row"], name, N["label"]),
                L[key] <= N[key], "%s vs %s" % (fmt_us(L[key]), fmt_us(N[key])))
    return t


def headline(results):
    """The figures issues 2 and 3 ask for: pass-through overhead and hit latency vs the origin."""
    lines = ["Issue 2/3 figures (same run):"]
    for row, what in [("pass-through", "pass-through, -c64"), ("pass-through@c1", "pass-through, -c1"),
                      ("hot-small", "1 KiB hit"), ("hot-medium", "16 KiB hit")]:
        r = _row(results, row)
        if not r or "larder" not in r or "origin" not in r:
            continue
        L, O = r["larder"], r["origin"]
        lines.append("  %-20s Larder %9s req/s p50 %8s p99 %8s | origin direct %9s req/s p50 %8s "
                     "p99 %8s | added p50 %+.0f us, req/s %.2fx" % (
                         what, fmt_int(L["rps"]), fmt_us(L["p50_us"]), fmt_us(L["p99_us"]),
                         fmt_int(O["rps"]), fmt_us(O["p50_us"]), fmt_us(O["p99_us"]),
                         L["p50_us"] - O["p50_us"], L["rps"] / O["rps"]))
    return "\n".join(lines) + "\n" if len(lines) > 1 else ""


def markdown(results):
    """The run's tables as Markdown (what docs/performance.md shows)."""
    out = []
    for row in results["scenarios"]:
        if "systems" not in row:
            out.append("**%s**: failed (%s)\n" % (row["row"], row.get("error")))
            continue
        out.append("**%s** (%s)\n" % (row["row"], load_text(row)))
        out.append("| system | req/s | p50 | p99 | p99.9 | errors | upstream | CPU s | CPU µs/req "
                   "| peak RSS | Larder × |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in row["systems"]:
            out.append("| %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f | %.1f MiB | %s |" % (
                s["label"], fmt_int(s["rps"]), fmt_us(s["p50_us"]), fmt_us(s["p99_us"]),
                fmt_us(s["p999_us"]), fmt_int(s["errors"]), fmt_int(s["upstream"]), s["cpu_s"],
                s["cpu_us_per_req"] or 0, s["peak_rss"] / MIB,
                "%.2f" % s["larder_ratio"] if s["larder_ratio"] else "-"))
        notes = render_row(row).splitlines()[2 + len(row["systems"]):]
        out.append("")
        for note in notes:
            out.append(note.strip() + "\n")
    return "\n".join(out)
