"""Control routes, stats, rate limiting and injected faults."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient, fetch_token
from .spec_check import SpecValidator

Control = Callable[..., Any]


def test_stats_count_by_route_template_and_status(emulator: RunningEmulator, client: KindeClient,
                                                  control: Control) -> None:
    role_id = client.ok("POST", "/api/v1/roles", 201, json={"key": "a", "name": "A"})["role"]["id"]
    client.ok("GET", f"/api/v1/roles/{role_id}/permissions")
    client.ok("GET", f"/api/v1/roles/{role_id}/permissions")
    client.error("GET", "/api/v1/roles/nope", 400)
    client.get("/api/v1/nowhere")
    fetch_token(emulator.url, *emulator.credentials())
    control("GET", "state")  # control routes are not counted, even unknown ones
    assert requests.get(f"{emulator.url}/_emulator/nothing", timeout=5).status_code == 404
    stats = control("GET", "stats")
    assert stats["total"] == 6
    assert stats["by_route"] == {
        "GET <unmatched>": 1,
        "GET /api/v1/roles/{role_id}": 1,
        "GET /api/v1/roles/{role_id}/permissions": 2,
        "POST /api/v1/roles": 1,
        "POST /oauth2/token": 1,
    }
    assert stats["by_status"] == {"200": 3, "201": 1, "400": 1, "404": 1}
    assert stats["in_flight"] == 0 and stats["max_in_flight"] >= 1
    cleared = control("DELETE", "stats")
    assert cleared["total"] == 0 and cleared["by_route"] == {} and cleared["max_in_flight"] == 0


def test_max_in_flight_sees_concurrency(emulator: RunningEmulator, client: KindeClient, control: Control,
                                        _tokens: dict[str, str], validator: SpecValidator) -> None:
    control("POST", "faults", json={"latency_ms": 300})
    control("DELETE", "stats")
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def call() -> None:
        with requests.Session() as session:
            session.hooks["response"].append(validator.hook)
            session.headers["Authorization"] = f"Bearer {_tokens['production']}"
            barrier.wait()
            statuses.append(session.get(f"{emulator.url}/api/v1/roles", timeout=10).status_code)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 4
    stats = control("GET", "stats")
    assert stats["max_in_flight"] >= 2 and stats["in_flight"] == 0


def test_faults_read_and_write(control: Control, emulator: RunningEmulator) -> None:
    assert control("GET", "faults") == {"latency_ms": 0.0, "fail_rate": 0.0, "drop_rate": 0.0, "rate_limit": None}
    updated = control("POST", "faults", json={"fail_rate": 0.25, "rate_limit": 5})
    assert updated == {"latency_ms": 0.0, "fail_rate": 0.25, "drop_rate": 0.0, "rate_limit": 5.0}
    assert control("GET", "faults") == updated
    response = requests.post(f"{emulator.url}/_emulator/faults", json={"fail_rate": 2}, timeout=5)
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "INVALID_FAULTS"
    response = requests.post(f"{emulator.url}/_emulator/faults", json={"bogus": 1}, timeout=5)
    assert response.status_code == 400


def test_rate_limit_answers_429_with_reset(emulator: RunningEmulator, client: KindeClient,
                                           control: Control) -> None:
    control("POST", "faults", json={"rate_limit": 1})
    responses = [client.get("/api/v1/roles") for _ in range(3)]
    assert responses[0].status_code == 200
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert limited[0].json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
    assert int(limited[0].headers["RateLimit-Reset"]) >= 1
    token = requests.post(f"{emulator.url}/oauth2/token", timeout=5, data={"grant_type": "client_credentials"})
    assert token.status_code == 429  # the token endpoint is limited like any route
    for _ in range(5):
        control("GET", "stats")  # control routes never are
    assert control("GET", "stats")["by_status"]["429"] >= 2


def test_injected_500_has_no_side_effect(emulator: RunningEmulator, client: KindeClient,
                                         control: Control) -> None:
    control("POST", "faults", json={"fail_rate": 1})
    response = client.post("/api/v1/roles", json={"key": "admin", "name": "Admin"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "INTERNAL_SERVER_ERROR"
    assert requests.post(f"{emulator.url}/oauth2/token", timeout=5, data={}).status_code == 500
    assert control("GET", "state")["environments"]["production"]["roles"] == []  # control still works
    control("POST", "faults", json={"fail_rate": 0})
    assert client.ok("GET", "/api/v1/roles")["roles"] == []


def test_dropped_connections_get_no_response(emulator: RunningEmulator, client: KindeClient,
                                             control: Control) -> None:
    control("POST", "faults", json={"drop_rate": 1, "seed": 1234})
    with pytest.raises(requests.ConnectionError):
        client.get("/api/v1/roles")
    # Writes are dropped either before or after they are applied, at random.
    for i in range(20):
        with pytest.raises(requests.ConnectionError):
            client.post("/api/v1/permissions", json={"key": f"p{i}", "name": f"P{i}"})
    control("POST", "faults", json={"drop_rate": 0})
    applied = len(client.walk("/api/v1/permissions", "permissions", page_size=100))
    assert 0 < applied < 20
    stats = control("GET", "stats")
    assert stats["dropped"] == 21 and stats["total"] == 22 and stats["in_flight"] == 0


def test_latency_is_added(client: KindeClient, control: Control) -> None:
    control("POST", "faults", json={"latency_ms": 150})
    started = time.monotonic()
    client.ok("GET", "/api/v1/roles")
    assert time.monotonic() - started >= 0.15


def test_reset_keeps_only_the_builtins(emulator: RunningEmulator, client: KindeClient, staging: KindeClient,
                                       control: Control) -> None:
    mgmt_before = [a for a in client.ok("GET", "/api/v1/apis")["apis"] if a["is_management_api"]]
    client.ok("POST", "/api/v1/roles", 201, json={"key": "admin", "name": "Admin"})
    client.ok("POST", "/api/v1/feature_flags", 201,
              json={"key": "f", "name": "F", "type": "bool", "default_value": "true"})
    staging.ok("POST", "/api/v1/environment_variables", 201, json={"key": "K", "value": "v"})
    client.ok("POST", "/api/v1/applications", 201, json={"name": "Web", "type": "reg"})
    assert control("POST", "reset") == {"reset": True}
    assert control("GET", "stats")["total"] == 0
    state = control("GET", "state")
    assert state["feature_flags"] == []
    for code in ("production", "staging"):
        env = state["environments"][code]
        assert env["environment"]["code"] == code
        assert [a["id"] for a in env["applications"]] == [emulator.credentials(code)[0]]
        assert [a["is_management_api"] for a in env["apis"]] == [True]
        assert env["roles"] == env["permissions"] == env["env_vars"] == env["api_keys"] == []
    # Ids and tokens survive a reset.
    assert [a for a in client.ok("GET", "/api/v1/apis")["apis"] if a["is_management_api"]] == mgmt_before
