"""A scripted fake origin server that runs inside the test process.

`Origin` listens on 127.0.0.1:0, accepts connections on a thread each and speaks HTTP/1.1 with
keep-alive. A test routes paths to a `Reply` (or to a function of the request returning one):
status, headers, body, chunked, a `threading.Event` to hold the response on, close without a
response, or a reset (SO_LINGER 0). Every request is recorded (method, target, headers, body,
which connection, its index on that connection) and connections are counted, all under one lock,
so a test can check afterwards exactly what the proxy sent upstream and how often; `closed(id)`
says whether a connection has ended (the proxy closed it, or the origin did).
"""
import socket
import threading
import time

from .wire import (ConnectionClosed, Headers, Reader, encode_chunked, has_token, read_chunked,
                   read_head, set_linger_reset)

__all__ = ["Origin", "Reply", "RecordedRequest"]


class RecordedRequest:
    def __init__(self, method, target, version, headers, body, conn_id, conn_index):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.conn_id = conn_id          # 0, 1, 2...: order in which the origin accepted connections
        self.conn_index = conn_index    # 0 for the first request on its connection

    @property
    def path(self):
        return self.target.split("?", 1)[0]

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def __repr__(self):
        return "<%s %s conn=%d#%d body=%d>" % (self.method, self.target, self.conn_id,
                                              self.conn_index, len(self.body))


class Reply:
    """What the origin does with a request.

    action: "respond" (default), "close" (close without answering), "reset" (RST, no answer).
    hold: a threading.Event the origin waits on (at most hold_timeout s) before acting; use it
      whenever a test must order events. delay: seconds to sleep before acting (load only).
    arrived: a threading.Event set as soon as the request has been read.
    chunked: send the body with Transfer-Encoding: chunked in `chunk_size` pieces.
    close_after: close the connection after answering, without a Connection: close header
      (as a server whose keep-alive timer fires right after the response). `closed` is set then.
    connection_close: answer with Connection: close and close.
    """

    def __init__(self, status=200, body=b"", headers=(), *, reason=None, action="respond",
                 hold=None, hold_timeout=20.0, arrived=None, chunked=False, chunk_size=4096,
                 close_after=False, connection_close=False, closed=None, content_length=True,
                 delay=0.0):
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = list(headers.items() if isinstance(headers, dict) else headers)
        self.reason = reason
        self.action = action
        self.hold = hold
        self.hold_timeout = hold_timeout
        self.arrived = arrived
        self.chunked = chunked
        self.chunk_size = chunk_size
        self.close_after = close_after
        self.connection_close = connection_close
        self.closed = closed
        self.content_length = content_length
        self.delay = delay


