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


SIGN_IN_SETTINGS = ("is_allow_faceless_auth", "is_ask_for_name", "has_marketing_consent",
                    "has_sign_in_link_on_sign_up_page", "has_register_link_on_sign_in_page",
                    "has_sign_in_with_sso_button", "use_gravatar_fallback")


def test_sign_in_settings_are_written_by_patch_and_read_by_get(client: KindeClient) -> None:
    app_id = _create(client, "Web")["id"]
    path = f"/api/v1/applications/{app_id}"
    assert all(client.ok("GET", path)["application"][name] is False for name in SIGN_IN_SETTINGS)
    for name in SIGN_IN_SETTINGS:
        client.ok("PATCH", path, json={name: True})
        app = client.ok("GET", path)["application"]
        assert app[name] is True, name
    client.ok("PATCH", path, json={"is_ask_for_name": False, "language_key": "fr"})
    app = client.ok("GET", path)["application"]
    assert app["is_ask_for_name"] is False and app["use_gravatar_fallback"] is True  # the rest kept
    assert "language_key" not in app  # write-only in Kinde
    assert client.error("PATCH", path, 400, json={"has_marketing_consent": "yes"}) == "INVALID_HAS_MARKETING_CONSENT"


def test_token_lifetimes_are_write_only(emulator: RunningEmulator, client: KindeClient) -> None:
    app_id = _create(client, "Web")["id"]
    path = f"/api/v1/applications/{app_id}/tokens"
    lifetimes = {"access_token_lifetime": 3600, "refresh_token_lifetime": 86400, "id_token_lifetime": 1800,
                 "authenticated_session_lifetime": 43200}
    assert client.ok("PATCH", path, json=lifetimes) == {"code": "OK", "message": "Success"}
    client.ok("PATCH", path, json={"id_token_lifetime": 900})  # only what is sent changes
    app = client.ok("GET", f"/api/v1/applications/{app_id}")["application"]
    assert not set(lifetimes) & set(app)  # Kinde has no read for them...
    stored = next(a for a in emulator.store.dump()["environments"]["production"]["applications"] if a["id"] == app_id)
    assert {k: stored[k] for k in lifetimes} == {**lifetimes, "id_token_lifetime": 900}  # ...the dump does
    assert client.error("PATCH", path, 400, json={"access_token_lifetime": -1}) == "INVALID_TOKEN_LIFETIME"
    assert client.error("PATCH", path, 400, json={"access_token_lifetime": "1h"}) == "INVALID_ACCESS_TOKEN_LIFETIME"
    assert client.error("PATCH", path, 400, json={"id_token_lifetime": True}) == "INVALID_ID_TOKEN_LIFETIME"
    assert client.error("PATCH", "/api/v1/applications/nope/tokens", 400, json=lifetimes) == "APPLICATION_NOT_FOUND"
