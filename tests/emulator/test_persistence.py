"""State survives a restart (clean stop, and SIGKILL of a real process) with --data."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kinde_iac.emulator.server import start_background
from kinde_iac.emulator.store import DataFileInUse

from .client import KindeClient, fetch_token

LISTENING = "Kinde emulator listening on "


def test_restart_keeps_data_credentials_and_tokens(tmp_path: Path,
                                                   make_client: Callable[..., KindeClient]) -> None:
    data = tmp_path / "kinde.db"
    with start_background(data=str(data), environments=("dev", "prod")) as emu:
        credentials = emu.credentials("prod")
        token = fetch_token(emu.url, *credentials)
        client = make_client(emu.url, token)
        role_id = client.ok("POST", "/api/v1/roles", 201, json={"key": "admin", "name": "Admin"})["role"]["id"]
        client.ok("POST", "/api/v1/feature_flags", 201,
                  json={"key": "f", "name": "F", "type": "int", "default_value": "1"})
        client.ok("PATCH", "/api/v1/environment/feature_flags/f", json={"value": "2"})
        secret_id = client.ok("POST", "/api/v1/environment_variables", 201,
                              json={"key": "S", "value": "hidden", "is_secret": True})["environment_variable"]["id"]
        with pytest.raises(DataFileInUse):
            start_background(data=str(data))  # one emulator per data file
    with start_background(data=str(data), environments=("dev", "prod")) as emu:
        assert emu.credentials("prod") == credentials  # the generated secret was kept
        client = make_client(emu.url, token)  # and the old token is still valid
        assert client.ok("GET", f"/api/v1/roles/{role_id}")["role"]["key"] == "admin"
        assert client.ok("GET", "/api/v1/environment/feature_flags")["feature_flags"]["f"]["value"] == "2"
        assert client.ok("GET", f"/api/v1/environment_variables/{secret_id}")["environment_variable"]["value"] is None
        assert client.error("POST", "/api/v1/roles", 400, json={"key": "admin", "name": "x"}) == \
            "ROLE_KEY_ALREADY_EXISTS"


def test_restart_keeps_webhooks_connections_and_their_links(tmp_path: Path,
                                                            make_client: Callable[..., KindeClient]) -> None:
    data = str(tmp_path / "kinde.db")
    with start_background(data=data) as emu:
        token = fetch_token(emu.url, *emu.credentials())
        client = make_client(emu.url, token)
        builtins = client.ok("GET", "/api/v1/connections")["connections"]
        app_id = client.ok("POST", "/api/v1/applications", 201, json={"name": "Web", "type": "reg"})["application"]["id"]
        conn_id = client.ok("POST", "/api/v1/connections", 201, json={
            "name": "okta", "display_name": "Okta", "strategy": "saml:okta", "enabled_applications": [app_id],
            "options": {"home_realm_domains": ["example.com"], "saml_signing_private_key": "KEY",
                        "upstream_params": {"prompt": {"value": "login"}}}})["connection"]["id"]
        hook_id = client.ok("POST", "/api/v1/webhooks", json={
            "name": "Sync", "endpoint": "https://h.example.com", "event_types": ["user.created"]})["webhook"]["id"]
        client.ok("PATCH", f"/api/v1/applications/{app_id}/tokens", json={"access_token_lifetime": 600})
    with start_background(data=data) as emu:
        client = make_client(emu.url, token)
        listed = client.ok("GET", "/api/v1/connections")["connections"]
        assert listed[:3] == builtins and [c["id"] for c in listed[3:]] == [conn_id]
        assert listed[3]["options"] == {"home_realm_domains": ["example.com"],
                                        "upstream_params": {"prompt": {"value": "login"}}}
        assert [c["id"] for c in client.ok("GET", f"/api/v1/applications/{app_id}/connections")["connections"]] \
            == [conn_id]
        assert [h["id"] for h in client.ok("GET", "/api/v1/webhooks")["webhooks"]] == [hook_id]
        env = emu.store.dump()["environments"]["production"]
        assert next(c for c in env["connections"] if c["id"] == conn_id)["options"]["saml_signing_private_key"] == "KEY"
        assert next(a for a in env["applications"] if a["id"] == app_id)["access_token_lifetime"] == 600


@pytest.fixture
def spawn() -> Iterator[Callable[..., tuple[subprocess.Popen, str]]]:
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> tuple[subprocess.Popen, str]:
        proc = subprocess.Popen([sys.executable, "-m", "kinde_iac.emulator", "--port", "0", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        procs.append(proc)
        first = proc.stdout.readline()
        assert first.startswith(LISTENING), first + proc.stderr.read()
        return proc, first[len(LISTENING):].strip()

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_sigkill_then_restart_keeps_data(tmp_path: Path, spawn: Callable[..., tuple[subprocess.Popen, str]],
                                         make_client: Callable[..., KindeClient]) -> None:
    data = str(tmp_path / "state.db")
    proc, url = spawn("--data", data, "--client-secret", "s3cret")
    token = fetch_token(url, "kinde-iac-emulator", "s3cret")
    client = make_client(url, token)
    ids = [client.ok("POST", "/api/v1/permissions", 201, json={"key": f"p{i}", "name": "P"})["permission"]["id"]
           for i in range(5)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    proc, url = spawn("--data", data, "--client-secret", "s3cret")
    client = make_client(url, token)
    assert [p["id"] for p in client.walk("/api/v1/permissions", "permissions")] == ids
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_cli_output_and_clean_sigint(spawn: Callable[..., tuple[subprocess.Popen, str]]) -> None:
    proc, url = spawn("--environment", "dev", "--environment", "prod", "--client-id", "ci")
    assert url.startswith("http://127.0.0.1:")
    lines = [proc.stdout.readline() for _ in range(3)]
    assert lines[0].startswith("Environments: dev, prod")
    assert "client_id=ci " in lines[1] and "client_secret=" in lines[1]  # generated, so printed
    assert "client_id=ci-prod" in lines[2]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_given_secret_is_not_printed(spawn: Callable[..., tuple[subprocess.Popen, str]]) -> None:
    proc, _ = spawn("--client-secret", "top-secret")
    lines = []
    while not lines or not lines[-1].startswith("Press Ctrl+C"):
        lines.append(proc.stdout.readline())
        assert lines[-1], "emulator exited early: " + "".join(lines)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    out = "".join(lines) + proc.stdout.read()
    assert "top-secret" not in out and "client_id=kinde-iac-emulator" in out
    assert out.rstrip().endswith("Kinde emulator stopped.")
