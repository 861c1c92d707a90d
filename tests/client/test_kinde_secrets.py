"""The client secret and the bearer token never appear in messages, reprs or event lines."""
from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
import responses
from kinde_fakes import BASE, SECRET, TOKEN, TOKEN_URL

from kinde_iac.errors import ApiError
from kinde_iac.kinde import KindeClient

ROLES = BASE + "/api/v1/roles"


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert TOKEN not in text


def test_reprs(client: KindeClient, rsps: responses.RequestsMock) -> None:
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")  # a token is now cached
    assert_clean(repr(client), repr(client.credentials), repr(client._tokens), repr(client.stats))


def test_token_endpoint_echoing_the_secret(rsps: responses.RequestsMock,
                                           make_client: Callable[..., KindeClient]) -> None:
    rsps.post(TOKEN_URL, status=400,
              json={"error": "invalid_client", "error_description": f"unknown secret {SECRET}"})
    with pytest.raises(ApiError) as exc:
        make_client().get("/api/v1/roles")
    assert_clean(str(exc.value), repr(exc.value), exc.value.message)
    assert "unknown secret ***" in exc.value.message


def test_api_error_echoing_the_token(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, status=400,
             json={"errors": [{"code": "BAD", "message": f"header was Bearer {TOKEN}"}]})
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    assert_clean(str(exc.value), exc.value.message)


def test_transport_error_text_is_scrubbed(rsps: responses.RequestsMock, client: KindeClient,
                                          events: list[str]) -> None:
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")
    rsps.post(ROLES, body=requests.ConnectionError(f"reset while sending Bearer {TOKEN} / {SECRET}"))
    with pytest.raises(ApiError) as exc:
        client.post("/api/v1/roles", json={})
    assert exc.value.ambiguous
    assert_clean(str(exc.value), *events)


def test_event_lines_are_clean(rsps: responses.RequestsMock, client: KindeClient, events: list[str]) -> None:
    rsps.get(ROLES, status=401, json={"errors": [{"code": "TOKEN_INVALID", "message": "bad"}]})
    rsps.post(TOKEN_URL, json={"access_token": TOKEN + "-2", "expires_in": 3600})
    rsps.get(ROLES, status=429, headers={"RateLimit-Reset": "1"})
    rsps.get(ROLES, json={"roles": []})
    client.get("/api/v1/roles")
    assert len(events) == 2
    assert_clean(*events)
