"""The client-credentials grant: one POST to ``<domain>/oauth2/token`` (NOTES section 1).

Asking again only costs a token, so the request is retried like a GET. A redirect is refused, not
followed: requests would re-POST the form, client secret included, to the Location's host.
"""
from __future__ import annotations

from collections.abc import Callable

import requests

from kinde_iac.errors import ApiError

from .credentials import Credentials
from .errors import classify_transport_error, parse_error_body, redirect_error, transport_detail
from .retry import RetryPolicy
from .stats import ClientStats

TOKEN_PATH = "/oauth2/token"


class TokenEndpoint:
    """Fetches bearer tokens for one M2M application; every token issued is handed to ``on_issued``
    (the scrubber) before anyone can print it."""

    def __init__(self, session: requests.Session, credentials: Credentials, *, base_url: str,
                 scope: str | None, timeouts: tuple[float, float], headers: dict[str, str],
                 retry: RetryPolicy, stats: ClientStats, redact: Callable[[str], str],
                 on_issued: Callable[[str], None]) -> None:
        self._session = session
        self._url = base_url + TOKEN_PATH
        self._form = {"grant_type": "client_credentials", "client_id": credentials.client_id,
                      "client_secret": credentials.client_secret, "audience": f"{base_url}/api"}
        if scope:
            self._form["scope"] = scope
        self._timeouts = timeouts
        self._headers = headers
        self._retry = retry
        self._stats = stats
        self._redact = redact
        self._on_issued = on_issued

    def __repr__(self) -> str:
        return f"<TokenEndpoint {self._url}>"

    def fetch(self) -> tuple[str, float | None]:
        """(access_token, expires_in seconds or None), or ApiError."""
        attempts = 0
        failures = 0
        while True:
            attempts += 1
            self._stats.record_token_request()
            try:
                resp = self._session.post(self._url, data=self._form, timeout=self._timeouts,
                                          headers=self._headers, allow_redirects=False)
            except requests.RequestException as exc:
                fault = classify_transport_error(exc)
                last = ApiError(None, fault.code, self._redact(f"token request failed: {transport_detail(exc)}"),
                                method="POST", path=TOKEN_PATH)
                if not fault.retryable:
                    raise last from exc
                failures = self._retry.backoff_or_raise(last, failures, attempts, fault.text, cause=exc)
                continue
            status = resp.status_code
            if 200 <= status < 300:
                return self._token_of(resp)
            if 300 <= status < 400:
                raise redirect_error(resp, "POST", TOKEN_PATH, redact=self._redact)
            code, message = parse_error_body(resp)
            error = ApiError(status, code or f"HTTP_{status}", self._redact(message), method="POST",
                             path=TOKEN_PATH)
            if status == 429:
                self._stats.record_rate_limited()
                if failures < self._retry.max_retries:
                    wait = self._retry.rate_limit_wait(resp)
                    failures += 1
                    self._stats.record_retry()
                    self._retry.wait(wait, f"429 on POST {TOKEN_PATH}, waiting {wait:.1f}s")
                    continue
            if status == 429 or status >= 500:
                failures = self._retry.backoff_or_raise(error, failures, attempts, f"HTTP {status}")
                continue
            raise error

    def _token_of(self, resp: requests.Response) -> tuple[str, float | None]:
        try:
            body = resp.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError(resp.status_code, "INVALID_TOKEN_RESPONSE", "token response has no access_token",
                           method="POST", path=TOKEN_PATH)
        self._on_issued(token)
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        return token, (float(expires_in) if isinstance(expires_in, (int, float)) else None)
