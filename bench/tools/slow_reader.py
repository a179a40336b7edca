#!/usr/bin/env python3
"""Slow clients for the slow-clients scenario: N keep-alive connections that each request PATH
and read the response a few bytes at a time (small receive buffer, a pause between reads), for
DURATION seconds, while wrk measures the fast clients. Prints one JSON line: clients, responses
completed, bytes read, connection errors. Bounded: every loop ends at the deadline."""
import argparse
import json
import selectors
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/128k.html")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--read-bytes", type=int, default=1024)
    ap.add_argument("--interval-ms", type=int, default=100)
    ap.add_argument("--duration", type=float, default=10)
    a = ap.parse_args()

    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-reader\r\n\r\n"
               % a.path).encode()
    deadline = time.monotonic() + a.duration
    sel = selectors.DefaultSelector()
    stats = {"clients": a.clients, "responses": 0, "bytes": 0, "errors": 0}
    conns = {}

    def connect():
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", a.port))
            s.sendall(request)
        except OSError:
            stats["errors"] += 1
            s.close()
            return
        s.setblocking(False)
        # state: bytes of the current response seen, expected total (None until headers parsed)
        conns[s] = {"buf": b"", "need": None, "got": 0}
        sel.register(s, selectors.EVENT_READ)

    for _ in range(a.clients):
        connect()
    interval = a.interval_ms / 1000.0
    while time.monotonic() < deadline and conns:
        tick = time.monotonic()
        for key, _ in sel.select(timeout=interval):
            s = key.fileobj
            st = conns[s]
            try:
                data = s.recv(a.read_bytes)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                stats["errors"] += 1
                sel.unregister(s)
                s.close()
                del conns[s]
                connect()
                continue
            stats["bytes"] += len(data)
            if st["need"] is None:
                st["buf"] += data
                end = st["buf"].find(b"\r\n\r\n")
                if end < 0:
                    continue
                length = 0
                for line in st["buf"][:end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                st["need"] = end + 4 + length
                st["got"] = len(st["buf"])
                st["buf"] = b""
            else:
                st["got"] += len(data)
            if st["got"] >= st["need"]:
                stats["responses"] += 1
                extra = st["got"] - st["need"]
                st.update(buf=b"", need=None, got=0)
                if extra:   # a pipelined byte would be a bug in the server; start over
                    stats["errors"] += 1
                try:
                    s.sendall(request)
                except OSError:
                    stats["errors"] += 1
        rest = interval - (time.monotonic() - tick)
        if rest > 0:
            time.sleep(rest)
    for s in list(conns):
        s.close()
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
