"""Token endpoint (client credentials, audience, scopes) and bearer/scope enforcement."""
from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient, fetch_token


def _token_request(emu: RunningEmulator, **overrides: str | None) -> requests.Response:
    client_id, secret = emu.credentials()
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
            "audience": f"{emu.url}/api", **overrides}
    return requests.post(f"{emu.url}/oauth2/token", data={k: v for k, v in data.items() if v is not None},
                         timeout=10)


def test_token_response_shape(emulator: RunningEmulator) -> None:
    response = _token_request(emulator)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86399
    assert "read:roles" in body["scope"].split() and "create:feature_flags" in body["scope"].split()
    assert body["access_token"].count(".") == 2  # JWT-shaped


def test_token_errors_use_the_oauth_shape(emulator: RunningEmulator) -> None:
    cases = [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody"}, 401, "invalid_client"),
        ({"audience": None}, 403, "invalid_request"),
        ({"audience": "https://other.example/api"}, 403, "invalid_request"),
        ({"scope": "read:roles fly:to_the_moon"}, 400, "invalid_scope"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": None}, 400, "invalid_request"),
    ]
    for overrides, status, error in cases:
        response = _token_request(emulator, **overrides)
        assert response.status_code == status, (overrides, response.text)
        body = response.json()
        assert body["error"] == error and body["error_description"], overrides


def test_basic_auth_client_credentials_are_accepted(emulator: RunningEmulator) -> None:
    client_id, secret = emulator.credentials()
    response = requests.post(f"{emulator.url}/oauth2/token", auth=(client_id, secret), timeout=10,
                             data={"grant_type": "client_credentials", "audience": f"{emulator.url}/api"})
    assert response.status_code == 200


def test_api_requires_a_valid_bearer_token(emulator: RunningEmulator,
                                           make_client: Callable[..., KindeClient]) -> None:
    anonymous = make_client(emulator.url)
    assert anonymous.error("GET", "/api/v1/roles", 403) == "UNAUTHORIZED"
    forged = make_client(emulator.url, "a.b.c")
    assert forged.error("GET", "/api/v1/roles", 403) == "UNAUTHORIZED"
    token = fetch_token(emulator.url, *emulator.credentials())
    head, body, _ = token.split(".")
    tampered = make_client(emulator.url, f"{head}.{body}.{'A' * 43}")
    assert tampered.error("GET", "/api/v1/environment", 403) == "UNAUTHORIZED"


def test_scope_subset_token_gets_scope_missing(emulator: RunningEmulator,
                                               make_client: Callable[..., KindeClient]) -> None:
    token = fetch_token(emulator.url, *emulator.credentials(), scope="read:roles read:environments")
    limited = make_client(emulator.url, token)
    assert limited.ok("GET", "/api/v1/roles")["roles"] == []
    response = limited.post("/api/v1/roles", json={"key": "admin", "name": "Admin"})
    assert response.status_code == 403
    assert response.json() == {"errors": [{"code": "SCOPE_MISSING", "message": "Scope is missing: create:roles"}]}
    # A scope named only in the operation's description is enforced too.
    response = limited.get("/api/v1/applications/x/auth_logout_urls")
    assert response.json()["errors"][0]["message"] == "Scope is missing: read:application_logout_uris"


def test_verify_needs_no_token(emulator: RunningEmulator, make_client: Callable[..., KindeClient]) -> None:
    anonymous = make_client(emulator.url)
    body = anonymous.ok("POST", "/api/v1/api_keys/verify", json={"api_key": "k_live_nope"})
    assert body["is_valid"] is False


def test_unknown_route_is_route_not_found(client: KindeClient) -> None:
    for method, path in [("GET", "/api/v1/nothing"), ("GET", "/api/v2/roles"), ("PUT", "/api/v1/roles"),
                         ("GET", "/api/v1/users")]:  # /users exists in Kinde but is not emulated
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"errors": {"code": "ROUTE_NOT_FOUND",
                                              "message": "The requested API route does not exist"}}


def test_a_checked_token_is_remembered_but_still_expires_and_forgeries_still_fail(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kinde_iac.emulator import auth

    service = auth.TokenService(b"k" * 32, ttl=60)
    token = service.issue(client_id="c", audience="a", issuer="i", scopes=["read:apis"])
    checks = []
    check = service._check
    monkeypatch.setattr(service, "_check", lambda t: checks.append(t) or check(t))
    first, second = service.verify(token), service.verify(token)
    assert first is not None and first == second and first.scopes == frozenset({"read:apis"})
    assert len(checks) == 1  # the signature was checked once
    head, body, _ = token.split(".")
    assert service.verify(f"{head}.{body}.{'A' * 43}") is None  # same claims, forged signature
    now = auth.time.time()
    monkeypatch.setattr(auth.time, "time", lambda: now + 61)
    assert service.verify(token) is None  # remembered, yet expired
