"""A Kinde client for engine unit tests: the emulator's WSGI app behind the client surface the
resource kinds use (``get``, ``post``, ``patch``, ``put``, ``delete``, ``paginate``...).

Every call goes in-process through werkzeug's test client with a valid bearer token, so the engine
meets real Kinde semantics (envelopes, ids, 4xx codes, cascades) without a socket, a thread or a
retry loop. Failures are injected per call with :meth:`InProcessKinde.inject`: an ambiguous write
(the request lands, or not, and the caller gets ``ApiError(ambiguous=True)``) or a plain 4xx.

Imported by name: pytest puts this folder on ``sys.path``.
"""
from __future__ import annotations

import fnmatch
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import attrs
from werkzeug.test import Client

from kinde_iac.emulator.app import EmulatorApp
from kinde_iac.emulator.store import Repositories, Store
from kinde_iac.errors import ApiError

BASE_URL = "https://unit.kinde.test"
CLIENT_ID = "unit-m2m"
CLIENT_SECRET = "unit-secret-4e1c"
#: Kinde's largest page, as the real client asks for it (DESIGN section 8).
PAGE_SIZE = 500


@attrs.frozen
class Call:
    """One call as the engine made it, and how it ended."""

    method: str
    path: str
    params: dict[str, Any] | None
    json: Any
    status: int | None  # None: an injected failure that never reached the emulator
    injected: str | None = None  # "ambiguous" or "error" when a fault was injected


@attrs.define
class Fault:
    method: str
    pattern: str
    ambiguous: bool
    lands: bool
    status: int
    code: str
    body_has: dict[str, Any] | None
    times: int
    #: The HTTP status an ambiguous failure carries (None: no answer at all, a dropped connection).
    answered: int | None = None

    def matches(self, method: str, path: str, body: Any) -> bool:
        if self.times <= 0 or method != self.method or not fnmatch.fnmatchcase(path, self.pattern):
            return False
        if self.body_has is None:
            return True
        return isinstance(body, dict) and all(body.get(k) == v for k, v in self.body_has.items())


@attrs.define
class Stats:
    """What the CLI reads from a client's stats: enough for code that reports request counts."""

    requests: int = 0

    def snapshot(self) -> dict[str, Any]:
        return {"requests": self.requests, "retries": 0, "rate_limited": 0, "by_status": {}, "token_requests": 0}


@attrs.frozen
class Credentials:
    client_id: str
    domain: str


