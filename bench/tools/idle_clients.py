#!/usr/bin/env python3
"""Idle keep-alive clients for the keepalive-5000 scenario: opens --clients connections (at most
--batch connecting or waiting for an answer at once), sends one GET of --path on each and reads
the response, then leaves them open and idle. When all are settled it prints

    READY {"clients": N, "open": n, "errors": e, "seconds": s}

and waits for a line (or end of file) on standard input. Then it sends one more request on every
connection still open, to count the ones the server kept usable, closes everything and prints

    BENCHJSON {"clients": N, "open": n, "answered_at_end": a, "closed_by_server": c, "errors": e}

Single-threaded (asyncio): while the connections idle, it uses no CPU. Bounded: every wait has a
timeout, and it raises its own soft RLIMIT_NOFILE to the hard limit (it needs one per client).
"""
import argparse
import asyncio
import json
import resource
import sys
import time


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, need)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < need:
        sys.exit("idle_clients: RLIMIT_NOFILE is %d, %d clients need more (ulimit -n)"
                 % (soft, need))


async def one_response(reader, timeout):
    """Reads one response; returns its status. Needs Content-Length (a cached 1 KiB page)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("response without Content-Length")
    await asyncio.wait_for(reader.readexactly(length), timeout)
    return status


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/1k.html")
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()
    raise_fd_limit(a.clients + 64)

    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: idle-client\r\n\r\n"
               % (a.path, a.port)).encode()
    gate = asyncio.Semaphore(a.batch)
    conns, stats = [], {"clients": a.clients, "errors": 0, "statuses": {}}

    async def open_one():
        async with gate:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", a.port), a.timeout)
            except (OSError, asyncio.TimeoutError):
                stats["errors"] += 1
                return
            try:
                writer.write(request)
                status = await one_response(reader, a.timeout)
                stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
                conns.append((reader, writer))
            except (OSError, ValueError, IndexError, asyncio.TimeoutError,
                    asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                stats["errors"] += 1
                writer.close()

    started = time.monotonic()
    await asyncio.gather(*(open_one() for _ in range(a.clients)))
    print("READY " + json.dumps({"clients": a.clients, "open": len(conns),
                                 "errors": stats["errors"], "statuses": stats["statuses"],
                                 "seconds": round(time.monotonic() - started, 2)}), flush=True)

    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    answered = closed = 0

    async def check(reader, writer):
        nonlocal answered, closed
        async with gate:
            try:
                writer.write(request)
                await one_response(reader, a.timeout)
                answered += 1
            except (OSError, ValueError, IndexError, asyncio.TimeoutError,
                    asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                closed += 1
            finally:
                writer.close()

    await asyncio.gather(*(check(r, w) for r, w in conns))
    print("BENCHJSON " + json.dumps({"clients": a.clients, "open": len(conns),
                                     "answered_at_end": answered, "closed_by_server": closed,
                                     "errors": stats["errors"]}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
