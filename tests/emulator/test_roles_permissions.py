"""Roles, permissions, their links, and next_token paging."""
from __future__ import annotations

import re

from .client import KindeClient


def _role(client: KindeClient, key: str, **extra: object) -> str:
    return client.ok("POST", "/api/v1/roles", 201, json={"key": key, "name": key.title(), **extra})["role"]["id"]


def _permission(client: KindeClient, key: str, **extra: object) -> str:
    body = client.ok("POST", "/api/v1/permissions", 201, json={"key": key, "name": key.title(), **extra})
    return body["permission"]["id"]


def _permissions_by_key(client: KindeClient) -> dict[str, dict]:
    return {p["key"]: p for p in client.walk("/api/v1/permissions", "permissions", page_size=500)}


def test_role_lifecycle(client: KindeClient) -> None:
    role_id = _role(client, "admin", description="Everything")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", role_id)
    role = client.ok("GET", f"/api/v1/roles/{role_id}")["role"]
    assert role == {"id": role_id, "key": "admin", "name": "Admin", "description": "Everything",
                    "is_default_role": False}
    updated = client.ok("PATCH", f"/api/v1/roles/{role_id}", 201,
                        json={"key": "administrator", "name": "Administrators", "description": ""})
    assert updated["code"] == "OK"
    role = client.ok("GET", f"/api/v1/roles/{role_id}")["role"]
    # An empty description does not clear it, as in Kinde.
    assert (role["key"], role["name"], role["description"]) == ("administrator", "Administrators", "Everything")
    assert client.error("PATCH", f"/api/v1/roles/{role_id}", 400, json={"name": "No key"}) == "KEY_REQUIRED"
    client.ok("DELETE", f"/api/v1/roles/{role_id}")
    assert client.error("GET", f"/api/v1/roles/{role_id}", 400) == "ROLE_NOT_FOUND"
    assert client.error("DELETE", f"/api/v1/roles/{role_id}", 400) == "ROLE_NOT_FOUND"


def test_role_without_description_lists_null(client: KindeClient) -> None:
    role_id = _role(client, "viewer")
    [listed] = client.ok("GET", "/api/v1/roles")["roles"]
    assert listed["description"] is None
    assert "description" not in client.ok("GET", f"/api/v1/roles/{role_id}")["role"]


def test_duplicate_role_and_permission_keys(client: KindeClient) -> None:
    _role(client, "admin")
    other = _role(client, "viewer")
    assert client.error("POST", "/api/v1/roles", 400, json={"key": "admin", "name": "x"}) == "ROLE_KEY_ALREADY_EXISTS"
    assert client.error("PATCH", f"/api/v1/roles/{other}", 400,
                        json={"key": "admin", "name": "x"}) == "ROLE_KEY_ALREADY_EXISTS"
    _permission(client, "orders:read")
    perm = _permission(client, "orders:write")
    assert client.error("POST", "/api/v1/permissions", 400,
                        json={"key": "orders:read", "name": "x"}) == "PERMISSION_KEY_ALREADY_EXISTS"
    assert client.error("PATCH", f"/api/v1/permissions/{perm}", 400,
                        json={"key": "orders:read"}) == "PERMISSION_KEY_ALREADY_EXISTS"


def test_permission_lifecycle(client: KindeClient) -> None:
    perm_id = _permission(client, "orders:read", description="Read")
    assert perm_id.startswith("perm_")
    client.ok("PATCH", f"/api/v1/permissions/{perm_id}", json={"name": "Read orders", "description": ""})
    perm = _permissions_by_key(client)["orders:read"]
    assert perm == {"id": perm_id, "key": "orders:read", "name": "Read orders", "description": "Read"}
    client.ok("DELETE", f"/api/v1/permissions/{perm_id}")
    assert client.error("DELETE", f"/api/v1/permissions/{perm_id}", 400) == "PERMISSION_NOT_FOUND"
    assert client.error("PATCH", f"/api/v1/permissions/{perm_id}", 400, json={"name": "x"}) == "PERMISSION_NOT_FOUND"


def test_role_permissions(client: KindeClient) -> None:
    role_id = _role(client, "admin")
    perms = [_permission(client, f"p{i:02}") for i in range(12)]
    body = client.ok("PATCH", f"/api/v1/roles/{role_id}/permissions",
                     json={"permissions": [{"id": p} for p in perms]})
    assert body["permissions_added"] == perms and body["permissions_removed"] == []
    first = client.ok("GET", f"/api/v1/roles/{role_id}/permissions")
    assert len(first["permissions"]) == 10 and first["next_token"]  # default page size 10
    walked = client.walk(f"/api/v1/roles/{role_id}/permissions", "permissions", page_size=5)
    assert [p["id"] for p in walked] == perms

    body = client.ok("PATCH", f"/api/v1/roles/{role_id}/permissions",
                     json={"permissions": [{"id": perms[0], "operation": "delete"}]})
    assert body["permissions_removed"] == [perms[0]]
    client.ok("DELETE", f"/api/v1/roles/{role_id}/permissions/{perms[1]}")
    # Removing it again: the codes Kinde's Terraform provider tolerates as "already gone".
    assert client.error("DELETE", f"/api/v1/roles/{role_id}/permissions/{perms[1]}", 400) == \
        "INVALID_PERMISSION_ID_ROLE"
    assert client.error("DELETE", f"/api/v1/roles/{role_id}/permissions/perm_nope", 400) == "INVALID_PERMISSION_ID"
    assert client.error("PATCH", f"/api/v1/roles/{role_id}/permissions", 400,
                        json={"permissions": [{"id": "perm_nope"}]}) == "INVALID_PERMISSION_ID"
    assert client.error("GET", "/api/v1/roles/nope/permissions", 400) == "ROLE_NOT_FOUND"
    # Deleting a permission unlinks it.
    client.ok("DELETE", f"/api/v1/permissions/{perms[2]}")
    remaining = client.walk(f"/api/v1/roles/{role_id}/permissions", "permissions", page_size=500)
    assert [p["id"] for p in remaining] == perms[3:]


