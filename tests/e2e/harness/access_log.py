"""Reading Larder's access log: one parser for both `[log] format`s (docs/operations.md).

parse_line(line) returns a dict with the keys address, time, method, target, protocol, status,
bytes, referer, user_agent, total_us, upstream_us, cache, reason, host, request_id (None for an
absent field), or None when the line is neither a text nor a JSON access-log line. Text fields
are unescaped (\\" \\\\ \\xHH) back to the bytes Larder saw, decoded as Latin-1 so every byte
survives.
"""
import json
import re

__all__ = ["parse_line", "TEXT_LINE"]

_QUOTED = r'"(?:[^"\\]|\\.)*"'
TEXT_LINE = re.compile(
    r'^(?P<address>\S+) - - \[(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\] '
    r'(?P<request>' + _QUOTED + r') (?P<status>\d+) (?P<bytes>\d+) '
    r'(?P<referer>' + _QUOTED + r') (?P<user_agent>' + _QUOTED + r') '
    r'total_us=(?P<total_us>-?\d+) upstream_us=(?P<upstream_us>-?\d+) (?P<cache>[A-Z_-]+) '
    r'(?P<reason>' + _QUOTED + r'|[^\s"]+) host=(?P<host>' + _QUOTED + r'|[^\s"]+) '
    r'id=(?P<request_id>[^\s"]+|' + _QUOTED + r')$')


def _unescape(text):
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "x" and i + 3 < len(text):
                out.append(chr(int(text[i + 2:i + 4], 16)))
                i += 4
                continue
            out.append(n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _field(text, dash_is_none=True):
    if text.startswith('"'):
        value = _unescape(text[1:-1])
        return None if dash_is_none and value == "-" else value
    return None if dash_is_none and text == "-" else text


def _parse_text(line):
    m = TEXT_LINE.match(line)
    if not m:
        return None
    request = _field(m.group("request"))
    method = target = protocol = None
    if request is not None:
        parts = request.split(" ")
        if len(parts) == 3:
            method, target, protocol = parts
    upstream = int(m.group("upstream_us"))
    return {
        "address": m.group("address"), "time": m.group("time"), "method": method,
        "target": target, "protocol": protocol, "status": int(m.group("status")),
        "bytes": int(m.group("bytes")), "referer": _field(m.group("referer")),
        "user_agent": _field(m.group("user_agent")), "total_us": int(m.group("total_us")),
        "upstream_us": upstream if upstream >= 0 else None, "cache": m.group("cache"),
        "reason": _field(m.group("reason")), "host": _field(m.group("host")),
        "request_id": _field(m.group("request_id")),
    }


def parse_line(line):
    line = line.rstrip("\r\n")
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        return record if isinstance(record, dict) and "request_id" in record else None
    return _parse_text(line)
