"""Connections (write-only secrets, built-ins) and which applications they are enabled for."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .client import KindeClient

Control = Callable[..., Any]
CONNECTIONS = "/api/v1/connections"
SECRET = "s3cr3t-client-secret-value"
PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"


def _create(client: KindeClient, name: str = "github", strategy: str = "oauth2:github", **extra: Any) -> str:
    body = {"name": name, "display_name": name.title(), "strategy": strategy,
            "options": {"client_id": "cid", "client_secret": SECRET, "is_trusted": True}, **extra}
    created = client.ok("POST", CONNECTIONS, 201, json=body)
    assert created["code"] == "CONNECTION_CREATED"
    return created["connection"]["id"]


def _app(client: KindeClient, type_: str = "reg") -> str:
    return client.ok("POST", "/api/v1/applications", 201, json={"name": f"App {type_}", "type": type_})["application"]["id"]


def test_every_environment_has_the_built_in_connections(client: KindeClient, staging: KindeClient) -> None:
    listed = client.ok("GET", CONNECTIONS)
    builtins = [(c["name"], c["strategy"]) for c in listed["connections"]]
    assert builtins == [("email_password", "email:password"), ("email_otp", "email:otp"), ("google", "oauth2:google")]
    assert listed["has_more"] is False
    assert [c["strategy"] for c in staging.ok("GET", CONNECTIONS)["connections"]] == \
        ["email:password", "email:otp", "oauth2:google"]
    google = listed["connections"][2]
    assert google["id"].startswith("conn_") and google["display_name"] == "Google"
    assert client.ok("GET", f"{CONNECTIONS}/{google['id']}")["connection"]["name"] == "google"
    # Kinde's own: enabled per application, never changed or deleted.
    assert client.error("PATCH", f"{CONNECTIONS}/{google['id']}", 400, json={"name": "x"}) == "CONNECTION_PROTECTED"
    assert client.error("DELETE", f"{CONNECTIONS}/{google['id']}", 400) == "CONNECTION_PROTECTED"


def test_connection_lifecycle_and_secrets_never_come_back(client: KindeClient, control: Control) -> None:
    conn_id = _create(client)
    assert conn_id.startswith("conn_")
    got = client.ok("GET", f"{CONNECTIONS}/{conn_id}")["connection"]
    assert got == {"id": conn_id, "name": "github", "display_name": "Github", "strategy": "oauth2:github",
                   "options": {"client_id": "cid", "is_trusted": True}}

    # PATCH merges options: the secret not sent again is kept (write-only, so seen only in the dump).
    client.ok("PATCH", f"{CONNECTIONS}/{conn_id}", json={"display_name": "GitHub", "options": {"is_trusted": False}})
    got = client.ok("GET", f"{CONNECTIONS}/{conn_id}")["connection"]
    assert got["display_name"] == "GitHub" and got["name"] == "github"
    assert got["options"] == {"client_id": "cid", "is_trusted": False}
    stored = _stored(control, conn_id)
    assert stored["options"]["client_secret"] == SECRET

    # PUT replaces options whole.
    client.ok("PUT", f"{CONNECTIONS}/{conn_id}", json={"name": "gh", "display_name": "GH", "options": {"client_id": "c2"}})
    assert client.ok("GET", f"{CONNECTIONS}/{conn_id}")["connection"]["options"] == {"client_id": "c2"}
    assert "client_secret" not in _stored(control, conn_id)["options"]
    assert client.error("PUT", f"{CONNECTIONS}/{conn_id}", 400, json={"display_name": "GH"}) == "NAME_REQUIRED"

    client.ok("DELETE", f"{CONNECTIONS}/{conn_id}")
    assert client.error("GET", f"{CONNECTIONS}/{conn_id}", 400) == "CONNECTION_NOT_FOUND"
    for method in ("PATCH", "PUT", "DELETE"):  # the spec documents 404 for these three
        response = client.request(method, f"{CONNECTIONS}/{conn_id}", json={"name": "x", "display_name": "x"})
        assert response.status_code == 404
        assert response.json() == {"errors": {"code": "CONNECTION_NOT_FOUND", "message": "Connection not found"}}


def test_no_answer_ever_carries_a_secret_option(client: KindeClient) -> None:
    app_id = _app(client)
    saml = _create(client, "okta", "saml:okta", enabled_applications=[app_id],
                   options={"saml_entity_id": "https://idp.example", "saml_signing_private_key": PRIVATE_KEY,
                            "home_realm_domains": ["example.com"]})
    social = _create(client, enabled_applications=[app_id])
    answers = [client.get(CONNECTIONS), client.get(f"{CONNECTIONS}/{saml}"), client.get(f"{CONNECTIONS}/{social}"),
               client.get(f"/api/v1/applications/{app_id}/connections"),
               client.get(CONNECTIONS, params={"home_realm_domain": "example.com"})]
    for response in answers:
        assert response.status_code == 200
        assert SECRET not in response.text and "PRIVATE KEY" not in response.text
    filtered = answers[-1].json()["connections"]
    assert [c["id"] for c in filtered] == [saml]
    assert filtered[0]["options"] == {"saml_entity_id": "https://idp.example", "home_realm_domains": ["example.com"]}


def test_connection_validation(client: KindeClient) -> None:
    def code(**body: Any) -> str:
        full = {"name": "n", "display_name": "N", "strategy": "oauth2:github", **body}
        return client.error("POST", CONNECTIONS, 400, json={k: v for k, v in full.items() if v is not ...})

    assert code(name=...) == "NAME_REQUIRED"
    assert code(display_name="") == "DISPLAY_NAME_REQUIRED"
    assert code(strategy="email:password") == "INVALID_STRATEGY"  # built-in strategies cannot be created
    assert code(strategy=None) == "INVALID_STRATEGY"
    assert code(options="client_id=x") == "INVALID_OPTIONS"
    assert code(options={"is_trusted": "yes"}) == "INVALID_OPTIONS"
    assert code(strategy="saml:custom", options={"name_id_format": "Nickname"}) == "INVALID_OPTIONS"
    assert code(enabled_applications=["nope"]) == "APPLICATION_NOT_FOUND"
    assert code(enabled_applications=[_app(client, "m2m")]) == "APPLICATION_TYPE_NOT_SUPPORTED"
    conn_id = _create(client)
    assert client.error("PATCH", f"{CONNECTIONS}/{conn_id}", 400,
                        json={"strategy": "oauth2:gitlab"}) == "CONNECTION_STRATEGY_IMMUTABLE"
    assert client.error("PATCH", f"{CONNECTIONS}/{conn_id}", 400,
                        json={"options": {"client_secret": 7}}) == "INVALID_OPTIONS"
    # Options the spec does not name are kept (Kinde accepted them in nxt-fwd/kinde-go's runs).
    client.ok("PATCH", f"{CONNECTIONS}/{conn_id}", json={"options": {"trust_email_verified": True}})
    assert client.ok("GET", f"{CONNECTIONS}/{conn_id}")["connection"]["options"]["trust_email_verified"] is True


def test_enabling_connections_per_application(client: KindeClient) -> None:
    web, spa = _app(client), _app(client, "spa")
    conn_id = _create(client, enabled_applications=[web])
    google = next(c["id"] for c in client.ok("GET", CONNECTIONS)["connections"] if c["name"] == "google")

    def enabled(app_id: str) -> list[str]:
        body = client.ok("GET", f"/api/v1/applications/{app_id}/connections")
        assert body["has_more"] is False
        return [c["name"] for c in body["connections"]]

    assert enabled(web) == ["github"] and enabled(spa) == []  # new applications start with none
    for _ in range(2):  # enabling and disabling are idempotent
        client.ok("POST", f"/api/v1/applications/{spa}/connections/{google}")
        client.ok("POST", f"/api/v1/applications/{spa}/connections/{conn_id}")
    assert enabled(spa) == ["google", "github"]
    for _ in range(2):
        client.ok("DELETE", f"/api/v1/applications/{spa}/connections/{google}")
    assert enabled(spa) == ["github"]

    # PATCH enabled_applications replaces the set.
    client.ok("PATCH", f"{CONNECTIONS}/{conn_id}", json={"enabled_applications": [spa]})
    assert enabled(web) == [] and enabled(spa) == ["github"]

    m2m = _app(client, "m2m")
    assert client.error("POST", f"/api/v1/applications/{m2m}/connections/{google}", 400) == \
        "APPLICATION_TYPE_NOT_SUPPORTED"
    assert client.error("POST", f"/api/v1/applications/{spa}/connections/conn_nope", 400) == "CONNECTION_NOT_FOUND"
    assert client.error("POST", f"/api/v1/applications/nope/connections/{google}", 400) == "APPLICATION_NOT_FOUND"
    assert client.error("GET", "/api/v1/applications/nope/connections", 400) == "APPLICATION_NOT_FOUND"

    # Deleting either side removes the link.
    client.ok("POST", f"/api/v1/applications/{web}/connections/{conn_id}")
    client.ok("DELETE", f"/api/v1/applications/{spa}")
    client.ok("DELETE", f"{CONNECTIONS}/{conn_id}")
    assert enabled(web) == []


def test_connection_list_pages(client: KindeClient) -> None:
    ids = [c["id"] for c in client.ok("GET", CONNECTIONS)["connections"]]
    ids += [_create(client, f"c{i:02}") for i in range(12)]
    first = client.ok("GET", CONNECTIONS)  # 10 by default
    assert [c["id"] for c in first["connections"]] == ids[:10] and first["has_more"] is True
    rest = client.ok("GET", CONNECTIONS, params={"starting_after": ids[9]})
    assert [c["id"] for c in rest["connections"]] == ids[10:] and rest["has_more"] is False
    before = client.ok("GET", CONNECTIONS, params={"ending_before": ids[5], "page_size": 3})
    assert [c["id"] for c in before["connections"]] == ids[2:5] and before["has_more"] is True
    assert client.error("GET", CONNECTIONS, 400,
                        params={"starting_after": ids[1], "ending_before": ids[5]}) == "TOO_MANY_PARAMETERS"
    assert client.error("GET", CONNECTIONS, 400, params={"starting_after": "conn_nope"}) == "INVALID_STARTING_AFTER"


def test_reset_keeps_built_in_ids(client: KindeClient, control: Control) -> None:
    before = client.ok("GET", CONNECTIONS)["connections"]
    app_id = _app(client)
    client.ok("POST", f"/api/v1/applications/{app_id}/connections/{before[0]['id']}")
    _create(client)
    control("POST", "reset")
    assert client.ok("GET", CONNECTIONS)["connections"] == before


def _stored(control: Control, conn_id: str) -> dict:
    """The connection as the emulator keeps it: its debugging dump shows write-only options."""
    state = control("GET", "state")
    return next(c for c in state["environments"]["production"]["connections"] if c["id"] == conn_id)
