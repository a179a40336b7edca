"""HTTP/1.1 wire helpers shared by the fake origin and the raw client.

A `Reader` buffers one socket; `read_head` reads a start line plus header section; `read_chunked`
decodes a chunked body. Nothing here validates strictly: the origin and the client must be able to
see exactly what the proxy sent, and the tests assert on that.
"""
import socket


class ConnectionClosed(Exception):
    """The peer closed (or reset) the connection before a complete message arrived."""


class Headers:
    """An ordered list of (name, value) pairs with case-insensitive lookup."""

    def __init__(self, items=()):
        self.items = [(str(n), str(v)) for n, v in items]

    def get(self, name, default=None):
        lname = name.lower()
        for n, v in self.items:
            if n.lower() == lname:
                return v
        return default

    def get_all(self, name):
        lname = name.lower()
        return [v for n, v in self.items if n.lower() == lname]

    def names(self):
        return [n.lower() for n, _ in self.items]

    def __contains__(self, name):
        return name.lower() in self.names()

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __repr__(self):
        return "Headers(%r)" % (self.items,)


class Reader:
    """Buffered reads from a socket: lines, exact byte counts, or everything until close."""

    def __init__(self, sock, max_line=1 << 20):
        self.sock = sock
        self.buf = bytearray()
        self.max_line = max_line

    def _fill(self):
        try:
            data = self.sock.recv(1 << 18)
        except ConnectionResetError as e:
            raise ConnectionClosed("connection reset") from e
        if not data:
            raise ConnectionClosed("connection closed")
        self.buf += data

    def read_line(self):
        """One line without its CRLF (a bare LF is accepted too)."""
        start = 0
        while True:
            i = self.buf.find(b"\n", start)
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 1]
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buf) > self.max_line:
                raise ValueError("line too long")
            start = len(self.buf)
            self._fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def read_to_eof(self):
        while True:
            try:
                self._fill()
            except ConnectionClosed:
                break
        data = bytes(self.buf)
        self.buf.clear()
        return data

    def has_buffered(self):
        return len(self.buf) > 0


def read_head(reader):
    """Reads a start line and header section. Returns (start_line, Headers, raw_bytes).

    Raises ConnectionClosed if the connection closes before the first byte (or mid-way)."""
    raw = bytearray()
    start = reader.read_line()
    # Tolerate (and skip) empty lines before a start line, as RFC 9112 allows for requests.
    guard = 0
    while start == b"" and guard < 8:
        start = reader.read_line()
        guard += 1
    raw += start + b"\r\n"
    items = []
    while True:
        line = reader.read_line()
        raw += line + b"\r\n"
        if line == b"":
            break
        if line[:1] in (b" ", b"\t") and items:  # obs-fold: keep it visible, joined
            name, value = items[-1]
            items[-1] = (name, value + " " + line.strip().decode("latin-1"))
            continue
        name, sep, value = line.partition(b":")
        items.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return start.decode("latin-1"), Headers(items), bytes(raw)


def read_chunked(reader):
    """Decodes a chunked body; returns (body, trailers Headers)."""
    body = bytearray()
    while True:
        size_line = reader.read_line()
        size_text = size_line.split(b";", 1)[0].strip()
        size = int(size_text, 16)
        if size == 0:
            break
        body += reader.read_exact(size)
        if reader.read_line() != b"":
            raise ValueError("chunk not followed by CRLF")
    trailers = []
    while True:
        line = reader.read_line()
        if line == b"":
            break
        name, _, value = line.partition(b":")
        trailers.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return bytes(body), Headers(trailers)


def encode_chunked(chunks):
    out = bytearray()
    for c in chunks:
        if c:
            out += b"%x\r\n" % len(c) + c + b"\r\n"
    out += b"0\r\n\r\n"
    return bytes(out)


def has_token(value, token):
    """True if a comma-separated header value (e.g. Connection) holds `token`."""
    if value is None:
        return False
    return token.lower() in [t.strip().lower() for t in value.split(",")]


def set_linger_reset(sock):
    """Makes close() send a RST instead of a FIN."""
    import struct
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
