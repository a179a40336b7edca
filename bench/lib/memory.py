"""Memory figures of a system at the end of a run (scenarios with "memory": true, e.g. churn):
its resident memory now, the objects it holds, and what each costs.

- rss: the sum of VmRSS over the system's processes now (the store is full at the end of a
  churn run; peak RSS, VmHWM, is measured separately by the harness).
- objects: Larder's store.objects from /stats.json; Varnish's MAIN.n_object (varnishstat);
  nginx's cache files.
- cache_files_bytes (nginx): the bytes of its cache files, which live on tmpfs (memory, but not in
  any process's RSS), so nginx's memory is rss + cache_files_bytes.
- store_bytes, bookkeeping_bytes (Larder): what the store charges to max_size now, and the fixed
  per-object cost it charges each object (store.bookkeeping_bytes_per_object in /stats.json).
Every figure is None when it cannot be read; a run never fails for it.
"""
import http.client
import json
import os
import subprocess

import harness



def larder_store(admin_port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=10)
        conn.request("GET", "/stats.json")
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return json.loads(body)["store"] if resp.status == 200 else None
    except (OSError, ValueError, KeyError):
        return None


def varnish_objects(workdir):
    try:
        out = subprocess.run(["varnishstat", "-n", workdir, "-1", "-f", "MAIN.n_object"],
                             capture_output=True, text=True, timeout=10).stdout
        return int(out.split()[1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return None


def cache_files(path):
    count, size = 0, 0
    for d, _, files in os.walk(path):
        for name in files:
            try:
                size += os.stat(os.path.join(d, name)).st_blocks * 512
                count += 1
            except OSError:
                pass
    return count, size


def sample(system):
    """The figures above for one system (an object of bench/run's System)."""
    out = {"rss": harness.rss_bytes(system.roots), "objects": None}
    if system.kind == "larder" and getattr(system, "admin_port", None):
        store = larder_store(system.admin_port)
        if store:
            out["objects"] = store.get("objects")
            out["store_bytes"] = store.get("bytes")
            out["bookkeeping_bytes"] = store.get("bookkeeping_bytes_per_object")
    elif system.kind == "varnish":
        out["objects"] = varnish_objects(os.path.join(system.sdir, "work"))
    elif system.kind == "nginx":
        out["objects"], out["cache_files_bytes"] = cache_files(os.path.join(system.sdir, "cache"))
    return out
