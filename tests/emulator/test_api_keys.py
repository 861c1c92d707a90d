"""API keys: cursor paging, create/get/rotate/delete, and the public verify."""
from __future__ import annotations

from collections.abc import Callable

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient

KEYS = "/api/v1/api_keys"


def _api_with_scope(client: KindeClient) -> tuple[str, str]:
    api_id = client.ok("POST", "/api/v1/apis", json={"name": "Orders", "audience": "https://o.example"})["api"]["id"]
    scope_id = client.ok("POST", f"/api/v1/apis/{api_id}/scopes", json={"key": "orders:read"})["scope"]["id"]
    return api_id, scope_id


def _create(client: KindeClient, api_id: str, name: str = "key", **extra: object) -> dict:
    body = client.ok("POST", KEYS, 201, json={"name": name, "type": "organization", "api_id": api_id, **extra})
    assert body["code"] == "API_KEY_CREATED"
    return body["api_key"]


def test_api_key_lifecycle_and_verify(emulator: RunningEmulator, client: KindeClient,
                                      make_client: Callable[..., KindeClient]) -> None:
    api_id, scope_id = _api_with_scope(client)
    created = _create(client, api_id, scope_ids=[scope_id], org_code="org_123")
    assert created["id"].startswith("api_key_") and created["key"].startswith("k_live_")
    got = client.ok("GET", f"{KEYS}/{created['id']}")["api_key"]
    assert got["scopes"] == ["orders:read"] and got["api_ids"] == [api_id] and got["status"] == "active"
    assert got["key_prefix"] == created["key"][:6] and got["key_suffix"] == created["key"][-4:]
    assert got["verification_count"] == 0 and got["organization_id"] == "org_123"

    public = make_client(emulator.url)
    verified = public.ok("POST", f"{KEYS}/verify", json={"api_key": created["key"]})
    assert verified["is_valid"] is True and verified["key_id"] == created["id"]
    assert verified["scopes"] == ["orders:read"] and verified["verification_count"] == 1
    assert client.ok("GET", f"{KEYS}/{created['id']}")["api_key"]["last_verified_on"]

    rotated = client.ok("PUT", f"{KEYS}/{created['id']}", 201)
    assert rotated["code"] == "API_KEY_ROTATED" and rotated["api_key"]["id"] == created["id"]
    assert rotated["api_key"]["key"] != created["key"]
    assert public.ok("POST", f"{KEYS}/verify", json={"api_key": created["key"]})["is_valid"] is False
    assert public.ok("POST", f"{KEYS}/verify", json={"api_key": rotated["api_key"]["key"]})["is_valid"] is True
    assert public.error("POST", f"{KEYS}/verify", 400, json={}) == "API_KEY_REQUIRED"

    client.ok("DELETE", f"{KEYS}/{created['id']}")
    assert public.ok("POST", f"{KEYS}/verify", json={"api_key": rotated["api_key"]["key"]})["is_valid"] is False


def test_missing_key_is_a_404_object(client: KindeClient) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(method, f"{KEYS}/api_key_nope")
        assert response.status_code == 404
        assert response.json() == {"errors": {"code": "API_KEY_NOT_FOUND", "message": "API key not found"}}


def test_api_key_validation(client: KindeClient) -> None:
    api_id, _ = _api_with_scope(client)
    assert client.error("POST", KEYS, 400, json={"name": "k", "type": "org", "api_id": api_id}) == "INVALID_TYPE"
    assert client.error("POST", KEYS, 400, json={"name": "k", "type": "user", "api_id": "nope"}) == "API_NOT_FOUND"
    assert client.error("POST", KEYS, 400, json={"name": "k", "type": "user", "api_id": api_id,
                                                 "scope_ids": ["api_scope_nope"]}) == "SCOPE_NOT_FOUND"


def test_api_key_cursor_paging(client: KindeClient) -> None:
    api_id, _ = _api_with_scope(client)
    ids = [_create(client, api_id, f"k{i}")["id"] for i in range(55)]
    first = client.ok("GET", KEYS)
    assert len(first["api_keys"]) == 50 and first["has_more"] is True  # default page size 50
    second = client.ok("GET", KEYS, params={"starting_after": first["api_keys"][-1]["id"]})
    assert len(second["api_keys"]) == 5 and second["has_more"] is False
    assert [k["id"] for k in first["api_keys"] + second["api_keys"]] == ids
    small = client.ok("GET", KEYS, params={"page_size": 3, "starting_after": ids[50]})
    assert [k["id"] for k in small["api_keys"]] == ids[51:54] and small["has_more"] is True
    assert client.ok("GET", KEYS, params={"key_type": "user"})["api_keys"] == []
    assert client.error("GET", KEYS, 400, params={"starting_after": "api_key_nope"}) == "INVALID_STARTING_AFTER"
