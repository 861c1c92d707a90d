"""Kinde Management API client: token, one pooled session, pagination, retries, one error type.

What is retried follows from what may have happened on the server. A 429 was not processed, so
any method is retried after ``RateLimit-Reset``. A connect failure sent nothing, so it is retried
too. A 5xx or a connection dropped after sending may or may not have applied a write, so writes are
retried only when the caller vouches that repeating them is harmless (``retry_ambiguous``);
otherwise they fail with ``ApiError(ambiguous=True)`` and the caller re-reads before acting again.
"""
from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from kinde_iac.errors import ApiError

from .credentials import Credentials, TokenCache
from .limiter import AdaptiveLimiter, AdaptiveRate, RateBucket

if TYPE_CHECKING:
    from typing_extensions import Self

try:  # urllib3 >= 2 tells DNS failures apart; 1.26 (still allowed by requests) does not
    from urllib3.exceptions import NameResolutionError
except ImportError:  # pragma: no cover
    NameResolutionError = None  # type: ignore[assignment,misc]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_PATH = "/oauth2/token"
# Kinde's documented maximum page size; anything less multiplies refresh requests (DESIGN section 8).
PAGE_SIZE = 500
# RateLimit-Reset is honoured as sent, but a nonsense value must not hang a run for hours.
MAX_RATE_LIMIT_WAIT_S = 300.0
# Spread workers released by the same RateLimit-Reset so they do not all hit the server at once.
RATE_LIMIT_JITTER_S = 0.5
USER_AGENT = "kinde-iac"

# Codes that mean "this object does not exist" although Kinde answered 400 (NOTES section 2):
# *_NOT_FOUND, and INVALID_<THING>_ID[_<CONTEXT>] such as INVALID_PERMISSION_ID_ROLE.
_INVALID_ID_CODE = re.compile(r"^INVALID_[A-Z0-9_]*ID(_[A-Z0-9]+)*$")
# A 401/403 that blames the token itself (rather than a missing scope) is worth one fresh token.
_TOKEN_PROBLEM = re.compile(r"token|jwt|expired|credential|unauthori[sz]ed|bearer", re.IGNORECASE)


@attrs.define
class ClientStats:
    """Counters for one client. ``requests`` counts Management API attempts (retries included);
    token endpoint calls are counted apart in ``token_requests`` because Kinde bills them."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    by_status: dict[str, int] = attrs.Factory(dict)
    token_requests: int = 0
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False, eq=False)

    def record_attempt(self, outcome: str) -> None:
        """One HTTP attempt; ``outcome`` is the status ("200") or, with no response, the error code."""
        with self._lock:
            self.requests += 1
            self.by_status[outcome] = self.by_status.get(outcome, 0) + 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def record_token_request(self) -> None:
        with self._lock:
            self.token_requests += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": self.requests, "retries": self.retries, "rate_limited": self.rate_limited,
                    "by_status": dict(self.by_status), "token_requests": self.token_requests}


def is_not_found(err: BaseException) -> bool:
    """True when ``err`` says the addressed object is gone, whichever way Kinde chose to say it."""
    if not isinstance(err, ApiError):
        return False
    if err.status == 404:
        return True
    code = (err.code or "").upper()
    return code.endswith("_NOT_FOUND") or bool(_INVALID_ID_CODE.match(code))


def parse_error_body(resp: requests.Response) -> tuple[str | None, str]:
    """(code, message) from any error body Kinde sends: ``errors`` as a list or as one object
    (not_found_response), the OAuth shape of the token endpoint, or something that is not JSON."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict):
            errors = [errors]
        if isinstance(errors, list) and errors:
            items = [e if isinstance(e, dict) else {"message": str(e)} for e in errors]
            first = items[0]
            message = str(first.get("message") or "")
            # Keep the other errors: a 400 often lists one per invalid field.
            rest = [f"{e.get('code') or '?'}: {e.get('message') or ''}".strip() for e in items[1:]]
            if rest:
                message = "; ".join([message, *rest]) if message else "; ".join(rest)
            code = first.get("code")
            return (str(code) if code else None), message
        if "error" in body:
            return str(body["error"]), str(body.get("error_description") or "")
        if body.get("code") or body.get("message"):
            code = body.get("code")
            return (str(code) if code else None), str(body.get("message") or "")
    text = " ".join((resp.text or "").split())
    if not text:
        return None, resp.reason or "empty response body"
    return None, text[:200] + ("..." if len(text) > 200 else "")


