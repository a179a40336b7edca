"""The admin API from a test: a small HTTP client, and a strict Prometheus text-format parser.

`admin_get(daemon, path, token=None, ...)` sends one request to the daemon's admin listener and
returns (status, headers, body). `parse_prometheus(text)` checks the exposition format 0.0.4
strictly (every sample's family declared by # TYPE before it, each family's samples together,
label syntax and escapes, numeric values, histogram buckets cumulative and ending in +Inf equal
to _count) and returns {(name, frozenset(labels.items())): value}; it raises ValueError naming
the line otherwise. `promtool()` runs `promtool check metrics` (Debian's prometheus package,
installed by scripts/bootstrap) on the text and returns (exit code, output).
"""
import http.client
import json
import math
import re
import shutil
import subprocess

__all__ = ["admin_get", "admin_json", "parse_prometheus", "metric", "promtool"]


def admin_get(daemon, path, token=None, method="GET", headers=None, body=None, timeout=10):
    # The first admin listener's address (cluster nodes listen on 127.0.0.2, 127.0.0.3...).
    host = next((h for kind, h, _ in daemon.listeners if kind == "admin"), "127.0.0.1")
    conn = http.client.HTTPConnection(host, daemon.admin_port, timeout=timeout)
    try:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        conn.close()


def admin_json(daemon, path, **kw):
    status, headers, body = admin_get(daemon, path, **kw)
    return status, headers, json.loads(body)


_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(r"^(%s)(\{(.*)\})? (\S+)$" % _NAME)
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)')
_TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def _labels(text, lineno):
    labels, pos = {}, 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        if not m:
            raise ValueError("line %d: bad labels %r" % (lineno, text))
        value = re.sub(r"\\(.)", lambda e: {"n": "\n"}.get(e.group(1), e.group(1)), m.group(2))
        if m.group(1) in labels:
            raise ValueError("line %d: label %s twice" % (lineno, m.group(1)))
        labels[m.group(1)] = value
        pos = m.end()
    return labels


def _family_of(name, types):
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) == "histogram":
            return name[: -len(suffix)]
    return None


def parse_prometheus(text):
    if not text.endswith("\n"):
        raise ValueError("the exposition must end with a newline")
    types, helps, samples, finished = {}, set(), {}, set()
    current = None
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if name in helps:
                raise ValueError("line %d: second HELP for %s" % (lineno, name))
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in _TYPES or not re.fullmatch(_NAME, parts[2]):
                raise ValueError("line %d: bad TYPE line %r" % (lineno, line))
            if parts[2] in types:
                raise ValueError("line %d: second TYPE for %s" % (lineno, parts[2]))
            types[parts[2]] = parts[3]
            continue
        if line.startswith("#") or not line:
            raise ValueError("line %d: unexpected line %r" % (lineno, line))
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError("line %d: not a sample: %r" % (lineno, line))
        name, labels = m.group(1), _labels(m.group(3) or "", lineno)
        family = _family_of(name, types)
        if family is None:
            raise ValueError("line %d: %s has no TYPE before it" % (lineno, name))
        if family != current:
            if family in finished:
                raise ValueError("line %d: samples of %s are not together" % (lineno, family))
            if current:
                finished.add(current)
            current = family
        if types[family] == "counter" and not family.endswith("_total"):
            raise ValueError("line %d: counter %s does not end in _total" % (lineno, family))
        value = float(m.group(4))  # raises ValueError when not a number
        key = (name, frozenset(labels.items()))
        if key in samples:
            raise ValueError("line %d: duplicate sample %s%r" % (lineno, name, labels))
        samples[key] = value
    _check_histograms(types, samples)
    return samples


def _check_histograms(types, samples):
    for family, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for (name, labels), value in samples.items():
            if name == family + "_bucket":
                d = dict(labels)
                le = d.pop("le")
                series.setdefault(frozenset(d.items()), []).append(
                    (math.inf if le == "+Inf" else float(le), value))
        for labels, buckets in series.items():
            buckets.sort()
            if buckets[-1][0] != math.inf:
                raise ValueError("%s%r: no +Inf bucket" % (family, dict(labels)))
            counts = [v for _, v in buckets]
            if counts != sorted(counts):
                raise ValueError("%s%r: buckets not cumulative" % (family, dict(labels)))
            if samples.get((family + "_count", labels)) != counts[-1]:
                raise ValueError("%s%r: _count differs from the +Inf bucket" % (family, dict(labels)))
            if (family + "_sum", labels) not in samples:
                raise ValueError("%s%r: no _sum" % (family, dict(labels)))


def metric(samples, name, **labels):
    """The value of one sample (KeyError naming it when absent)."""
    key = (name, frozenset(labels.items()))
    if key not in samples:
        raise KeyError("no sample %s%r" % (name, labels))
    return samples[key]


def promtool(text):
    """(exit code, output) of `promtool check metrics` on `text`; AssertionError when promtool is
    not installed (scripts/bootstrap installs Debian's prometheus package for the tests)."""
    binary = shutil.which("promtool")
    if binary is None:
        raise AssertionError("promtool not found: run scripts/bootstrap (Debian package prometheus)")
    p = subprocess.run([binary, "check", "metrics"], input=text.encode(), capture_output=True,
                       timeout=60)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")
