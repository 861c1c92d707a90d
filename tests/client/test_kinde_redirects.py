"""No redirect is followed with credentials (issue 13 point 4): a 3xx on the token endpoint or the
Management API is an error naming the status and the Location host, and nothing goes to that host."""
from __future__ import annotations

from collections.abc import Callable

import pytest
import responses
from kinde_fakes import BASE, SECRET, TOKEN, TOKEN_URL, api_calls, token_calls

from kinde_iac.errors import ApiError
from kinde_iac.kinde import KindeClient

EVIL = "https://collector.evil.example"
ROLES = BASE + "/api/v1/roles"


def evil_calls(rsps: responses.RequestsMock) -> list[object]:
    return [c for c in rsps.calls if c.request.url.startswith(EVIL)]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_token_endpoint_redirect_is_refused(rsps: responses.RequestsMock,
                                            make_client: Callable[..., KindeClient], status: int) -> None:
    rsps.post(TOKEN_URL, status=status, headers={"Location": EVIL + "/oauth2/token"})
    rsps.post(EVIL + "/oauth2/token", json={"access_token": "stolen", "expires_in": 3600})
    rsps.get(ROLES, json={"roles": []})
    with pytest.raises(ApiError) as exc:
        make_client().get("/api/v1/roles")
    err = exc.value
    assert (err.status, err.code, err.method, err.path) == (status, "UNEXPECTED_REDIRECT", "POST", "/oauth2/token")
    assert f"HTTP {status}" in err.message and "collector.evil.example" in err.message
    assert evil_calls(rsps) == []  # the form with the client secret never left for the other host
    assert len(token_calls(rsps)) == 1  # and is not retried
    assert api_calls(rsps) == []
    assert SECRET not in str(err)


@pytest.mark.parametrize(("method", "status"), [("GET", 301), ("GET", 302), ("POST", 307), ("PATCH", 308),
                                                 ("DELETE", 307)])
def test_api_redirect_is_an_error_and_the_token_stays_home(rsps: responses.RequestsMock, client: KindeClient,
                                                           method: str, status: int) -> None:
    rsps.add(method, ROLES, status=status, headers={"Location": EVIL + "/api/v1/roles"})
    rsps.add(method, EVIL + "/api/v1/roles", json={"roles": []})
    with pytest.raises(ApiError) as exc:
        client.request(method, "/api/v1/roles")
    err = exc.value
    assert (err.status, err.code, err.method, err.path) == (status, "UNEXPECTED_REDIRECT", method, "/api/v1/roles")
    assert "collector.evil.example" in err.message
    assert "may or may not" not in err.message and err.ambiguous is False  # a redirect did nothing
    assert evil_calls(rsps) == []
    assert len(api_calls(rsps)) == 1
    assert TOKEN not in str(err)


def test_relative_location_names_the_same_host(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, status=302, headers={"Location": "/login?next=/api/v1/roles"})
    rsps.get(BASE + "/login", body="<html>login</html>")
    with pytest.raises(ApiError, match="redirect \\(HTTP 302\\) to acme.kinde.com"):
        client.get("/api/v1/roles")
    assert len(api_calls(rsps)) == 1


def test_redirect_without_location(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, status=307)
    with pytest.raises(ApiError, match="with no Location header"):
        client.get("/api/v1/roles")


def test_location_host_only_never_its_credentials_or_path(rsps: responses.RequestsMock,
                                                          client: KindeClient) -> None:
    rsps.get(ROLES, status=307, headers={"Location": f"https://user:{SECRET}@collector.evil.example/x?t={TOKEN}"})
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    assert "collector.evil.example" in exc.value.message
    assert SECRET not in str(exc.value) and TOKEN not in str(exc.value) and "user" not in exc.value.message
