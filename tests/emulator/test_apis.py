"""APIs, API scopes, authorization of applications, cascades."""
from __future__ import annotations

import re

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient


def _api(client: KindeClient, audience: str = "https://orders.example", name: str = "Orders") -> str:
    return client.ok("POST", "/api/v1/apis", json={"name": name, "audience": audience})["api"]["id"]


def _scope(client: KindeClient, api_id: str, key: str, description: str | None = None) -> str:
    body = {"key": key} | ({"description": description} if description else {})
    return client.ok("POST", f"/api/v1/apis/{api_id}/scopes", json=body)["scope"]["id"]


def test_management_api_is_listed_and_protected(emulator: RunningEmulator, client: KindeClient) -> None:
    apis = client.ok("GET", "/api/v1/apis")["apis"]
    [mgmt] = [a for a in apis if a["is_management_api"]]
    assert mgmt["audience"] == f"{emulator.url}/api"
    detail = client.ok("GET", f"/api/v1/apis/{mgmt['id']}")["api"]
    client_id, _ = emulator.credentials()
    assert detail["applications"] == [{"id": client_id, "name": detail["applications"][0]["name"],
                                       "type": "Machine to machine (M2M)", "is_active": True}]
    assert client.error("DELETE", f"/api/v1/apis/{mgmt['id']}", 400) == "MANAGEMENT_API_PROTECTED"
    assert client.error("POST", "/api/v1/apis", 400,
                        json={"name": "x", "audience": f"{emulator.url}/api"}) == "API_AUDIENCE_ALREADY_EXISTS"


def test_api_lifecycle_with_scopes(client: KindeClient) -> None:
    api_id = _api(client)
    assert re.fullmatch(r"[0-9a-f]{32}", api_id)
    read = _scope(client, api_id, "orders:read", "Read orders")
    write = _scope(client, api_id, "orders:write")
    assert read.startswith("api_scope_")
    listed = client.ok("GET", "/api/v1/apis", params={"expand": "scopes"})["apis"]
    orders = next(a for a in listed if a["id"] == api_id)
    assert orders["scopes"] == [{"id": read, "key": "orders:read"}, {"id": write, "key": "orders:write"}]
    assert "scopes" not in next(a for a in client.ok("GET", "/api/v1/apis")["apis"] if a["id"] == api_id)

    scopes = client.ok("GET", f"/api/v1/apis/{api_id}/scopes")["scopes"]
    assert scopes == [{"id": read, "key": "orders:read", "description": "Read orders"},
                      {"id": write, "key": "orders:write"}]
    client.ok("PATCH", f"/api/v1/apis/{api_id}/scopes/{write}", json={"description": "Write orders"})
    assert client.ok("GET", f"/api/v1/apis/{api_id}/scopes/{write}")["scope"]["description"] == "Write orders"
    client.ok("DELETE", f"/api/v1/apis/{api_id}/scopes/{write}")
    assert client.error("GET", f"/api/v1/apis/{api_id}/scopes/{write}", 400) == "SCOPE_NOT_FOUND"

    deleted = client.ok("DELETE", f"/api/v1/apis/{api_id}")
    assert deleted["code"] == "API_DELETED"
    assert client.error("GET", f"/api/v1/apis/{api_id}", 400) == "API_NOT_FOUND"
    assert client.error("GET", f"/api/v1/apis/{api_id}/scopes", 400) == "API_NOT_FOUND"


def test_api_list_is_sorted_by_name(client: KindeClient) -> None:
    _api(client, "https://z.example", "Zulu")
    _api(client, "https://a.example", "alpha")
    names = [a["name"] for a in client.ok("GET", "/api/v1/apis")["apis"]]
    assert names == sorted(names, key=str.casefold)


def test_duplicate_audience_and_scope_key(client: KindeClient) -> None:
    api_id = _api(client)
    assert client.error("POST", "/api/v1/apis", 400,
                        json={"name": "Again", "audience": "https://orders.example"}) == "API_AUDIENCE_ALREADY_EXISTS"
    _scope(client, api_id, "orders:read")
    assert client.error("POST", f"/api/v1/apis/{api_id}/scopes", 400,
                        json={"key": "orders:read"}) == "SCOPE_KEY_ALREADY_EXISTS"
    other = _api(client, "https://billing.example", "Billing")
    _scope(client, other, "orders:read")  # the same key on another API is fine
    assert client.error("POST", f"/api/v1/apis/{api_id}/scopes", 400,
                        json={"key": "has space"}) == "INVALID_SCOPE_KEY"
    assert client.error("POST", "/api/v1/apis", 400,
                        json={"name": "n", "audience": "x" * 65}) == "INVALID_AUDIENCE"


def test_authorize_and_revoke_applications(client: KindeClient) -> None:
    api_id = _api(client)
    app = client.ok("POST", "/api/v1/applications", 201, json={"name": "Worker", "type": "m2m"})["application"]
    body = client.ok("PATCH", f"/api/v1/apis/{api_id}/applications", json={"applications": [{"id": app["id"]}]})
    assert body["code"] == "API_APPLICATIONS_UPDATED" and body["applications_connected"] == [app["id"]]
    detail = client.ok("GET", f"/api/v1/apis/{api_id}")["api"]
    assert detail["applications"] == [{"id": app["id"], "name": "Worker", "type": "Machine to machine (M2M)",
                                       "is_active": True}]
    scope_id = _scope(client, api_id, "orders:read")
    client.ok("POST", f"/api/v1/apis/{api_id}/applications/{app['id']}/scopes/{scope_id}")
    client.ok("DELETE", f"/api/v1/apis/{api_id}/applications/{app['id']}/scopes/{scope_id}")
    body = client.ok("PATCH", f"/api/v1/apis/{api_id}/applications",
                     json={"applications": [{"id": app["id"], "operation": "delete"}]})
    assert body["applications_disconnected"] == [app["id"]]
    assert client.ok("GET", f"/api/v1/apis/{api_id}")["api"]["applications"] == []
    assert client.error("PATCH", f"/api/v1/apis/{api_id}/applications", 400,
                        json={"applications": [{"id": "nope"}]}) == "APPLICATION_NOT_FOUND"


def test_deleting_an_api_cascades(client: KindeClient) -> None:
    api_id = _api(client)
    scope_id = _scope(client, api_id, "orders:read")
    role_id = client.ok("POST", "/api/v1/roles", 201, json={"key": "clerk", "name": "Clerk"})["role"]["id"]
    client.ok("POST", f"/api/v1/roles/{role_id}/scopes", 201, json={"scope_id": scope_id})
    key_id = client.ok("POST", "/api/v1/api_keys", 201,
                       json={"name": "k", "type": "environment", "api_id": api_id})["api_key"]["id"]
    client.ok("DELETE", f"/api/v1/apis/{api_id}")
    assert client.ok("GET", f"/api/v1/roles/{role_id}/scopes")["scopes"] == []
    assert client.error("GET", f"/api/v1/api_keys/{key_id}", 404) == "API_KEY_NOT_FOUND"
