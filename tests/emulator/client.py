"""A small HTTP client for the emulator tests: one environment, bearer token, spec-validated."""
from __future__ import annotations

from typing import Any

import requests

from .spec_check import SpecValidator


class KindeClient:
    def __init__(self, base_url: str, validator: SpecValidator, token: str | None = None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.hooks["response"].append(validator.hook)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
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

    def close(self) -> None:
        self.session.close()

    # -- conveniences used across tests --------------------------------------------------------

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> dict[str, Any]:
        """The JSON body of a request that must answer ``status``."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def error(self, method: str, path: str, status: int, **kwargs: Any) -> str:
        """The Kinde error code of a request that must fail with ``status``."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        errors = response.json()["errors"]
        return (errors if isinstance(errors, dict) else errors[0])["code"]

    def walk(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a next_token-paged list."""
        items: list[dict[str, Any]] = []
        params = dict(params)
        while True:
            body = self.ok("GET", path, params=params)
            items += body[key]
            if not body.get("next_token"):
                return items
            params["next_token"] = body["next_token"]


def fetch_token(base_url: str, client_id: str, client_secret: str, *, scope: str | None = None) -> str:
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
            "audience": f"{base_url}/api"}
    if scope is not None:
        data["scope"] = scope
    response = requests.post(f"{base_url}/oauth2/token", data=data, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