REASONS = {100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently",
           302: "Found", 304: "Not Modified", 400: "Bad Request", 403: "Forbidden",
           404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


class Origin:
    def __init__(self, port=0):
        """port: 0 for any free port, or a given one (to bring back an origin a test stopped)."""
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._routes = []   # (method or None, pattern, reply-or-callable), newest first
        self._requests = []
        self._connections = 0
        self._closed = set()      # ids of connections that have ended
        self._socks = set()
        self._holds = set()
        self._stopping = False
        self._in_flight = 0       # requests read and not yet answered
        self._max_in_flight = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.address = "127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self._accept_loop, name="origin-accept", daemon=True)
        self._thread.start()

    # -- scripting ------------------------------------------------------------------------
    def route(self, pattern, reply, method=None):
        """Routes requests whose path equals `pattern` (or starts with it, if it ends in '*')
        to `reply`: a Reply, or a callable(RecordedRequest) -> Reply. Later routes win."""
        with self._lock:
            self._routes.insert(0, (method, pattern, reply))

    def clear_routes(self):
        with self._lock:
            self._routes.clear()

    def _resolve(self, req):
        with self._lock:
            routes = list(self._routes)
        for method, pattern, reply in routes:
            if method is not None and method != req.method:
                continue
            if pattern.endswith("*"):
                if not req.path.startswith(pattern[:-1]):
                    continue
            elif pattern != req.path:
                continue
            return reply(req) if callable(reply) else reply
        return Reply(200, "origin %s %s" % (req.method, req.target),
                     [("Content-Type", "text/plain")])

    # -- observations ---------------------------------------------------------------------
    @property
    def connections(self):
        """Connections accepted so far."""
        with self._lock:
            return self._connections

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def count(self, path=None, method=None):
        with self._lock:
            return sum(1 for r in self._requests
                       if (path is None or r.path == path) and (method is None or r.method == method))

    def last(self, path=None):
        with self._lock:
            for r in reversed(self._requests):
                if path is None or r.path == path:
                    return r
        return None

    def closed(self, conn_id):
        """Whether connection `conn_id` (RecordedRequest.conn_id) has ended, either side
        closing it; wait_for() wakes when one does."""
        with self._lock:
            return conn_id in self._closed

    @property
    def in_flight(self):
        """Requests the origin has read and not yet answered (or dropped)."""
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self):
        """The most requests the origin was working on at once."""
        with self._lock:
            return self._max_in_flight

    def wait_for(self, predicate, timeout=10.0):
        """Blocks until predicate(origin) holds (re-checked whenever a request arrives or is
        answered, and at least every 50 ms); returns whether it did. The predicate runs
        without the origin's lock held, so it may read any property (of any origin)."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._cond:
                self._cond.wait(min(left, 0.05))
        return True

    def wait_for_requests(self, n, timeout=10.0):
        """Blocks until at least n requests have been recorded; returns whether they were."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    # -- serving --------------------------------------------------------------------------
    def _accept_loop(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                if self._stopping:
                    sock.close()
                    return
                conn_id = self._connections
                self._connections += 1
                self._socks.add(sock)
            threading.Thread(target=self._serve, args=(sock, conn_id),
                             name="origin-conn-%d" % conn_id, daemon=True).start()

    def _serve(self, sock, conn_id):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = Reader(sock)
        index = 0
        reply = None
        try:
            while True:
                try:
                    req = self._read_request(reader, conn_id, index)
                except (ConnectionClosed, ValueError, OSError):
                    return
                index += 1
                reply = self._resolve(req)
                with self._cond:
                    self._requests.append(req)
                    self._in_flight += 1
                    self._max_in_flight = max(self._max_in_flight, self._in_flight)
                    self._cond.notify_all()
                done = []  # the request counts as in flight until its answer starts
                try:
                    keep = self._act(sock, req, reply, done)
                finally:
                    if not done:
                        self._finish_working(done)
                if not keep:
                    return
        finally:
            with self._lock:
                self._socks.discard(sock)
            try:
                sock.close()
            except OSError:
                pass
            with self._cond:
                self._closed.add(conn_id)
                self._cond.notify_all()
            if reply is not None and reply.closed is not None:
                reply.closed.set()

    def _finish_working(self, done):
        done.append(True)
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def _act(self, sock, req, reply, done):
        """Holds, answers, closes or resets as `reply` says; returns whether to keep going.
        The request stops counting as in flight before the first byte of the answer goes out,
        so a proxy that sends the next request as soon as it has the answer is not miscounted."""
        if reply.arrived is not None:
            reply.arrived.set()
        if reply.hold is not None:
            with self._lock:
                self._holds.add(reply.hold)
            reply.hold.wait(reply.hold_timeout)
        if reply.delay:
            time.sleep(reply.delay)
        self._finish_working(done)
        if reply.action == "close":
            return False
        if reply.action == "reset":
            set_linger_reset(sock)
            return False
        return self._send(sock, req, reply)

    def _read_request(self, reader, conn_id, index):
        start, headers, _ = read_head(reader)
        parts = start.split(" ")
        if len(parts) != 3:
            raise ValueError("bad request line %r" % start)
        method, target, version = parts
        body = b""
        te = headers.get("Transfer-Encoding")
        if te is not None and has_token(te, "chunked"):
            body, _ = read_chunked(reader)
        elif headers.get("Content-Length") is not None:
            body = reader.read_exact(int(headers.get("Content-Length")))
        return RecordedRequest(method, target, version, headers, body, conn_id, index)

    def _send(self, sock, req, reply):
        """Writes the response; returns whether the connection stays open."""
        client_close = has_token(req.header("Connection"), "close") or (
            req.version == "HTTP/1.0" and not has_token(req.header("Connection"), "keep-alive"))
        close = client_close or reply.connection_close
        reason = reply.reason or REASONS.get(reply.status, "Status")
        head = ["HTTP/1.1 %d %s" % (reply.status, reason)]
        names = [n.lower() for n, _ in reply.headers]
        head += ["%s: %s" % (n, v) for n, v in reply.headers]
        no_body = req.method == "HEAD" or reply.status in (204, 304) or 100 <= reply.status < 200
        if reply.chunked:
            head.append("Transfer-Encoding: chunked")
        elif reply.content_length and "content-length" not in names and reply.status not in (204, 304):
            head.append("Content-Length: %d" % len(reply.body))
        if reply.connection_close:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if not no_body:
            if reply.chunked:
                size = reply.chunk_size
                data += encode_chunked(reply.body[i:i + size] for i in range(0, len(reply.body), size))
            else:
                data += reply.body
        try:
            sock.sendall(data)
        except OSError:
            return False
        if not reply.content_length and not reply.chunked and not no_body:
            return False  # body delimited by close
        return not (close or reply.close_after)

    def stop(self):
        with self._lock:
            self._stopping = True
            socks = list(self._socks)
            holds = list(self._holds)
        for h in holds:
            h.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        try:
            self.listener.close()
        except OSError:
            pass
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