class InProcessKinde:
    """One Kinde environment (``development``) in memory, reached through its WSGI app."""

    #: The retry budget the engine grants an ambiguous create (one re-check read per extra attempt).
    max_retries = 2

    def __init__(self, environment: str = "development") -> None:
        self.store = Store.open(None, environments=[environment], client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        self.app = EmulatorApp(Repositories(self.store))
        self.base_url = BASE_URL
        self.credentials = Credentials(client_id=CLIENT_ID, domain=BASE_URL)
        self.stats = Stats()
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        #: Called with (method, path, json) before each API call reaches the emulator.
        self.before_call: Callable[[str, str, Any], None] | None = None
        self._lock = threading.Lock()
        token = self._wsgi("POST", "/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "audience": f"{BASE_URL}/api"})
        assert token.status_code == 200, token.get_data(as_text=True)
        self._token = token.get_json()["access_token"]

    def close(self) -> None:
        self.store.close()

    # -- fault injection ---------------------------------------------------------------------------

    def inject(self, method: str, path: str, *, ambiguous: bool = False, lands: bool = True, status: int = 400,
               code: str = "INJECTED_ERROR", body_has: dict[str, Any] | None = None, times: int = 1,
               answered: int | None = None) -> None:
        """Make the next ``times`` calls of ``method`` on ``path`` (an fnmatch pattern) fail.

        ``ambiguous``: the caller gets ``ApiError(ambiguous=True)`` as if the connection dropped
        after sending; with ``lands`` the write reached Kinde first. Otherwise the call is refused
        with ``status``/``code`` and never reaches Kinde. ``body_has`` narrows it to JSON bodies
        holding those items. ``answered`` makes an ambiguous failure an HTTP answer with that status (a
        500 from Kinde, a 504 from a gateway) instead of no answer."""
        with self._lock:
            self.faults.append(Fault(method.upper(), path, ambiguous, lands, status, code, body_has, times, answered))

    def _fault_for(self, method: str, path: str, body: Any) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, body):
                    fault.times -= 1
                    return fault
        return None

    # -- the client surface --------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None) -> dict:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None, params: dict | None = None, retry_ambiguous: bool = False) -> dict:
        return self.request("POST", path, params=params, json=json)

    def patch(self, path: str, json: Any = None, params: dict | None = None, retry_ambiguous: bool = False) -> dict:
        return self.request("PATCH", path, params=params, json=json)

    def put(self, path: str, json: Any = None, params: dict | None = None, retry_ambiguous: bool = False) -> dict:
        return self.request("PUT", path, params=params, json=json)

    def delete(self, path: str, json: Any = None, params: dict | None = None,
               retry_ambiguous: bool = False) -> dict:
        return self.request("DELETE", path, params=params, json=json)

    def get_list(self, path: str, key: str, params: dict | None = None) -> list:
        """A non-paged list read that insists on the list being there."""
        body = self.get(path, params)
        if not isinstance(body.get(key), list):
            raise ApiError(200, "INVALID_RESPONSE", f"expected a list under {key!r}", method="GET", path=path)
        return body[key]

    def get_object(self, path: str, key: str, params: dict | None = None) -> dict:
        """A single-object read that insists on the object being there."""
        body = self.get(path, params)
        if not isinstance(body.get(key), dict):
            raise ApiError(200, "INVALID_RESPONSE", f"expected an object under {key!r}", method="GET", path=path)
        return body[key]

    def paginate(self, path: str, items_key: str, params: dict | None = None, *, paged: bool = True
                 ) -> Iterator[dict]:
        """Every item of a list, following ``next_token`` or ``has_more`` like Kinde's clients do."""
        query = dict(params or {})
        if paged:
            query.setdefault("page_size", PAGE_SIZE)
        while True:
            body = self.get(path, query)
            raw = body.get(items_key) or []
            items = [{"key": k, **v} for k, v in raw.items()] if isinstance(raw, dict) else list(raw)
            yield from items
            if body.get("next_token"):
                query["next_token"] = body["next_token"]
            elif body.get("has_more") and items:
                query["starting_after"] = items[-1]["id"]
            else:
                return

    def request(self, method: str, path: str, *, params: dict | None = None, json: Any = None) -> dict:
        method = method.upper()
        if self.before_call is not None and method != "GET":
            self.before_call(method, path, json)
        fault = self._fault_for(method, path, json)
        if fault is not None and not (fault.ambiguous and fault.lands):
            self._log(Call(method, path, params, json, None, "ambiguous" if fault.ambiguous else "error"))
            if fault.ambiguous and fault.answered is not None:
                raise ApiError(fault.answered, f"HTTP_{fault.answered}", "server error (injected); the write may "
                               "or may not have been applied", method=method, path=path, ambiguous=True)
            if fault.ambiguous:
                raise ApiError(None, "CONNECTION_DROPPED", "connection dropped (injected); the write may or may "
                               "not have been applied", method=method, path=path, ambiguous=True)
            raise ApiError(fault.status, fault.code, "refused (injected)", method=method, path=path)
        response = self._wsgi(method, path, query_string=params, json=json,
                              headers={"Authorization": f"Bearer {self._token}"})
        self._log(Call(method, path, params, json, response.status_code, "ambiguous" if fault else None))
        if fault is not None:
            raise ApiError(None, "CONNECTION_DROPPED", "connection dropped after sending (injected); the write "
                           "may or may not have been applied", method=method, path=path, ambiguous=True)
        body = response.get_json(silent=True) if response.data.strip() else {}
        if response.status_code >= 300:
            code, message = _error_of(body)
            raise ApiError(response.status_code, code or f"HTTP_{response.status_code}", message,
                           method=method, path=path)
        return body if isinstance(body, dict) else {"data": body}

    # -- inspection --------------------------------------------------------------------------------

    def writes(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method != "GET"]

    def route_counts(self) -> Counter[str]:
        """Requests per emulator route (``GET /api/v1/roles/{role_id}/permissions``), as the
        emulator itself counted them since the last :meth:`reset_counts`."""
        return Counter(self._wsgi("GET", "/_emulator/stats").get_json()["by_route"])

    def reset_counts(self) -> None:
        assert self._wsgi("DELETE", "/_emulator/stats").status_code < 300
        with self._lock:
            self.calls.clear()

    def _log(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self.stats.requests += 1

    def _wsgi(self, method: str, path: str, **kwargs: Any) -> Any:
        # One test client per call: werkzeug's client keeps per-instance state, and apply calls from threads.
        return Client(self.app).open(path, method=method, base_url=BASE_URL, **kwargs)


def _error_of(body: Any) -> tuple[str | None, str]:
    """(code, message) from Kinde's error envelope: ``errors`` as a list or as one object."""
    if not isinstance(body, dict):
        return None, ""
    errors = body.get("errors")
    first = errors if isinstance(errors, dict) else errors[0] if isinstance(errors, list) and errors else {}
    return first.get("code"), str(first.get("message") or "")
