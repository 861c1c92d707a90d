"""The WSGI application: routes every request and wraps it in stats, rate limiting, faults and auth.

Order for one request: match the route -> count it -> rate limit (429) -> latency -> drop or fail
(decided before the operation, so an injected 500 never has a side effect) -> 404 for unknown
routes -> bearer token (403) -> scope (403 SCOPE_MISSING) -> what the spec forbids (400) ->
handler -> maybe drop after it ran.
``/_emulator/`` control routes skip everything but the handler.
"""
from __future__ import annotations

import hashlib
import logging
import socket
import time
from collections.abc import Iterable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from kinde_iac.emulator import apispec, scopes, validation
from kinde_iac.emulator.auth import TokenService
from kinde_iac.emulator.errors import ApiFailure, route_not_found
from kinde_iac.emulator.faults import Faults
from kinde_iac.emulator.handlers import all_routes
from kinde_iac.emulator.handlers.base import Ctx, Route, Services, json_response
from kinde_iac.emulator.paging import PageTokens
from kinde_iac.emulator.stats import Stats
from kinde_iac.emulator.store import Repositories

log = logging.getLogger("kinde_iac.emulator")

UNMATCHED = "<unmatched>"
CONTROL_PREFIX = "/_emulator/"
_READ_METHODS = ("GET", "HEAD", "OPTIONS")


class DropConnection(ConnectionAbortedError):
    """Raised after the socket was shut down: the server must not write any response.

    Werkzeug's request handler treats a ConnectionError from the app as a dropped client and
    stays quiet about it."""


class RouteNotInSpec(RuntimeError):
    """A handler names an operation the official spec does not have (a guessed endpoint)."""


def _werkzeug_path(template: str) -> str:
    return template.replace("{", "<").replace("}", ">")


class EmulatorApp:
    def __init__(self, repos: Repositories, *, faults: Faults | None = None, stats: Stats | None = None) -> None:
        key = repos.store.token_key
        # next_token signatures use a key derived from the token signing key: both survive a
        # restart on the same data file, so a walk in progress does too.
        self.services = Services(repos=repos, tokens=TokenService(key),
                                 page_tokens=PageTokens(hashlib.sha256(b"next_token:" + key).digest()),
                                 faults=faults or Faults(), stats=stats or Stats())
        self.gate = self.services.gate
        self.routes: list[Route] = all_routes()
        self._required_scope: dict[int, str | None] = {}
        self._rules: dict[int, validation.RequestRules] = {}
        spec_ops = apispec.operations()
        for index, route in enumerate(self.routes):
            if route.in_spec:
                if (route.method, route.template) not in spec_ops:
                    raise RouteNotInSpec(f"{route.label} is not an operation of the Kinde spec")
                self._required_scope[index] = scopes.required_scope(route.method, route.template)
                self._rules[index] = validation.rules_for(route.method, route.template)
        self._map = Map(
            [Rule(_werkzeug_path(r.template), endpoint=i, methods=[r.method]) for i, r in enumerate(self.routes)],
            merge_slashes=False,
        )

    # -- WSGI ------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        index, args = self._match(request)
        route = self.routes[index] if index is not None else None
        if (route is not None and route.control) or request.path.startswith(CONTROL_PREFIX):
            return self._dispatch(index, request, args)
        stats = self.services.stats
        stats.begin()
        status: int | None = None
        try:
            phase = self.gate.enter()
            if phase == "before":
                self.gate.hold()
                return _error(ApiFailure(503, "HELD", "Request held by the emulator's gate, then abandoned"))
            response = self._guarded(index, request, args)
            if phase == "after":
                self.gate.hold()
            status = response.status_code
            return response
        finally:
            stats.end(route.label if route else f"{request.method} {UNMATCHED}", status)

    def _match(self, request: Request) -> tuple[int | None, dict[str, str]]:
        try:
            index, args = self._map.bind_to_environ(request.environ).match()
            return index, dict(args)
        except HTTPException:
            return None, {}

    # -- operational wrapping ----------------------------------------------------------------------

    def _guarded(self, index: int | None, request: Request, args: dict[str, str]) -> Response:
        decision = self.services.faults.decide(is_write=request.method not in _READ_METHODS)
        if decision.throttle_seconds:
            failure = ApiFailure(429, "TOO_MANY_REQUESTS", "Too many requests. Request was throttled.",
                                 headers={"RateLimit-Reset": str(decision.throttle_seconds)})
            return _error(failure)
        if decision.latency_s:
            time.sleep(decision.latency_s)
        if decision.drop_before:
            _drop(request)
        if decision.fail:
            return _error(ApiFailure(500, "INTERNAL_SERVER_ERROR",
                                     "Internal server error (injected by the Kinde emulator)"))
        response = self._dispatch(index, request, args)
        if decision.drop_after:
            _drop(request)
        return response

    # -- routing, auth, handler --------------------------------------------------------------------

    def _dispatch(self, index: int | None, request: Request, args: dict[str, str]) -> Response:
        if index is None:
            return _error(route_not_found())
        route = self.routes[index]
        ctx = Ctx(request=request, services=self.services, path=args)
        try:
            if not route.public:
                ctx.env = self._authenticate(request, self._required_scope.get(index))
            rules = self._rules.get(index)
            if rules is not None:
                rules.check(request.args, ctx.body)
            return route.handler(ctx)
        except ApiFailure as failure:
            return _error(failure)
        except Exception:
            log.exception("unexpected error handling %s %s", request.method, request.path)
            return _error(ApiFailure(500, "INTERNAL_SERVER_ERROR", "Unexpected emulator error"))

    def _authenticate(self, request: Request, required: str | None) -> str:
        """The environment the bearer token belongs to; 403 without a valid token or scope."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        claims = self.services.tokens.verify(token.strip()) if scheme.lower() == "bearer" else None
        client = self.services.repos.store.client_by_id(claims.client_id) if claims else None
        if claims is None or client is None:
            raise ApiFailure(403, "UNAUTHORIZED", "Unauthorized - invalid credentials.")
        if required and required not in claims.scopes:
            raise ApiFailure(403, "SCOPE_MISSING", f"Scope is missing: {required}")
        return client.environment


def _error(failure: ApiFailure) -> Response:
    return json_response(failure.body(), failure.status, headers=failure.headers)


def _drop(request: Request) -> None:
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise DropConnection("connection dropped by fault injection")