def test_role_scopes(client: KindeClient) -> None:
    role_id = _role(client, "admin")
    api_id = client.ok("POST", "/api/v1/apis", json={"name": "Orders", "audience": "https://o.example"})["api"]["id"]
    scope_id = client.ok("POST", f"/api/v1/apis/{api_id}/scopes",
                         json={"key": "orders:read", "description": "Read"})["scope"]["id"]
    added = client.ok("POST", f"/api/v1/roles/{role_id}/scopes", 201, json={"scope_id": scope_id})
    assert added["code"] == "ROLE_SCOPE_ADDED"
    assert client.ok("GET", f"/api/v1/roles/{role_id}/scopes")["scopes"] == [
        {"id": scope_id, "key": "orders:read", "description": "Read", "api_id": api_id}]
    removed = client.ok("DELETE", f"/api/v1/roles/{role_id}/scopes/{scope_id}")
    assert removed["code"] == "SCOPE_DELETED"
    assert client.ok("GET", f"/api/v1/roles/{role_id}/scopes")["scopes"] == []
    assert client.error("DELETE", f"/api/v1/roles/{role_id}/scopes/{scope_id}", 400) == "ROLE_SCOPE_NOT_FOUND"
    assert client.error("POST", f"/api/v1/roles/{role_id}/scopes", 400,
                        json={"scope_id": "api_scope_nope"}) == "SCOPE_NOT_FOUND"


def test_role_list_sorts(client: KindeClient) -> None:
    for key in ["charlie", "alpha", "bravo"]:
        _role(client, key)
    keys = [r["key"] for r in client.walk("/api/v1/roles", "roles", sort="key_desc", page_size=2)]
    assert keys == ["charlie", "bravo", "alpha"]
    default = [r["key"] for r in client.ok("GET", "/api/v1/roles")["roles"]]
    assert default == ["charlie", "alpha", "bravo"]  # creation order


def test_paging_across_more_than_a_thousand_permissions(client: KindeClient) -> None:
    count = 1003
    created = [_permission(client, f"perm:{i:04}") for i in range(count)]

    big = client.ok("GET", "/api/v1/permissions", params={"page_size": 500})
    assert len(big["permissions"]) == 500 and big["next_token"]
    walked_big = client.walk("/api/v1/permissions", "permissions", page_size=500)
    assert [p["id"] for p in walked_big] == created

    walked_default = client.walk("/api/v1/permissions", "permissions")  # 10 per page
    assert [p["id"] for p in walked_default] == created

    by_id = client.walk("/api/v1/permissions", "permissions", page_size=500, sort="id_desc")
    assert [p["id"] for p in by_id] == sorted(created, reverse=True)

    assert client.error("GET", "/api/v1/permissions", 400, params={"page_size": 501}) == "PAGE_SIZE_LIMIT_EXCEEDED"
    assert client.error("GET", "/api/v1/permissions", 400, params={"page_size": 0}) == "INVALID_PAGE_SIZE"
    assert client.error("GET", "/api/v1/permissions", 400, params={"next_token": "garbage!"}) == "INVALID_NEXT_TOKEN"
    # A token is bound to its sort order.
    token = client.ok("GET", "/api/v1/permissions", params={"sort": "name_asc"})["next_token"]
    assert client.error("GET", "/api/v1/permissions", 400,
                        params={"next_token": token}) == "INVALID_NEXT_TOKEN"


def test_walk_stays_correct_when_objects_change_between_pages(client: KindeClient) -> None:
    created = [_permission(client, f"p{i:02}") for i in range(25)]
    first = client.ok("GET", "/api/v1/permissions", params={"page_size": 10})
    client.ok("DELETE", f"/api/v1/permissions/{created[3]}")  # already served
    client.ok("DELETE", f"/api/v1/permissions/{created[15]}")  # not yet served
    rest = client.walk("/api/v1/permissions", "permissions", page_size=10, next_token=first["next_token"])
    assert [p["id"] for p in first["permissions"]] + [p["id"] for p in rest] == \
        [c for c in created if c != created[15]]
