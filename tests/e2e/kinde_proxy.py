"""A small HTTP proxy in front of the emulator, for faults the emulator itself does not make: a create
held past the client's read timeout and then let through (it lands after the client gave up), and
a list answered 200 with a body of the wrong shape.

The CLI talks to the proxy as if it were Kinde (``KINDE_DOMAIN``); the proxy passes the client's
Host header on, so tokens and audiences name the proxy, as they would name Kinde. One thread per
connection; every connection is closed after its answer. Tests synchronise on the proxy's events
(a request held, an answer sent, a held request landed), never on sleeps.
"""
from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import attrs

WAIT = 60.0  # a guard against a hung test, never a stand-in for synchronisation


@attrs.define
class Hold:
    """Holds requests matching ``method`` and ``pattern`` until ``release`` is set, then lets them land."""

    method: str
    pattern: re.Pattern[str]
    #: Set when a matching request arrives (and is being held).
    held: threading.Event = attrs.field(factory=threading.Event)
    #: Set by the test (or a rule) to let the held request through to Kinde.
    release: threading.Event = attrs.field(factory=threading.Event)
    #: Set once the held request has been carried out by Kinde.
    landed: threading.Event = attrs.field(factory=threading.Event)
    #: Kinde's answer to the held request once it landed (status, body).
    answer: tuple[int, bytes] | None = None

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and bool(self.pattern.search(path))


@attrs.define
class Replace:
    """Answers requests matching ``method`` and ``pattern`` itself, without asking Kinde."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: bytes
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and bool(self.pattern.search(path))


@attrs.frozen
class Seen:
    method: str
    path: str
    status: int | None  # None: the client was gone before the answer


class KindeProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.holds: list[Hold] = []
        self.replacements: list[Replace] = []
        #: Called with (method, path) before a request is passed on; may block (a rule's wait).
        self.before: Callable[[str, str], None] | None = None
        #: Called with (method, path, status) after an answer was sent.
        self.after: Callable[[str, str, int | None], None] | None = None
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: a held one blocks nothing else

            def log_message(self, *_args: Any) -> None:
                pass

            def _handle(self) -> None:
                proxy._serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # -- rules --------------------------------------------------------------------------------------
    def hold(self, method: str, pattern: str) -> Hold:
        rule = Hold(method, re.compile(pattern))
        with self._lock:
            self.holds.append(rule)
        return rule

    def replace(self, method: str, pattern: str, status: int, body: bytes) -> Replace:
        rule = Replace(method, re.compile(pattern), status, body)
        with self._lock:
            self.replacements.append(rule)
        return rule

    def writes(self) -> list[Seen]:
        """Requests that change Kinde (the token request excluded)."""
        with self._lock:
            return [s for s in self.seen if s.method != "GET" and not s.path.startswith("/oauth2/")]

    def close(self) -> None:
        for rule in self.holds:
            rule.release.set()
        self._server.shutdown()
        self._server.server_close()

    # -- serving ------------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self._lock:
            hold = next((h for h in self.holds if h.matches(method, path) and not h.held.is_set()), None)
            replace = next((r for r in self.replacements if r.matches(method, path)), None)
            if hold is not None:
                hold.held.set()
            if replace is not None:
                replace.hits += 1
        if self.before is not None:
            self.before(method, path)
        if replace is not None:
            self._answer(handler, method, path, replace.status, {"Content-Type": "application/json"}, replace.body)
            return
        if hold is not None:
            # The client gives up on its own (its read timeout); the request lands only when released.
            assert hold.release.wait(WAIT), f"{method} {path} was never released"
            status, headers, data = self._forward(handler, method, path, body)
            hold.answer = (status, data)
            hold.landed.set()
            self._answer(handler, method, path, status, headers, data)
            return
        status, headers, data = self._forward(handler, method, path, body)
        self._answer(handler, method, path, status, headers, data)

    def _forward(self, handler: BaseHTTPRequestHandler, method: str, path: str,
                 body: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=WAIT)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("connection", "keep-alive")}
            conn.request(method, path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            kept = {k: v for k, v in resp.getheaders()
                    if k.lower() in ("content-type", "ratelimit-reset", "location")}
            return resp.status, kept, data
        finally:
            conn.close()

    def _answer(self, handler: BaseHTTPRequestHandler, method: str, path: str, status: int,
                headers: dict[str, str], data: bytes) -> None:
        sent: int | None = status
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:
            sent = None  # the client gave up waiting
        with self._lock:
            self.seen.append(Seen(method, path, sent))
        if self.after is not None:
            self.after(method, path, sent)
