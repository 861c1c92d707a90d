"""HTTP/1.1 with persistent connections on Werkzeug's threaded server.

Werkzeug's development handler closes every connection after one response, because Python's
``http.server`` cannot tell where an unread request body ends. Kinde keeps connections open, and a
client that reuses them behaves (and performs) differently, so this handler does what Werkzeug
leaves out: it hands the application a body bounded by ``Content-Length`` (or de-chunked), drains
whatever the application left unread, and only then reads the next request on the same socket.

A connection ends when the client asks (``Connection: close``, HTTP/1.0), when a request cannot be
framed (a bad length, a body cut short), when fault injection drops it, or after ``IDLE_TIMEOUT``
seconds without a byte from the client, so a client that vanishes or stalls mid-request frees its
worker thread instead of holding it forever.
"""
from __future__ import annotations

import io
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import DechunkedInput, ThreadedWSGIServer, WSGIRequestHandler

log = logging.getLogger("kinde_iac.emulator")

IDLE_TIMEOUT = 60.0  # seconds; about what load balancers in front of SaaS APIs allow
MAX_DRAIN = 1 << 20  # an unread body larger than this closes the connection instead of being read


class RequestBody(io.RawIOBase):
    """The request body as the application reads it: exactly the request's bytes (``length`` of
    them, or the de-chunked ``stream``), never a byte of the next request. A client that goes
    away, stalls past the socket timeout or breaks the chunk framing ends the body early, as if
    it were complete, and sets ``truncated``: the connection is then not reused."""

    def __init__(self, stream: Any, length: int | None) -> None:
        super().__init__()
        self._stream = stream
        self._remaining = length  # None: chunked, ends where the stream says
        self.truncated = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.truncated or self._remaining == 0:
            return 0
        want = len(buffer) if self._remaining is None else min(len(buffer), self._remaining)
        try:
            data = self._stream.read(want)
        except OSError:  # reset, timeout, bad chunk header
            data = None
        if not data:
            self.truncated = data is None or self._remaining is not None
            self._remaining = 0
            return 0
        buffer[:len(data)] = data
        if self._remaining is not None:
            self._remaining -= len(data)
        return len(data)

    def drain(self) -> bool:
        """Reads what the application left; False when the connection cannot be reused."""
        total = 0
        while chunk := self.read(65536):
            total += len(chunk)
            if total > MAX_DRAIN:
                return False
        return not self.truncated


class Connections:
    """The server's connections: counted into stats as they are accepted, and shut down together
    when the emulator stops, so no idle keep-alive socket outlives its server."""

    def __init__(self, on_open: Callable[[], None], on_close: Callable[[], None]) -> None:
        self._cond = threading.Condition()
        self._open: set[socket.socket] = set()
        self.accepted = 0  # since the server started
        self._on_open = on_open
        self._on_close = on_close

    def opened(self, sock: socket.socket) -> None:
        with self._cond:
            self._open.add(sock)
            self.accepted += 1
            self._cond.notify_all()
        self._on_open()

    def closed(self, sock: socket.socket) -> None:
        with self._cond:
            if sock not in self._open:
                return
            self._open.discard(sock)
            self._cond.notify_all()
        self._on_close()

    def count(self) -> int:
        with self._cond:
            return len(self._open)

    def wait(self, *, open_at_most: int, accepted_at_least: int, timeout: float) -> bool:
        """Blocks until at least ``accepted_at_least`` connections were accepted and at most
        ``open_at_most`` are open; False if ``timeout`` seconds passed first."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self.accepted >= accepted_at_least and len(self._open) <= open_at_most, timeout=timeout)

    def shut_down_all(self) -> None:
        with self._cond:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone


class KeepAliveServer(ThreadedWSGIServer):
    """Werkzeug's threaded server with :class:`KeepAliveHandler` and connection tracking."""

    def __init__(self, host: str, port: int, app: Any, connections: Connections) -> None:
        self.connections = connections
        super().__init__(host, port, app, handler=KeepAliveHandler)


class KeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    # Small responses on a reused connection would otherwise wait out Nagle's algorithm against
    # the client's delayed ACK (about 40 ms a request).
    disable_nagle_algorithm = True
    server: KeepAliveServer

    def setup(self) -> None:
        super().setup()
        self.server.connections.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the peer is gone; nothing left to flush
        finally:
            self.server.connections.closed(self.connection)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None  # quiet: tests and benchmarks make thousands of requests

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        self.close_connection = True

    def run_wsgi(self) -> None:
        environ = self.make_environ()
        body = self._body(environ)
        environ["wsgi.input"] = body
        environ["wsgi.input_terminated"] = True  # the body ends where our reader says
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            started[:] = [status, headers]
            return lambda data: None  # the write() callable is not used by this application

        try:
            chunks = self.server.app(environ, start_response)
            try:
                payload = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except (TimeoutError, ConnectionError):
            # Dropped by fault injection (the socket is already shut down) or by the client.
            self.close_connection = True
            return
        except Exception:
            log.exception("unexpected error serving %s %s", self.command, self.path)
            started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "application/json")]]
            payload = json.dumps({"errors": [{"code": "INTERNAL_SERVER_ERROR",
                                              "message": "Unexpected emulator error"}]}).encode()
            self.close_connection = True
        if not body.drain():
            self.close_connection = True
        self._send(started[0], started[1], payload)

    def _body(self, environ: dict[str, Any]) -> RequestBody:
        if environ.get("wsgi.input_terminated"):  # chunked: Werkzeug already de-chunks it
            stream = environ["wsgi.input"]
            assert isinstance(stream, DechunkedInput)
            return RequestBody(stream, None)
        raw = environ.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
            if length < 0:
                raise ValueError(raw)
        except ValueError:
            self.close_connection = True  # the body cannot be framed, so neither can the next request
            length = 0
        return RequestBody(self.rfile, length)

    def _send(self, status: str, headers: Iterable[tuple[str, str]], payload: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # Head and body leave in one write: one segment for a typical response.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(payload)
        self.flush_headers()
