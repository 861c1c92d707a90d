"""Thread safety: concurrent clients, and one winner for concurrent creates of one key."""
from __future__ import annotations

import threading

import requests

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient
from .spec_check import SpecValidator


def _race(emulator: RunningEmulator, token: str, validator: SpecValidator, path: str, bodies: list[dict]
          ) -> list[requests.Response]:
    barrier = threading.Barrier(len(bodies))
    results: list[requests.Response] = []
    lock = threading.Lock()

    def post(body: dict) -> None:
        with requests.Session() as session:
            session.hooks["response"].append(validator.hook)
            session.headers["Authorization"] = f"Bearer {token}"
            barrier.wait()
            response = session.post(emulator.url + path, json=body, timeout=10)
            with lock:
                results.append(response)

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_duplicate_creates_have_one_winner(emulator: RunningEmulator, client: KindeClient,
                                                      _tokens: dict[str, str], validator: SpecValidator) -> None:
    cases = [
        ("/api/v1/roles", {"key": "admin", "name": "Admin"}, "ROLE_KEY_ALREADY_EXISTS"),
        ("/api/v1/permissions", {"key": "orders:read", "name": "Read"}, "PERMISSION_KEY_ALREADY_EXISTS"),
        ("/api/v1/feature_flags", {"key": "f", "name": "F", "type": "bool", "default_value": "true"},
         "FEATURE_FLAG_KEY_ALREADY_EXISTS"),
        ("/api/v1/environment_variables", {"key": "K", "value": "v"}, "ENVIRONMENT_VARIABLE_KEY_ALREADY_EXISTS"),
        ("/api/v1/apis", {"name": "Orders", "audience": "https://o.example"}, "API_AUDIENCE_ALREADY_EXISTS"),
    ]
    for path, body, code in cases:
        results = _race(emulator, _tokens["production"], validator, path, [body] * 8)
        winners = [r for r in results if 200 <= r.status_code < 300]
        assert len(winners) == 1, (path, [r.status_code for r in results])
        losers = [r for r in results if r.status_code == 400]
        assert len(losers) == 7 and {r.json()["errors"][0]["code"] for r in losers} == {code}
    assert len(client.ok("GET", "/api/v1/roles")["roles"]) == 1


def test_concurrent_distinct_creates_all_land(emulator: RunningEmulator, client: KindeClient,
                                              _tokens: dict[str, str], validator: SpecValidator) -> None:
    bodies = [{"key": f"p{i:03}", "name": f"P{i}"} for i in range(40)]
    results = _race(emulator, _tokens["production"], validator, "/api/v1/permissions", bodies)
    assert all(r.status_code == 201 for r in results)
    listed = client.walk("/api/v1/permissions", "permissions", page_size=500)
    assert sorted(p["key"] for p in listed) == [b["key"] for b in bodies]
    assert len({p["id"] for p in listed}) == 40
