"""Reading Kinde's failures: error bodies, "not found" in its two forms, transport errors, redirects.

Everything here turns something the server or the network did into facts the request loop decides
on (code, whether the request may have been sent, whether trying again can help). Nothing here
retries or sleeps.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import attrs
import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from kinde_iac.errors import ApiError

try:  # urllib3 >= 2 tells DNS failures apart; 1.26 (still allowed by requests) does not
    from urllib3.exceptions import NameResolutionError
except ImportError:  # pragma: no cover
    NameResolutionError = None  # type: ignore[assignment,misc]

# Codes that mean "this object does not exist" although Kinde answered 400 (NOTES section 2):
# *_NOT_FOUND, and INVALID_<THING>_ID[_<CONTEXT>] such as INVALID_PERMISSION_ID_ROLE.
_INVALID_ID_CODE = re.compile(r"^INVALID_[A-Z0-9_]*ID(_[A-Z0-9]+)*$")

TRANSPORT_TEXT = {
    "CONNECT_TIMEOUT": "connect timeout",
    "CONNECTION_FAILED": "connection failed",
    "CONNECTION_DROPPED": "connection dropped",
    "TIMEOUT": "read timeout",
    "TLS_ERROR": "TLS error",
    "DNS_ERROR": "cannot resolve host",
    "REQUEST_FAILED": "request failed",
}
# A server that does not answer in time is as much a sign of overload as a 5xx (issue 13 point 9).
OVERLOAD_CODES = frozenset({"TIMEOUT", "CONNECT_TIMEOUT"})


@attrs.frozen
class TransportFault:
    """What a requests exception means for the request loop."""

    code: str  # one of TRANSPORT_TEXT's keys
    sent: bool  # the request may have reached the server (so a write may have landed)
    retryable: bool

    @property
    def text(self) -> str:
        return TRANSPORT_TEXT.get(self.code, "request failed")


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


def classify_transport_error(exc: requests.RequestException) -> TransportFault:
    """Whether a requests exception may have sent the request, and whether retrying can help."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransportFault("CONNECT_TIMEOUT", sent=False, retryable=True)
    if isinstance(exc, requests.exceptions.SSLError):
        return TransportFault("TLS_ERROR", sent=False, retryable=False)  # a certificate does not fix itself
    if isinstance(exc, requests.exceptions.Timeout):
        return TransportFault("TIMEOUT", sent=True, retryable=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = _root_reason(exc)
        if NameResolutionError is not None and isinstance(reason, NameResolutionError):
            return TransportFault("DNS_ERROR", sent=False, retryable=False)
        if isinstance(reason, (NewConnectionError, ConnectTimeoutError)) or isinstance(
                exc, requests.exceptions.ProxyError):
            return TransportFault("CONNECTION_FAILED", sent=False, retryable=True)
        return TransportFault("CONNECTION_DROPPED", sent=True, retryable=True)
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return TransportFault("CONNECTION_DROPPED", sent=True, retryable=True)
    return TransportFault("REQUEST_FAILED", sent=False, retryable=False)


def transport_detail(exc: BaseException) -> str:
    """The readable part of a transport error."""
    # urllib3's "Max retries exceeded" wrapper would read oddly beside our own attempt count.
    inner = exc.args[0] if exc.args else None
    return str(inner.reason) if isinstance(inner, MaxRetryError) and inner.reason else str(exc)


def _root_reason(exc: BaseException) -> BaseException | None:
    # requests wraps urllib3's MaxRetryError, whose ``reason`` says whether a connection was ever made.
    inner = exc.args[0] if exc.args else None
    if isinstance(inner, MaxRetryError):
        return inner.reason
    return inner if isinstance(inner, BaseException) else None


def redirect_error(resp: requests.Response, method: str, path: str,
                   redact: Callable[[str], str] = str) -> ApiError:
    """A 3xx is refused, never followed: following it would send the bearer token, or on the token
    endpoint the client secret, to wherever the Location header points (issue 13 point 4)."""
    location = resp.headers.get("Location")
    if location:
        host = urlsplit(urljoin(resp.url or "", location)).hostname or "an unreadable location"
        where = f"to {redact(host)}"
    else:
        where = "with no Location header"
    return ApiError(resp.status_code, "UNEXPECTED_REDIRECT",
                    f"Kinde answered with a redirect (HTTP {resp.status_code}) {where}; kinde-iac does "
                    f"not follow redirects with credentials, so check KINDE_DOMAIN (the kinde.com domain, "
                    f"not a custom domain) and any proxy in between",
                    method=method, path=path)
