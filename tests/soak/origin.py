"""The soak test's origin: a small asyncio HTTP/1.1 keep-alive server, fast enough to keep Larder
busy, run as its own process (`python3 origin.py PORT_FILE`; it writes its port there).

Routes (every body is `size` bytes of one repeated letter, so a client can check its length):
- GET /c/<id>?size=N  cacheable page (`Cache-Control: max-age=600`);
- GET /h/<id>?size=N  `Cache-Control: private`: never stored, remembered as hit-for-pass;
- POST /c/<id>        a small uncacheable answer (Larder then invalidates /c/<id>);
- anything else       `ok`.
Every response has a Content-Length; POST bodies are read by Content-Length.
"""
import asyncio
import sys

FILL = b"x" * (4 * 1024 * 1024)


def response(status, cache_control, body):
    head = ("HTTP/1.1 %s\r\nContent-Type: text/plain\r\nCache-Control: %s\r\n"
            "Content-Length: %d\r\n\r\n" % (status, cache_control, len(body))).encode()
    return head, body


def route(method, target):
    path, _, query = target.partition("?")
    size = 2
    for part in query.split("&"):
        if part.startswith("size="):
            size = min(int(part[5:]), len(FILL))
    if method == "POST":
        return response("200 OK", "no-store", b"posted")
    if path.startswith("/c/"):
        return response("200 OK", "max-age=600", memoryview(FILL)[:size])
    if path.startswith("/h/"):
        return response("200 OK", "private", memoryview(FILL)[:size])
    return response("200 OK", "no-store", b"ok")


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            head_bytes, body = route(method, target)
            writer.write(head_bytes)
            writer.write(body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
        pass
    finally:
        writer.close()


async def main(port_file):
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    with open(port_file, "w") as f:
        f.write(str(port))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
