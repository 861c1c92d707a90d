"""Kinde Management API client: the request loop over one pooled session, and the verbs.

What is retried follows from what may have happened on the server. A 429 was not processed, so
any method is retried after ``RateLimit-Reset``. A connect failure sent nothing, so it is retried
too. A 5xx or a connection dropped after sending may or may not have applied a write, so writes are
retried only when the caller vouches that repeating them is harmless (``retry_ambiguous``);
otherwise they fail with ``ApiError(ambiguous=True)`` and the caller re-reads before acting again.
A 3xx is never followed (it would carry the bearer token to another host): it is an error.

Error bodies live in errors.py, list shapes and paging in pagination.py, the token in token.py,
backoff in retry.py, the shared window and rate ceiling in limiter.py.
"""
from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import requests

from kinde_iac.errors import ApiError

from .credentials import Credentials, TokenCache
from .errors import (
    OVERLOAD_CODES,
    classify_transport_error,
    parse_error_body,
    redirect_error,
    transport_detail,
)
from .limiter import AdaptiveLimiter, AdaptiveRate, RateBucket
from .pagination import EMPTY, describe, expect_items, expect_object, invalid_response, walk
from .retry import RetryPolicy
from .scrub import Scrubber
from .stats import ClientStats
from .token import TokenEndpoint
from .transport import open_session, send
from .tuning import check_tuning

if TYPE_CHECKING:
    from typing_extensions import Self

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_AGENT = "kinde-iac"
# A 401/403 that blames the token itself (rather than a missing scope) is worth one fresh token.
_TOKEN_PROBLEM = re.compile(r"token|jwt|expired|credential|unauthori[sz]ed|bearer", re.IGNORECASE)

Attempt = tuple[str, requests.Response | None, requests.RequestException | None, float]


