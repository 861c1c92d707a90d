"""Issue 17's fidelity fixes: what Kinde keeps, revokes or refuses, and tamper-proof page tokens."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient

KEYS = "/api/v1/api_keys"


def _api(client: KindeClient, audience: str = "https://orders.example") -> str:
    return client.ok("POST", "/api/v1/apis", json={"name": "Orders", "audience": audience})["api"]["id"]


def test_patching_a_scope_without_a_description_keeps_it(client: KindeClient) -> None:
    api_id = _api(client)
    scope_id = client.ok("POST", f"/api/v1/apis/{api_id}/scopes",
                         json={"key": "orders:read", "description": "Read orders"})["scope"]["id"]
    path = f"/api/v1/apis/{api_id}/scopes/{scope_id}"
    for body in ({}, {"description": ""}, {"unrelated": 1}):
        client.ok("PATCH", path, json=body)
        assert client.ok("GET", path)["scope"]["description"] == "Read orders", body
    client.ok("PATCH", path)  # no body at all
    assert client.ok("GET", path)["scope"]["description"] == "Read orders"
    client.ok("PATCH", path, json={"description": "Read all orders"})
    assert client.ok("GET", path)["scope"]["description"] == "Read all orders"
    assert client.error("PATCH", path, 400, json={"description": None}) == "INVALID_DESCRIPTION"


def test_deleting_an_api_key_revokes_it(emulator: RunningEmulator, client: KindeClient,
                                        make_client: Callable[..., KindeClient]) -> None:
    api_id = _api(client)
    created = client.ok("POST", KEYS, 201, json={"name": "ci", "type": "environment", "api_id": api_id})["api_key"]
    other = client.ok("POST", KEYS, 201, json={"name": "other", "type": "environment", "api_id": api_id})["api_key"]
    client.ok("DELETE", f"{KEYS}/{created['id']}")

    listed = {k["id"]: k["status"] for k in client.ok("GET", KEYS)["api_keys"]}
    assert listed == {created["id"]: "revoked", other["id"]: "active"}  # still listed, as Kinde documents
    assert [k["id"] for k in client.ok("GET", KEYS, params={"status": "revoked"})["api_keys"]] == [created["id"]]
    assert client.ok("GET", f"{KEYS}/{created['id']}")["api_key"]["status"] == "revoked"
    verified = make_client(emulator.url).ok("POST", f"{KEYS}/verify", json={"api_key": created["key"]})
    assert verified["is_valid"] is False and verified["status"] == "revoked"
    client.ok("DELETE", f"{KEYS}/{created['id']}")  # revoking again changes nothing
    assert client.ok("GET", f"{KEYS}/{created['id']}")["api_key"]["status"] == "revoked"
    assert client.error("PUT", f"{KEYS}/{created['id']}", 400) == "API_KEY_REVOKED"
    assert client.ok("GET", f"{KEYS}/{other['id']}")["api_key"]["status"] == "active"


def test_a_user_api_key_needs_a_user_id(client: KindeClient) -> None:
    api_id = _api(client)
    body = {"name": "mine", "type": "user", "api_id": api_id}
    assert client.error("POST", KEYS, 400, json=body) == "USER_ID_REQUIRED"
    assert client.error("POST", KEYS, 400, json={**body, "user_id": ""}) == "USER_ID_REQUIRED"
    created = client.ok("POST", KEYS, 201, json={**body, "user_id": "kp_123"})["api_key"]
    assert client.ok("GET", f"{KEYS}/{created['id']}")["api_key"]["user_id"] == "kp_123"


def test_null_is_refused_where_the_spec_does_not_allow_it(client: KindeClient) -> None:
    assert client.error("POST", "/api/v1/roles", 400, json={"key": "a", "name": None}) == "INVALID_NAME"
    assert client.error("POST", "/api/v1/permissions", 400,
                        json={"key": "p", "name": "P", "description": None}) == "INVALID_DESCRIPTION"
    app_id = client.ok("POST", "/api/v1/applications", 201, json={"name": "Web", "type": "reg"})["application"]["id"]
    assert client.error("PATCH", f"/api/v1/applications/{app_id}", 400,
                        json={"is_allow_faceless_auth": None}) == "INVALID_IS_ALLOW_FACELESS_AUTH"
    assert client.error("PATCH", f"/api/v1/applications/{app_id}/tokens", 400,
                        json={"access_token_lifetime": None}) == "INVALID_ACCESS_TOKEN_LIFETIME"
    assert client.error("POST", "/api/v1/environment_variables", 400,
                        json={"key": "K", "value": "v", "is_secret": None}) == "INVALID_IS_SECRET"
    # Where the spec says nullable, null is fine.
    api_id = _api(client)
    client.ok("POST", KEYS, 201, json={"name": "k", "type": "environment", "api_id": api_id, "scope_ids": None,
                                       "org_code": None, "user_id": None})
    client.ok("POST", "/api/v1/roles", 201, json={"key": "r", "name": "R", "assignment_permission_id": None})


def test_unknown_enum_values_in_filters_are_refused(client: KindeClient) -> None:
    for params, code in [({"status": "expired"}, "INVALID_STATUS"),
                         # The spec's key_type filter lists organization and user only.
                         ({"key_type": "environment"}, "INVALID_KEY_TYPE"),
                         ({"page_size": "ten"}, "INVALID_PAGE_SIZE")]:
        assert client.error("GET", KEYS, 400, params=params) == code, params
    assert client.error("GET", "/api/v1/apis", 400, params={"expand": "applications"}) == "INVALID_EXPAND"
    assert client.error("GET", "/api/v1/roles", 400, params={"sort": "id_asc"}) == "INVALID_SORT"
    assert client.ok("GET", KEYS, params={"status": "active", "key_type": "user"})["api_keys"] == []


@pytest.mark.parametrize("path", ["/api/v1/applications", "/api/v1/roles", "/api/v1/permissions"])
def test_empty_sort_and_page_size_are_refused(client: KindeClient, path: str) -> None:
    assert client.error("GET", path, 400, params={"sort": ""}) == "INVALID_SORT"
    assert client.error("GET", path, 400, params={"page_size": ""}) == "INVALID_PAGE_SIZE"
    assert client.error("GET", "/api/v1/apis", 400, params={"expand": ""}) == "INVALID_EXPAND"
    assert client.error("GET", KEYS, 400, params={"page_size": ""}) == "INVALID_PAGE_SIZE"


def _roles(client: KindeClient, count: int) -> list[str]:
    return [client.ok("POST", "/api/v1/roles", 201, json={"key": f"r{i:02}", "name": f"R{i}"})["role"]["id"]
            for i in range(count)]


def test_a_next_token_only_works_where_it_was_issued(client: KindeClient, staging: KindeClient) -> None:
    _roles(client, 5)
    _roles(staging, 5)
    token = client.ok("GET", "/api/v1/roles", params={"page_size": 2})["next_token"]
    assert len(client.ok("GET", "/api/v1/roles", params={"page_size": 2, "next_token": token})["roles"]) == 2
    # Another environment's list at the same path: refused, never staging's page.
    assert staging.error("GET", "/api/v1/roles", 400, params={"next_token": token}) == "INVALID_NEXT_TOKEN"
    # Another list.
    assert client.error("GET", "/api/v1/permissions", 400, params={"next_token": token}) == "INVALID_NEXT_TOKEN"


def test_a_role_permission_token_is_bound_to_its_role(client: KindeClient) -> None:
    first, second = _roles(client, 2)
    perms = [client.ok("POST", "/api/v1/permissions", 201, json={"key": f"p{i}", "name": f"P{i}"})["permission"]["id"]
             for i in range(3)]
    for role in (first, second):
        client.ok("PATCH", f"/api/v1/roles/{role}/permissions", json={"permissions": [{"id": p} for p in perms]})
    token = client.ok("GET", f"/api/v1/roles/{first}/permissions", params={"page_size": 1})["next_token"]
    assert client.error("GET", f"/api/v1/roles/{second}/permissions", 400,
                        params={"page_size": 1, "next_token": token}) == "INVALID_NEXT_TOKEN"


def test_every_edit_of_a_next_token_is_refused(client: KindeClient) -> None:
    _roles(client, 4)
    token = client.ok("GET", "/api/v1/roles", params={"page_size": 1})["next_token"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    for i, ch in enumerate(token):
        edited = token[:i] + alphabet[(alphabet.index(ch) + 1) % len(alphabet)] + token[i + 1:]
        assert client.error("GET", "/api/v1/roles", 400, params={"page_size": 1, "next_token": edited}) \
            == "INVALID_NEXT_TOKEN", edited
    payload = token.split(".")[0]
    for forged in (payload, f"{payload}.", f"{payload}.AAAAAAAAAAAAAAAAAAAAAA", token + "A", token[:-1]):
        assert client.error("GET", "/api/v1/roles", 400, params={"next_token": forged}) == "INVALID_NEXT_TOKEN"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.text(min_size=1, max_size=80))
def test_no_next_token_makes_a_server_error(client: KindeClient, garbage: str) -> None:
    response = client.get("/api/v1/permissions", params={"next_token": garbage})
    assert response.status_code == 400, (garbage, response.text)
    assert response.json()["errors"][0]["code"] == "INVALID_NEXT_TOKEN"
