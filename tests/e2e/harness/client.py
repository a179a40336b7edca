"""A raw-socket HTTP/1.1 client for end-to-end tests.

It sends whatever bytes a test gives it (so malformed requests, pipelines and byte-by-byte
splits are easy) and reads responses the way a real client must: 1xx interim responses, HEAD,
204/304, Content-Length, chunked, or read-until-close. `wait_closed()` tells whether the server
closed the connection.
"""
import select
import socket
import time

from .wire import ConnectionClosed, Headers, Reader, read_chunked, read_head, has_token

__all__ = ["Client", "Response", "ConnectionClosed", "build_request"]


class Response:
    def __init__(self, version, status, reason, headers, body, raw_head, trailers=None):
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.raw_head = raw_head
        self.trailers = trailers or Headers()

    def header(self, name, default=None):
        return self.headers.get(name, default)

    @property
    def x_cache(self):
        return self.headers.get("X-Cache")

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<Response %s %s %r body=%d bytes>" % (
            self.status, self.reason, self.headers.items, len(self.body))


def build_request(method, target, headers=(), body=None, version="HTTP/1.1", host="localhost"):
    """Serializes a request. Adds Host (unless host is None or a Host header is given) and
    Content-Length when a body is given without Content-Length/Transfer-Encoding."""
    hdrs = list(headers.items() if isinstance(headers, dict) else headers)
    names = [n.lower() for n, _ in hdrs]
    if host is not None and "host" not in names:
        hdrs.insert(0, ("Host", host))
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        hdrs.append(("Content-Length", str(len(body))))
    out = "%s %s %s\r\n" % (method, target, version)
    out += "".join("%s: %s\r\n" % (n, v) for n, v in hdrs)
    out += "\r\n"
    data = out.encode("latin-1")
    if body is not None:
        data += body if isinstance(body, bytes) else body.encode()
    return data


class Client:
    """One client connection to 127.0.0.1:port. Every blocking call has a timeout."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = Reader(self.sock)

    # -- sending -------------------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def send_bytewise(self, data):
        """Sends one byte per send() call (TCP_NODELAY is on, so they leave as tiny segments)."""
        for i in range(len(data)):
            self.sock.sendall(data[i:i + 1])

    def send_request(self, method, target, headers=(), body=None, version="HTTP/1.1", host="localhost"):
        self.send(build_request(method, target, headers, body, version, host))

    # -- receiving -----------------------------------------------------------------------
    def read_response(self, method="GET", interim=False, timeout=None):
        """Reads one response. With interim=False, 1xx responses are skipped; with interim=True
        a 1xx response is returned as it is."""
        self.sock.settimeout(timeout if timeout is not None else self.timeout)
        while True:
            start, headers, raw = read_head(self.reader)
            parts = start.split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/"):
                raise ValueError("bad status line %r" % start)
            version, status = parts[0], int(parts[1])
            reason = parts[2] if len(parts) > 2 else ""
            if 100 <= status < 200 and status != 101:
                if interim:
                    return Response(version, status, reason, headers, b"", raw)
                continue
            break
        body, trailers = b"", None
        te = headers.get("Transfer-Encoding")
        cl = headers.get("Content-Length")
        if method.upper() == "HEAD" or status in (204, 304):
            pass
        elif te is not None and has_token(te, "chunked"):
            body, trailers = read_chunked(self.reader)
        elif cl is not None:
            body = self.reader.read_exact(int(cl.split(",")[0].strip()))
        else:
            body = self.reader.read_to_eof()
        return Response(version, status, reason, headers, body, raw, trailers)

    def read_responses(self, methods):
        """Reads len(methods) responses in order; `methods` may also be an int (all GET)."""
        if isinstance(methods, int):
            methods = ["GET"] * methods
        return [self.read_response(m) for m in methods]

    def request(self, method, target, headers=(), body=None, version="HTTP/1.1", host="localhost",
                timeout=None):
        self.send_request(method, target, headers, body, version, host)
        return self.read_response(method, timeout=timeout)

    def get(self, target, headers=(), **kw):
        return self.request("GET", target, headers, **kw)

    def wait_closed(self, timeout=5.0):
        """True if the server closes the connection (FIN or RST) within `timeout` seconds
        without sending anything more; raises AssertionError if it sends bytes instead."""
        if self.reader.has_buffered():
            raise AssertionError("unexpected bytes before close: %r" % bytes(self.reader.buf[:200]))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return False
            try:
                data = self.sock.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not data:
                return True
            raise AssertionError("unexpected bytes before close: %r" % data[:200])

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
