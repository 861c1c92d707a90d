"""Several environments: separate clients and data, business-wide flag definitions."""
from __future__ import annotations

from collections.abc import Callable

from kinde_iac.emulator.server import RunningEmulator, start_background

from .client import KindeClient, fetch_token


def test_each_environment_has_its_own_client(make_client: Callable[..., KindeClient]) -> None:
    with start_background(client_id="ci", client_secret="pw", environments=("dev", "staging", "prod")) as emu:
        assert emu.environments == ["dev", "staging", "prod"]
        assert emu.credentials() == ("ci", "pw")
        assert emu.credentials("staging") == ("ci-staging", "pw-staging")
        for code in emu.environments:
            client = make_client(emu.url, fetch_token(emu.url, *emu.credentials(code)))
            assert client.ok("GET", "/api/v1/environment")["environment"]["code"] == code
            apps = client.ok("GET", "/api/v1/applications")["applications"]
            assert apps == [{"id": emu.credentials(code)[0], "name": apps[0]["name"], "type": "m2m"}]


def test_a_token_sees_only_its_environment(emulator: RunningEmulator, client: KindeClient,
                                           staging: KindeClient) -> None:
    role_id = client.ok("POST", "/api/v1/roles", 201, json={"key": "admin", "name": "Admin"})["role"]["id"]
    assert staging.ok("GET", "/api/v1/roles")["roles"] == []
    assert staging.error("GET", f"/api/v1/roles/{role_id}", 400) == "ROLE_NOT_FOUND"
    assert staging.error("DELETE", f"/api/v1/roles/{role_id}", 400) == "ROLE_NOT_FOUND"
    staging.ok("POST", "/api/v1/roles", 201, json={"key": "admin", "name": "Admin"})  # same key, other env
    prod_apis = {a["id"] for a in client.ok("GET", "/api/v1/apis")["apis"]}
    staging_apis = {a["id"] for a in staging.ok("GET", "/api/v1/apis")["apis"]}
    assert prod_apis.isdisjoint(staging_apis)  # each has its own management API
    assert client.ok("GET", f"/api/v1/roles/{role_id}")["role"]["key"] == "admin"