class KindeClient:
    """Thread-safe client for one Kinde environment (one M2M application's credentials).

    Numeric settings are range-checked here (KindeIacError naming each bad one). A session the
    caller passes in is used as configured; the client's own session resolves proxy settings once.
    """

    def __init__(self, credentials: Credentials, *, scope: str | None = None, timeout: float = 30.0,
                 max_retries: int = 6, backoff_base: float = 0.25, backoff_max: float = 20.0,
                 max_rps: float | None = None, max_concurrency: int = 8,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 on_event: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, rng: random.Random | None = None) -> None:
        check_tuning(timeout=timeout, max_retries=max_retries, max_concurrency=max_concurrency,
                     max_rps=max_rps, backoff_base=backoff_base, backoff_max=backoff_max)
        self.credentials = credentials
        self.base_url = credentials.domain.rstrip("/")
        self.scope = scope if scope is not None else credentials.scope
        self.timeout = float(timeout)
        # Connecting is quick or not happening at all; fail fast there and leave reads the full timeout.
        self._timeouts = (min(5.0, self.timeout), self.timeout)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.stats = ClientStats()
        self.limiter = AdaptiveLimiter(max_concurrency, clock=clock, sleep=sleep)
        self.rate_bucket = RateBucket(max_rps, clock=clock, sleep=sleep) if max_rps is not None else None
        self.adaptive_rate = AdaptiveRate(clock=clock, sleep=sleep)
        self._on_event = on_event
        self._scrub = Scrubber(credentials.client_secret)
        # Every bearer token issued so far, newest last (scrubbed from messages; tests read it too).
        self._issued_tokens: list[str] = []
        self._retry = RetryPolicy(max_retries=max_retries, base=backoff_base, cap=backoff_max,
                                  stats=self.stats, sleep=sleep, emit=self._emit, rng=rng)
        self._owns_session = session is None
        self._session = session or open_session(self.base_url, pool_size=max(10, max_concurrency))
        self._token_endpoint = TokenEndpoint(
            self._session, credentials, base_url=self.base_url, scope=self.scope, timeouts=self._timeouts,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT}, retry=self._retry,
            stats=self.stats, redact=self._redact, on_issued=self._token_issued)
        self._tokens = TokenCache(self._token_endpoint.fetch, clock=clock)

    def __repr__(self) -> str:
        return f"<KindeClient {self.base_url} client_id={self.credentials.client_id}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def warm_up(self) -> None:
        """Start fetching the bearer token on a background thread, so its round trip overlaps what
        the caller does next (a session opens its state meanwhile). The first request waits for it;
        if it failed, that request raises its error."""
        threading.Thread(target=self._tokens.prefetch, name="kinde-token", daemon=True).start()

    # -- verbs -------------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None) -> dict:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None, params: dict | None = None,
             retry_ambiguous: bool = False) -> dict:
        return self.request("POST", path, params=params, json=json, retry_ambiguous=retry_ambiguous)

    def patch(self, path: str, json: Any = None, params: dict | None = None,
              retry_ambiguous: bool = False) -> dict:
        return self.request("PATCH", path, params=params, json=json, retry_ambiguous=retry_ambiguous)

    def put(self, path: str, json: Any = None, params: dict | None = None,
            retry_ambiguous: bool = False) -> dict:
        return self.request("PUT", path, params=params, json=json, retry_ambiguous=retry_ambiguous)

    def delete(self, path: str, json: Any = None, params: dict | None = None,
               retry_ambiguous: bool = False) -> dict:
        return self.request("DELETE", path, params=params, json=json, retry_ambiguous=retry_ambiguous)

    # -- reads with a required shape ----------------------------------------------------------

    def get_list(self, path: str, key: str, params: dict | None = None) -> list[Any]:
        """One GET of a list Kinde does not page (role scopes, API scopes, callback URLs); the
        list must be there: a body without it raises ApiError(code="INVALID_RESPONSE")."""
        return expect_items(self._call("GET", path, params=params), key, path)

    def get_object(self, path: str, key: str, params: dict | None = None) -> dict[str, Any]:
        """One GET of a single object (``{"api": {...}}``); a body without it raises ApiError."""
        return expect_object(self._call("GET", path, params=params), key, path)

    def paginate(self, path: str, items_key: str, params: dict | None = None, *,
                 paged: bool = True) -> Iterator[Any]:
        """Every item of a list endpoint, across pages (see pagination.walk); a page without the
        list raises ApiError(code="INVALID_RESPONSE") instead of ending the walk as if empty."""
        return walk(lambda query: self._call("GET", path, params=query), path, items_key, params, paged=paged)

    # -- core --------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
                retry_ambiguous: bool = False) -> dict:
        """Send one logical request, retrying what is safe to retry; returns the JSON body as a dict
        ({} for a write answered without a body, ``{"data": value}`` for a non-object body)."""
        body = self._call(method, path, params=params, json=json, retry_ambiguous=retry_ambiguous)
        if body is EMPTY:
            return {}
        return body if isinstance(body, dict) else {"data": body}

    def _call(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
              retry_ambiguous: bool = False) -> Any:
        """The request loop; returns the parsed JSON body, or EMPTY for a write with no body."""
        method = method.upper()
        is_write = method not in SAFE_METHODS
        url = self.base_url + (path if path.startswith("/") else "/" + path)
        attempts = 0
        failures = 0  # retryable failures so far, measured against max_retries
        token_refreshed = False
        maybe_applied = False  # some earlier attempt of this write may have landed
        while True:
            token, resp, exc, rate_wait = self._attempt(method, url, params, json)
            attempts += 1

            if exc is not None:
                fault = classify_transport_error(exc)
                self.stats.record_attempt(fault.code)
                detail = self._redact(f"{fault.text} ({transport_detail(exc)})")
                ambiguous = fault.sent and is_write
                maybe_applied = maybe_applied or ambiguous
                if not fault.retryable:
                    raise ApiError(None, fault.code, detail, method=method, path=path) from exc
                if ambiguous and not retry_ambiguous:
                    raise ApiError(None, fault.code, detail + "; the write may or may not have been applied",
                                   method=method, path=path, ambiguous=True) from exc
                last = ApiError(None, fault.code, detail, method=method, path=path, ambiguous=maybe_applied)
                failures = self._retry.backoff_or_raise(last, failures, attempts, fault.text, cause=exc)
                continue

            assert resp is not None
            status = resp.status_code
            self.stats.record_attempt(str(status))
            if 200 <= status < 300:
                return self._success_body(resp, method, path)
            if 300 <= status < 400:
                raise redirect_error(resp, method, path, redact=self._redact)
            if status == 429:
                self.stats.record_rate_limited()
                if failures >= self.max_retries:
                    raise self._retry.exhausted(self._error(resp, method, path, maybe_applied), attempts)
                failures += 1
                self.stats.record_retry()
                # The wait itself happens in limiter.acquire(), shared by every worker.
                self._emit(f"429 on {method} {path}, waiting {rate_wait:.1f}s")
                continue
            if status >= 500:
                maybe_applied = maybe_applied or is_write
                if is_write and not retry_ambiguous:
                    raise self._error(resp, method, path, True, note="the write may or may not have been applied")
                failures = self._retry.backoff_or_raise(self._error(resp, method, path, maybe_applied),
                                                        failures, attempts, f"HTTP {status}")
                continue
            if status in (401, 403) and not token_refreshed and self._token_rejected(resp):
                # The token was revoked or expired early; one fresh token, one more try.
                token_refreshed = True
                self._tokens.invalidate(token)
                self.stats.record_retry()
                self._emit(f"token rejected (HTTP {status}) on {method} {path}, fetching a new token")
                continue
            raise self._error(resp, method, path, maybe_applied)

    # -- helpers -----------------------------------------------------------------------------

    def _attempt(self, method: str, url: str, params: dict | None, json: Any) -> Attempt:
        """One HTTP attempt inside a concurrency slot and the rate bucket; feeds the AIMD window.

        Returns (token used, response or None, transport error or None, 429 wait in seconds).
        """
        permit = self.limiter.acquire()
        try:
            # Read after any 429 pause so a long wait cannot leave us holding an expired token.
            token = self._tokens.get()
            if self.rate_bucket is not None:
                self.rate_bucket.acquire()
            self.adaptive_rate.before_send()
            try:
                resp = send(self._session, method, url, params=params, json=json, timeout=self._timeouts,
                            headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                                     "User-Agent": USER_AGENT}, merge_session=not self._owns_session)
            except requests.RequestException as exc:
                if classify_transport_error(exc).code in OVERLOAD_CODES:
                    self.limiter.on_overloaded(permit, answered=False)
                    self.adaptive_rate.on_overloaded()
                return token, None, exc, 0.0
            if resp.status_code == 429:
                wait = self._retry.rate_limit_wait(resp)
                self.limiter.on_rate_limited(permit, wait)
                self.adaptive_rate.on_rate_limited()
                return token, resp, None, wait
            if resp.status_code >= 500:
                self.limiter.on_overloaded(permit)
                self.adaptive_rate.on_overloaded()
            else:
                self.limiter.on_success(permit)  # any other answer means the load is acceptable
                self.adaptive_rate.on_success()
            return token, resp, None, 0.0
        finally:
            self.limiter.release(permit)

    def _token_rejected(self, resp: requests.Response) -> bool:
        code, message = parse_error_body(resp)
        if code == "SCOPE_MISSING":
            return False  # a fresh token carries the same scopes
        if resp.status_code == 401:
            return True
        return bool(_TOKEN_PROBLEM.search(f"{code or ''} {message}"))

    def _error(self, resp: requests.Response, method: str, path: str, ambiguous: bool,
               note: str = "") -> ApiError:
        code, message = parse_error_body(resp)
        if note:
            message = f"{message}; {note}" if message else note
        return ApiError(resp.status_code, code or f"HTTP_{resp.status_code}", self._redact(message),
                        method=method, path=path, ambiguous=ambiguous)

    def _success_body(self, resp: requests.Response, method: str, path: str) -> Any:
        if not resp.content.strip():
            if method == "GET":
                # Returning {} here would read as "no objects" and plan to recreate everything.
                raise invalid_response(path, f"expected a JSON body, got {describe(EMPTY)}")
            return EMPTY  # the write succeeded; some Kinde writes declare no body
        try:
            body = resp.json()
        except ValueError:
            if method in SAFE_METHODS:
                raise invalid_response(path, "expected a JSON body, got: " + self._redact(parse_error_body(resp)[1]),
                                       method=method) from None
            return EMPTY
        if isinstance(body, dict) and body.get("errors"):
            # A 2xx that still reports errors did not do what was asked (NOTES section 7.6).
            raise self._error(resp, method, path, False)
        return body

    def _token_issued(self, token: str) -> None:
        self._scrub.add(token)
        self._issued_tokens.append(token)

    def _redact(self, text: str) -> str:
        return self._scrub(text)

    def _emit(self, line: str) -> None:
        if self._on_event is not None:
            self._on_event(self._redact(line))
