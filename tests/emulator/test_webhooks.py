"""Webhooks: list, create, PATCH name/description/event types (never the endpoint), delete."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient, fetch_token

HOOKS = "/api/v1/webhooks"


def _create(client: KindeClient, **extra: Any) -> dict:
    body = {"name": "Sync", "endpoint": "https://hooks.example.com/kinde", "event_types": ["user.created"], **extra}
    created = client.ok("POST", HOOKS, json=body)  # 200, as the spec says
    assert created["code"] == "WEBHOOK_CREATED"
    return created["webhook"]


def _listed(client: KindeClient) -> dict[str, dict]:
    return {h["id"]: h for h in client.ok("GET", HOOKS)["webhooks"]}


def test_webhook_lifecycle(client: KindeClient) -> None:
    assert client.ok("GET", HOOKS)["webhooks"] == []
    hook = _create(client, description="Users to the CRM")
    assert hook["id"].startswith("webhook_") and hook["endpoint"] == "https://hooks.example.com/kinde"
    listed = _listed(client)[hook["id"]]
    assert listed["name"] == "Sync" and listed["description"] == "Users to the CRM"
    assert listed["event_types"] == ["user.created"] and listed["created_on"].endswith("Z")

    patched = client.ok("PATCH", f"{HOOKS}/{hook['id']}",
                        json={"name": "Sync users", "event_types": ["user.created", "user.deleted"]})
    assert patched["webhook"] == {"id": hook["id"]}
    listed = _listed(client)[hook["id"]]
    assert listed["name"] == "Sync users" and listed["event_types"] == ["user.created", "user.deleted"]
    assert listed["description"] == "Users to the CRM"  # not sent, not changed
    client.ok("PATCH", f"{HOOKS}/{hook['id']}", json={"description": None})  # nullable: clears
    assert "description" not in _listed(client)[hook["id"]]

    assert client.ok("DELETE", f"{HOOKS}/{hook['id']}")["code"] == "WEBHOOK_DELETED"
    assert client.ok("GET", HOOKS)["webhooks"] == []
    assert client.error("DELETE", f"{HOOKS}/{hook['id']}", 400) == "WEBHOOK_NOT_FOUND"
    assert client.error("PATCH", f"{HOOKS}/{hook['id']}", 400, json={"name": "x"}) == "WEBHOOK_NOT_FOUND"


def test_the_endpoint_cannot_be_patched(client: KindeClient) -> None:
    hook = _create(client)
    assert client.error("PATCH", f"{HOOKS}/{hook['id']}", 400,
                        json={"endpoint": "https://elsewhere.example.com"}) == "WEBHOOK_ENDPOINT_IMMUTABLE"
    assert _listed(client)[hook["id"]]["endpoint"] == "https://hooks.example.com/kinde"


def test_webhook_validation(client: KindeClient) -> None:
    def code(**body: Any) -> str:
        full = {"name": "n", "endpoint": "https://h.example.com", "event_types": ["user.created"], **body}
        return client.error("POST", HOOKS, 400, json={k: v for k, v in full.items() if v is not ...})

    assert code(name=...) == "NAME_REQUIRED"
    assert code(endpoint=...) == "ENDPOINT_REQUIRED"
    assert code(endpoint="http://plain.example.com") == "INVALID_ENDPOINT"
    assert code(endpoint="https://has space.example.com") == "INVALID_ENDPOINT"
    assert code(event_types=[]) == "EVENT_TYPES_REQUIRED"
    assert code(event_types=["user.exploded"]) == "INVALID_EVENT_TYPE"
    assert code(event_types="user.created") == "INVALID_EVENT_TYPES"
    assert code(name=None) == "INVALID_NAME"  # the spec says non-nullable
    assert client.ok("GET", HOOKS)["webhooks"] == []
    hook = _create(client)
    assert client.error("PATCH", f"{HOOKS}/{hook['id']}", 400, json={"event_types": []}) == "EVENT_TYPES_REQUIRED"


def test_event_types_are_listed_and_webhooks_are_per_environment(client: KindeClient,
                                                                 staging: KindeClient) -> None:
    codes = [e["code"] for e in client.ok("GET", "/api/v1/event_types")["event_types"]]
    assert {"user.created", "organization.updated", "role.deleted", "access_request.created"} <= set(codes)
    hook = _create(client, event_types=codes)
    assert staging.ok("GET", HOOKS)["webhooks"] == []
    assert staging.error("DELETE", f"{HOOKS}/{hook['id']}", 400) == "WEBHOOK_NOT_FOUND"


def test_webhooks_need_their_scopes(emulator: RunningEmulator, make_client: Callable[..., KindeClient]) -> None:
    token = fetch_token(emulator.url, *emulator.credentials(), scope="read:webhooks")
    limited = make_client(emulator.url, token)
    assert limited.ok("GET", HOOKS)["webhooks"] == []
    response = limited.post(HOOKS, json={"name": "n", "endpoint": "https://h.example.com",
                                         "event_types": ["user.created"]})
    assert response.status_code == 403
    assert response.json()["errors"][0] == {"code": "SCOPE_MISSING", "message": "Scope is missing: create:webhooks"}
