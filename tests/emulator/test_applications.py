"""Applications, callback URLs and token settings."""
from __future__ import annotations

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient


def _create(client: KindeClient, name: str, type_: str = "reg") -> dict:
    return client.ok("POST", "/api/v1/applications", 201, json={"name": name, "type": type_})["application"]


def test_the_emulators_m2m_client_is_an_application(emulator: RunningEmulator, client: KindeClient) -> None:
    client_id, _ = emulator.credentials()
    apps = client.ok("GET", "/api/v1/applications")["applications"]
    assert {"id": client_id, "name": apps[0]["name"], "type": "m2m"} in apps
    app = client.ok("GET", f"/api/v1/applications/{client_id}")["application"]
    assert app["client_id"] == client_id and app["type"] == "m2m"
    assert client.error("DELETE", f"/api/v1/applications/{client_id}", 400) == "APPLICATION_PROTECTED"


def test_application_lifecycle(client: KindeClient) -> None:
    created = _create(client, "Web")
    assert len(created["id"]) == 32 and int(created["id"], 16) >= 0
    assert created["client_id"] == created["id"] and created["client_secret"]
    spa = _create(client, "SPA", "spa")
    assert "client_secret" not in spa  # public clients have no secret

    client.ok("PATCH", f"/api/v1/applications/{created['id']}",
              json={"name": "Web app", "login_uri": "https://a.example/login", "is_ask_for_name": True})
    app = client.ok("GET", f"/api/v1/applications/{created['id']}")["application"]
    assert app["name"] == "Web app" and app["login_uri"] == "https://a.example/login"
    assert app["is_ask_for_name"] is True and app["type"] == "reg"

    client.ok("PATCH", f"/api/v1/applications/{created['id']}/tokens",
              json={"access_token_lifetime": 3600, "is_hasura_mapping_enabled": False})
    client.ok("DELETE", f"/api/v1/applications/{created['id']}")
    assert client.error("GET", f"/api/v1/applications/{created['id']}", 400) == "APPLICATION_NOT_FOUND"
    assert client.error("DELETE", f"/api/v1/applications/{created['id']}", 400) == "APPLICATION_NOT_FOUND"


def test_application_validation(client: KindeClient) -> None:
    assert client.error("POST", "/api/v1/applications", 400, json={"name": "x", "type": "desktop"}) == "INVALID_TYPE"
    assert client.error("POST", "/api/v1/applications", 400, json={"type": "reg"}) == "NAME_REQUIRED"
    assert client.error("POST", "/api/v1/applications", 400, data="{not json") == "INVALID_JSON"
    app = _create(client, "M2M", "m2m")
    assert client.error("PATCH", f"/api/v1/applications/{app['id']}", 400,
                        json={"is_access_control_enabled": True}) == "ACCESS_CONTROL_NOT_SUPPORTED"
    web = _create(client, "Web")
    assert client.error("PATCH", f"/api/v1/applications/{web['id']}", 400,
                        json={"is_access_control_enabled": True}) == "ACCESS_ROLES_REQUIRED"


def test_application_list_pages_and_sorts(client: KindeClient) -> None:
    for name in ["delta", "alpha", "charlie", "bravo"]:
        _create(client, name)
    first = client.ok("GET", "/api/v1/applications", params={"page_size": 2, "sort": "name_asc"})
    assert [a["name"] for a in first["applications"]] == ["alpha", "bravo"]
    walked = client.walk("/api/v1/applications", "applications", page_size=2, sort="name_desc")
    names = [a["name"] for a in walked if a["type"] != "m2m"]  # leave out the emulator's client
    assert names == ["delta", "charlie", "bravo", "alpha"] and len(walked) == 5
    assert client.error("GET", "/api/v1/applications", 400, params={"sort": "age"}) == "INVALID_SORT"


def test_redirect_and_logout_urls(client: KindeClient) -> None:
    app_id = _create(client, "Web")["id"]
    base = f"/api/v1/applications/{app_id}"
    for kind, key in (("auth_redirect_urls", "redirect_urls"), ("auth_logout_urls", "logout_urls")):
        client.ok("POST", f"{base}/{kind}", json={"urls": ["https://a.example/cb", "https://b.example/cb"]})
        client.ok("POST", f"{base}/{kind}", json={"urls": ["https://b.example/cb", "https://c.example/cb"]})
        assert client.ok("GET", f"{base}/{kind}")[key] == [
            "https://a.example/cb", "https://b.example/cb", "https://c.example/cb"]
        client.ok("DELETE", f"{base}/{kind}", params={"urls": "https://a.example/cb,https://c.example/cb"})
        assert client.ok("GET", f"{base}/{kind}")[key] == ["https://b.example/cb"]
        client.ok("PUT", f"{base}/{kind}", json={"urls": ["https://z.example/cb"]})
        assert client.ok("GET", f"{base}/{kind}")[key] == ["https://z.example/cb"]
        assert client.error("DELETE", f"{base}/{kind}", 400) == "URLS_REQUIRED"
        assert client.error("GET", f"/api/v1/applications/nope/{kind}", 400) == "APPLICATION_NOT_FOUND"
    # PATCH redirect_uris replaces the list.
    client.ok("PATCH", base, json={"redirect_uris": ["https://new.example/cb"]})
    assert client.ok("GET", f"{base}/auth_redirect_urls")["redirect_urls"] == ["https://new.example/cb"]
