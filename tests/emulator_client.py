"""The one test client of a running emulator, shared by the emulator suite and the end-to-end suite.

``ApiClient`` speaks to the Management API as one environment's M2M application (bearer token; with
a ``SpecValidator`` every response is checked against the official spec); ``Control`` drives the
emulator's own ``/_emulator/`` routes (reset, stats, faults). Raw ``requests`` on purpose: tests
change Kinde behind kinde-iac's back, and must not go through the code under test to do it.

Imported by name: pytest puts ``tests/`` on ``sys.path`` (its conftest.py has no package).
"""
from __future__ import annotations

from typing import Any, Protocol

import requests

TIMEOUT = 10


class ResponseHook(Protocol):
    def hook(self, response: requests.Response, *args: object, **kwargs: object) -> requests.Response: ...


def fetch_token(base_url: str, client_id: str, client_secret: str, *, scope: str | None = None) -> str:
    """A client-credentials token for ``base_url``'s Management API."""
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
            "audience": f"{base_url}/api"}
    if scope is not None:
        data["scope"] = scope
    response = requests.post(f"{base_url}/oauth2/token", data=data, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


class ApiClient:
    """One environment's Management API over real HTTP, optionally spec-validated."""

    def __init__(self, base_url: str, token: str | None = None, *, validator: ResponseHook | None = None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if validator is not None:
            self.session.hooks["response"].append(validator.hook)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.session.close()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    # -- asserting helpers ---------------------------------------------------------------------------

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> dict[str, Any]:
        """The JSON body of a request that must answer exactly ``status``."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The JSON body (``{}`` when empty) of a request that must succeed with any 2xx."""
        response = self.request(method, path, **kwargs)
        assert 200 <= response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.content else {}

    def error(self, method: str, path: str, status: int, **kwargs: Any) -> str:
        """The Kinde error code of a request that must fail with ``status``."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        errors = response.json()["errors"]
        return (errors if isinstance(errors, dict) else errors[0])["code"]

    def walk(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, following ``next_token`` page by page."""
        items: list[dict[str, Any]] = []
        query = dict(params)
        while True:
            body = self.call("GET", path, params=query)
            items += body.get(key) or []
            if not body.get("next_token"):
                return items
            query["next_token"] = body["next_token"]


class Control:
    """The emulator's ``/_emulator/`` routes; ``control(method, route, ...)`` returns the JSON."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def __call__(self, method: str, route: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", TIMEOUT)
        response = requests.request(method, f"{self.base_url}/_emulator/{route}", **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def stats(self) -> dict[str, Any]:
        return self("GET", "stats")

    def reset_stats(self) -> None:
        self("DELETE", "stats")

    def reset(self) -> None:
        self("POST", "reset")

    def faults(self, **settings: Any) -> dict[str, Any]:
        return self("POST", "faults", json=settings)