def _describe_transport_error(exc: requests.RequestException) -> tuple[str, bool, bool]:
    """Classify a requests exception as (code, may_have_been_sent, retryable)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "CONNECT_TIMEOUT", False, True
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS_ERROR", False, False  # a certificate problem does not fix itself
    if isinstance(exc, requests.exceptions.Timeout):
        return "TIMEOUT", True, True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = _root_reason(exc)
        if NameResolutionError is not None and isinstance(reason, NameResolutionError):
            return "DNS_ERROR", False, False
        if isinstance(reason, (NewConnectionError, ConnectTimeoutError)) or isinstance(
                exc, requests.exceptions.ProxyError):
            return "CONNECTION_FAILED", False, True
        return "CONNECTION_DROPPED", True, True
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "CONNECTION_DROPPED", True, True
    return "REQUEST_FAILED", False, False


def _transport_detail(exc: BaseException) -> str:
    # urllib3's "Max retries exceeded" wrapper would read oddly beside our own attempt count.
    inner = exc.args[0] if exc.args else None
    return str(inner.reason) if isinstance(inner, MaxRetryError) and inner.reason else str(exc)


def _root_reason(exc: BaseException) -> BaseException | None:
    # requests wraps urllib3's MaxRetryError, whose ``reason`` says whether a connection was ever made.
    inner = exc.args[0] if exc.args else None
    if isinstance(inner, MaxRetryError):
        return inner.reason
    return inner if isinstance(inner, BaseException) else None


class KindeClient:
    """Thread-safe client for one Kinde environment (one M2M application's credentials)."""

    def __init__(self, credentials: Credentials, *, scope: str | None = None, timeout: float = 30.0,
                 max_retries: int = 6, backoff_base: float = 0.25, backoff_max: float = 20.0,
                 max_rps: float | None = None, max_concurrency: int = 8,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 on_event: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, rng: random.Random | None = None) -> None:
        self.credentials = credentials
        self.base_url = credentials.domain.rstrip("/")
        self.scope = scope if scope is not None else credentials.scope
        self.timeout = timeout
        # Connecting is quick or not happening at all; fail fast there and leave reads the full timeout.
        self._timeouts = (min(5.0, timeout), timeout)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.stats = ClientStats()
        self.limiter = AdaptiveLimiter(max_concurrency, clock=clock, sleep=sleep)
        self.rate_bucket = RateBucket(max_rps, clock=clock, sleep=sleep) if max_rps else None
        self.adaptive_rate = AdaptiveRate(clock=clock, sleep=sleep)
        self._sleep = sleep
        self._on_event = on_event
        self._rng = rng or random.Random()
        self._owns_session = session is None
        self._session = session or requests.Session()
        if self._owns_session:
            adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(10, max_concurrency), max_retries=0)
            self._session.mount("https://", adapter)
            self._session.mount("http://", adapter)
        self._issued_tokens: list[str] = []
        self._tokens = TokenCache(self._fetch_token, clock=clock)

    def __repr__(self) -> str:
        return f"<KindeClient {self.base_url} client_id={self.credentials.client_id}>"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

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

    # -- core --------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
                retry_ambiguous: bool = False) -> dict:
        """Send one logical request, retrying what is safe to retry; returns the JSON body ({} if empty)."""
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
                code, sent, retryable = _describe_transport_error(exc)
                self.stats.record_attempt(code)
                detail = self._redact(f"{_TRANSPORT_TEXT.get(code, 'request failed')} ({_transport_detail(exc)})")
                ambiguous = sent and is_write
                maybe_applied = maybe_applied or ambiguous
                if not retryable:
                    raise ApiError(None, code, detail, method=method, path=path) from exc
                if ambiguous and not retry_ambiguous:
                    raise ApiError(None, code, detail + "; the write may or may not have been applied",
                                   method=method, path=path, ambiguous=True) from exc
                last = ApiError(None, code, detail, method=method, path=path, ambiguous=maybe_applied)
                failures = self._retry_or_raise(last, failures, attempts, _TRANSPORT_TEXT.get(code, code),
                                                method, path, maybe_applied, cause=exc)
                continue

            assert resp is not None
            status = resp.status_code
            self.stats.record_attempt(str(status))
            if 200 <= status < 300:
                return self._success_body(resp, method, path)
            if status == 429:
                self.stats.record_rate_limited()
                if failures >= self.max_retries:
                    raise self._exhausted(self._error(resp, method, path, maybe_applied), attempts,
                                          maybe_applied)
                failures += 1
                self.stats.record_retry()
                # The wait itself happens in limiter.acquire(), shared by every worker.
                self._emit(f"429 on {method} {path}, waiting {rate_wait:.1f}s")
                continue
            if status >= 500:
                maybe_applied = maybe_applied or is_write
                if is_write and not retry_ambiguous:
                    raise self._error(resp, method, path, True, note="the write may or may not have been applied")
                failures = self._retry_or_raise(self._error(resp, method, path, maybe_applied), failures,
                                                attempts, f"HTTP {status}", method, path, maybe_applied)
                continue
            if status in (401, 403) and not token_refreshed and self._token_rejected(resp):
                # The token was revoked or expired early; one fresh token, one more try.
                token_refreshed = True
                self._tokens.invalidate(token)
                self.stats.record_retry()
                self._emit(f"token rejected (HTTP {status}) on {method} {path}, fetching a new token")
                continue
            raise self._error(resp, method, path, maybe_applied)

    def paginate(self, path: str, items_key: str, params: dict | None = None, *,
                 paged: bool = True) -> Iterator[dict]:
        """Yield every item of a list endpoint, following ``next_token`` or ``has_more``.

        ``paged=False`` is for endpoints that take no paging parameters: no ``page_size`` is sent,
        but a returned marker is still followed. A marker that repeats, or a page with nothing new,
        ends the walk, so a server that ignores the cursor cannot loop us or duplicate items.
        A dict-valued list (environment feature flags: ``{key: {type, value}}``) is yielded as
        ``{"key": key, **value}`` items.
        """
        query = dict(params or {})
        if paged:
            query.setdefault("page_size", PAGE_SIZE)
        seen_tokens: set[str] = set()
        seen_ids: set[Any] = set()
        while True:
            body = self.get(path, query)
            items = _items_of(body.get(items_key))
            fresh = 0
            for item in items:
                ident = item.get("id", item.get("key")) if isinstance(item, dict) else None
                if ident is not None:
                    if ident in seen_ids:
                        continue
                    seen_ids.add(ident)
                fresh += 1
                yield item
            if not fresh and (seen_tokens or "starting_after" in query):
                return  # a follow-up page brought nothing new: the cursor is being ignored
            next_token = body.get("next_token")
            if next_token:
                if next_token in seen_tokens:
                    return
                seen_tokens.add(next_token)
                query["next_token"] = next_token
                continue
            if body.get("has_more") is True and items:
                last_id = items[-1].get("id") if isinstance(items[-1], dict) else None
                if not last_id or query.get("starting_after") == last_id:
                    return
                query["starting_after"] = last_id
                continue
            return

    # -- helpers -----------------------------------------------------------------------------

    def _attempt(self, method: str, url: str, params: dict | None, json: Any
                 ) -> tuple[str, requests.Response | None, requests.RequestException | None, float]:
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
                resp = self._session.request(
                    method, url, params=params, json=json, timeout=self._timeouts,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                             "User-Agent": USER_AGENT})
            except requests.RequestException as exc:
                return token, None, exc, 0.0
            if resp.status_code == 429:
                wait = self._rate_limit_wait(resp)
                self.limiter.on_rate_limited(permit, wait)
                self.adaptive_rate.on_rate_limited()
                return token, resp, None, wait
            if resp.status_code < 500:
                self.limiter.on_success()  # any answer short of 429/5xx means the load is acceptable
                self.adaptive_rate.on_success()
            return token, resp, None, 0.0
        finally:
            self.limiter.release(permit)

    def _retry_or_raise(self, last: ApiError, failures: int, attempts: int, what: str, method: str,
                        path: str, maybe_applied: bool, cause: BaseException | None = None) -> int:
        """Back off before another attempt, or raise ``last`` when the budget is spent."""
        if failures >= self.max_retries:
            raise self._exhausted(last, attempts, maybe_applied) from cause
        delay = self._rng.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** failures))
        self.stats.record_retry()
        self._emit(f"{what} on {method} {path}, retrying in {delay:.1f}s "
                   f"(attempt {attempts + 1} of {self.max_retries + 1})")
        self._sleep(delay)
        return failures + 1

    def _exhausted(self, last: ApiError, attempts: int, maybe_applied: bool) -> ApiError:
        return ApiError(last.status, last.code, f"{last.message} (gave up after {attempts} attempts)",
                        method=last.method, path=last.path, ambiguous=maybe_applied)

    def _rate_limit_wait(self, resp: requests.Response) -> float:
        try:
            reset = float(resp.headers.get("RateLimit-Reset", ""))
        except ValueError:
            reset = -1.0
        if reset < 0:
            # No usable header: fall back to backoff, but never hammer a server that said "too many".
            reset = max(1.0, min(self.backoff_max, self.backoff_base * 4))
        return min(reset, MAX_RATE_LIMIT_WAIT_S) + self._rng.uniform(0, RATE_LIMIT_JITTER_S)

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

    def _success_body(self, resp: requests.Response, method: str, path: str) -> dict:
        if not resp.content.strip():
            return {}
        try:
            body = resp.json()
        except ValueError:
            if method in SAFE_METHODS:
                # Returning {} here would read as "no objects" and plan to recreate everything.
                raise ApiError(resp.status_code, "INVALID_RESPONSE",
                               "expected a JSON body, got: " + self._redact(parse_error_body(resp)[1]),
                               method=method, path=path) from None
            return {}  # the write succeeded; some Kinde writes declare no body
        if isinstance(body, dict) and body.get("errors"):
            # A 2xx that still reports errors did not do what was asked (NOTES section 7.6).
            raise self._error(resp, method, path, False)
        return body if isinstance(body, dict) else {"data": body}

    def _fetch_token(self) -> tuple[str, float | None]:
        """Client-credentials grant; retried like a GET since asking again only costs a token."""
        form = {"grant_type": "client_credentials", "client_id": self.credentials.client_id,
                "client_secret": self.credentials.client_secret, "audience": f"{self.base_url}/api"}
        if self.scope:
            form["scope"] = self.scope
        attempts = 0
        failures = 0
        while True:
            attempts += 1
            self.stats.record_token_request()
            try:
                resp = self._session.post(self.base_url + TOKEN_PATH, data=form, timeout=self._timeouts,
                                          headers={"Accept": "application/json", "User-Agent": USER_AGENT})
            except requests.RequestException as exc:
                code, _sent, retryable = _describe_transport_error(exc)
                last = ApiError(None, code, self._redact(f"token request failed: {_transport_detail(exc)}"),
                                method="POST", path=TOKEN_PATH)
                if not retryable:
                    raise last from exc
                failures = self._retry_or_raise(last, failures, attempts, _TRANSPORT_TEXT.get(code, code),
                                                "POST", TOKEN_PATH, False, cause=exc)
                continue
            status = resp.status_code
            if 200 <= status < 300:
                try:
                    body = resp.json()
                except ValueError:
                    body = None
                token = body.get("access_token") if isinstance(body, dict) else None
                if not isinstance(token, str) or not token:
                    raise ApiError(status, "INVALID_TOKEN_RESPONSE", "token response has no access_token",
                                   method="POST", path=TOKEN_PATH)
                self._issued_tokens.append(token)
                expires_in = body.get("expires_in")
                return token, (float(expires_in) if isinstance(expires_in, (int, float)) else None)
            error = self._error(resp, "POST", TOKEN_PATH, False)
            if status == 429 or status >= 500:
                if status == 429:
                    self.stats.record_rate_limited()
                if status == 429 and failures < self.max_retries:
                    wait = self._rate_limit_wait(resp)
                    failures += 1
                    self.stats.record_retry()
                    self._emit(f"429 on POST {TOKEN_PATH}, waiting {wait:.1f}s")
                    self._sleep(wait)
                    continue
                failures = self._retry_or_raise(error, failures, attempts, f"HTTP {status}",
                                                "POST", TOKEN_PATH, False)
                continue
            raise error

    def _redact(self, text: str) -> str:
        for secret in (self.credentials.client_secret, *self._issued_tokens):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _emit(self, line: str) -> None:
        if self._on_event is not None:
            self._on_event(self._redact(line))


_TRANSPORT_TEXT = {
    "CONNECT_TIMEOUT": "connect timeout",
    "CONNECTION_FAILED": "connection failed",
    "CONNECTION_DROPPED": "connection dropped",
    "TIMEOUT": "read timeout",
    "TLS_ERROR": "TLS error",
    "DNS_ERROR": "cannot resolve host",
    "REQUEST_FAILED": "request failed",
}


def _items_of(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, dict):
        return [{"key": k, **v} if isinstance(v, dict) else {"key": k, "value": v} for k, v in value.items()]
    return list(value)
