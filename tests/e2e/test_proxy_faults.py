"""Faults from a proxy in front of the emulator (issue 13 points 1, 2 and 6): a create that lands after
the client's read timeout never makes a duplicate, and a list answered 200 without its list stops
apply before it creates anything. The client's read timeout is scaled down to 1 s (the issue held a
create 8 s against 3 s); the proxy's events decide when a held create lands, never a sleep."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_harness import Kinde, Workdir
from kinde_proxy import WAIT, KindeProxy

APP = {"key": "web", "name": "Web", "type": "reg"}
API = {"key": "orders", "name": "Orders", "audience": "https://orders.example", "scopes": ["read"]}
KEY = {"key": "ci", "name": "CI", "api": "orders", "scopes": ["read"]}
TIMEOUT = "1"


def cfg(**sections: Any) -> dict[str, Any]:
    return {"kinde": {"environment": "development"}, **sections}


@pytest.fixture
def proxy(kinde: Kinde) -> Iterator[KindeProxy]:
    p = KindeProxy(kinde.url)
    yield p
    p.close()


def via(proxy: KindeProxy, **extra: str) -> dict[str, str]:
    return {"KINDE_DOMAIN": proxy.url, "KINDE_IAC_TIMEOUT": TIMEOUT, **extra}


def live_named(kinde: Kinde, path: str, key: str, name: str) -> list[dict]:
    return [item for item in kinde.list(path, key) if item.get("name") == name]


def test_a_create_landing_after_the_timeout_is_found_by_polling_not_sent_again(
        work: Workdir, kinde: Kinde, proxy: KindeProxy, figures: dict) -> None:
    config = cfg(applications=[APP], apis=[API], api_keys=[KEY])
    holds = {"/api/v1/applications": proxy.hold("POST", r"^/api/v1/applications$"),
             "/api/v1/api_keys": proxy.hold("POST", r"^/api/v1/api_keys$")}

    def listed(path: str) -> str | None:
        base = path.split("?")[0]
        return base if base in holds else None

    # The first look by natural key after the client gave up finds nothing; only then does the held
    # create land, and the next look finds it (as in the issue: the create lands after the re-check).
    def before(method: str, path: str) -> None:
        hold = holds.get(listed(path) or "")
        if method == "GET" and hold is not None and hold.release.is_set():
            assert hold.landed.wait(WAIT)

    def after(method: str, path: str, status: int | None) -> None:
        hold = holds.get(listed(path) or "")
        if method == "GET" and hold is not None and hold.held.is_set():
            hold.release.set()

    proxy.before, proxy.after = before, after
    secrets = work.root / "secrets.json"
    result = work.run("apply", *work.ws_args(config), "--auto-approve", "--secrets-out", str(secrets),
                      env=via(proxy))
    assert result.exit_code == 0, result.output[-2000:] + result.stderr[-2000:]
    assert all(h.landed.is_set() for h in holds.values())
    posts = {path: sum(1 for s in proxy.writes() if s.method == "POST" and s.path == path) for path in holds}
    assert posts == {"/api/v1/applications": 1, "/api/v1/api_keys": 1}  # never sent again
    apps = live_named(kinde, "/api/v1/applications", "applications", "Web")
    keys = live_named(kinde, "/api/v1/api_keys", "api_keys", "CI")
    assert len(apps) == 1 and len(keys) == 1
    # The key's first secret was in the lost reply; the adopted key was rotated, so its secret is usable.
    secret = json.loads(secrets.read_text())["api_key.ci"]
    assert kinde.call("POST", "/api/v1/api_keys/verify", json={"api_key": secret})["is_valid"] is True
    proxy.before = proxy.after = None
    work.assert_converged(config, **via(proxy))
    figures["slow create (held past a 1 s timeout, lands after the first re-check)"] = (
        f"POSTs sent: application {posts['/api/v1/applications']}, api key {posts['/api/v1/api_keys']}; "
        f"live: {len(apps)} application, {len(keys)} api key; apply exit 0, then No changes")


@pytest.mark.parametrize("what", ["application", "api_key"])
def test_a_create_unseen_within_the_budget_stops_and_the_next_plan_adopts_what_landed(
        work: Workdir, kinde: Kinde, proxy: KindeProxy, what: str, figures: dict) -> None:
    if what == "application":
        config, path, key, name = cfg(applications=[APP]), "/api/v1/applications", "applications", "Web"
    else:
        config, path, key, name = cfg(apis=[API], api_keys=[KEY]), "/api/v1/api_keys", "api_keys", "CI"
    hold = proxy.hold("POST", f"^{path}$")
    address = f"{what}.{'web' if what == 'application' else 'ci'}"
    result = work.run("apply", *work.ws_args(config), "--auto-approve", env=via(proxy))
    assert result.exit_code == 1, result.output[-2000:] + result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {address}: the reply to creating this {what} was lost")
    assert "it was not sent again" in errors[0] and "The next plan adopts it if it landed" in errors[0]
    assert live_named(kinde, path, key, name) == []  # still held: it has not landed yet

    hold.release.set()  # Kinde carries the create out after the client gave up for good
    assert hold.landed.wait(WAIT) and hold.answer is not None and hold.answer[0] == 201
    plan = work.run("plan", *work.ws_args(config), "--detailed-exitcode", env=via(proxy))
    assert plan.exit_code == 2, plan.output + plan.stderr
    assert f"# {address} will be imported" in plan.output and "will be created" not in plan.output
    if what == "api_key":
        # Nobody saw its secret: the plan says so and how to get one (issue 13 point 6).
        command = (f"kinde-iac api-key rotate {address} --config {work.root / 'dev.json'} --state "
                   f"{work.root / 'dev.db'} --secrets-out FILE")
        assert "its one-time secret was never delivered" in plan.output and command in plan.output
        figures["undelivered API key secret flagged in the plan"] = command
    work.apply(config, **via(proxy))
    assert len(live_named(kinde, path, key, name)) == 1
    assert sum(1 for s in proxy.writes() if s.method == "POST" and s.path == path) == 1
    work.assert_converged(config, **via(proxy))
    figures[f"slow create never seen in time ({what})"] = "apply exit 1, POST sent once, next plan imports it, 1 live"


BAD_LISTS = [
    # (the GET answered by the proxy, the body it answers with 200)
    ("^/api/v1/applications[?]", b""),
    ("^/api/v1/applications[?]", b'{"code": "OK", "applications": null}'),
    ("^/api/v1/applications[?]", b'{"code": "OK", "message": "Success"}'),
    ("^/api/v1/roles[?]", b'{"roles": null}'),
    ("^/api/v1/permissions[?]", b'{"permissions": "none"}'),
    ("^/api/v1/apis$", b"null"),
    ("^/api/v1/apis/[^/]+/scopes$", b"{}"),
    ("^/api/v1/roles/[^/]+/scopes$", b'{"scopes": null}'),
    ("^/api/v1/roles/[^/]+/permissions", b"[]"),
    ("^/api/v1/applications/[^/]+/auth_redirect_urls$", b'{"redirect_urls": null}'),
    ("^/api/v1/applications/[^/]+$", b'{"code": "OK"}'),
    ("^/api/v1/environment_variables$", b""),
    ("^/api/v1/environment/feature_flags$", b'{"feature_flags": null}'),
]
FULL = cfg(applications=[{**APP, "redirect_urls": ["https://web.example/cb"]}], apis=[API],
           permissions=[{"key": "p1", "name": "P1"}],
           roles=[{"key": "admin", "name": "Admin", "permissions": ["p1"], "scopes": ["orders/read"]}],
           feature_flags=[{"key": "beta", "name": "Beta", "type": "bool", "default_value": False}],
           env_vars=[{"key": "REGION", "value": "eu"}])


@pytest.mark.parametrize(("pattern", "body"), BAD_LISTS, ids=[f"{p}={b.decode()!r}" for p, b in BAD_LISTS])
def test_a_200_without_its_list_stops_apply_before_any_write(work: Workdir, kinde: Kinde, proxy: KindeProxy,
                                                            pattern: str, body: bytes, figures: dict) -> None:
    work.apply(FULL, **via(proxy))
    grown = {**FULL, "permissions": [*FULL["permissions"], {"key": "p2", "name": "P2"}]}
    rule = proxy.replace("GET", pattern, 200, body)
    before = len(proxy.writes())
    result = work.run("apply", *work.ws_args(grown), "--auto-approve", env=via(proxy))
    assert rule.hits >= 1
    assert result.exit_code == 1, result.output[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "INVALID_RESPONSE" in errors[0] and "expected" in errors[0], result.stderr
    assert proxy.writes()[before:] == []  # nothing created, nothing re-created
    assert [p["key"] for p in kinde.list("/api/v1/permissions", "permissions")] == ["p1"]
    figures["200 answers without their list, each stopping apply with no write"] = \
        figures.get("200 answers without their list, each stopping apply with no write", 0) + 1


@pytest.mark.parametrize(("pattern", "body", "expected"), [
    ("^/api/v1/roles[?]", b'{"roles": [{"id": "r1", "name": "R"}]}', "without the field 'key'"),
    ("^/api/v1/apis$", b'{"apis": [{"id": "a1", "name": "A"}]}', "without the field 'audience'"),
    ("^/api/v1/environment_variables$", b'{"environment_variables": [7]}', "wrong type"),
], ids=["role-without-key", "api-without-audience", "env-var-not-an-object"])
def test_list_items_of_the_wrong_shape_are_one_clear_error(work: Workdir, kinde: Kinde, proxy: KindeProxy,
                                                           pattern: str, body: bytes, expected: str,
                                                           figures: dict) -> None:
    figures["bad inputs tried through the CLI"] = figures.get("bad inputs tried through the CLI", 0) + 1
    proxy.replace("GET", pattern, 200, body)
    result = work.run("plan", *work.ws_args(FULL), env=via(proxy))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "INVALID_RESPONSE" in errors[0] and expected in errors[0], result.stderr


def test_a_key_whose_creating_run_was_killed_is_flagged_with_the_command_that_rotates_it(
        work: Workdir, kinde: Kinde, proxy: KindeProxy, monkeypatch: pytest.MonkeyPatch, figures: dict) -> None:
    monkeypatch.chdir(work.root)
    (work.root / "environments").mkdir()
    config = cfg(apis=[API], api_keys=[KEY])
    work.write("environments/dev.json", config)
    hold = proxy.hold("POST", r"^/api/v1/api_keys$")
    env = {**os.environ, **kinde.env(), **via(proxy)}
    proc = subprocess.Popen([sys.executable, "-m", "kinde_iac", "apply", "-w", "dev", "--auto-approve"],
                            cwd=work.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert hold.held.wait(WAIT)
        proc.kill()  # killed right as Kinde is about to create the key: its one-time secret is lost
        proc.wait(WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    hold.release.set()
    assert hold.landed.wait(WAIT)
    db = sqlite3.connect(work.root / "state" / "dev.db")
    (lock_id,) = db.execute("SELECT id FROM lock").fetchone()
    db.close()
    assert work.run("force-unlock", "-w", "dev", lock_id).exit_code == 0

    command = "kinde-iac api-key rotate api_key.ci -w dev --secrets-out FILE"
    plan = work.run("plan", "-w", "dev", env=via(proxy))
    assert "# api_key.ci will be imported" in plan.output
    assert "its one-time secret was never delivered" in plan.output and command in plan.output
    applied = work.run("apply", "-w", "dev", "--auto-approve", env=via(proxy))
    assert applied.exit_code == 0 and command in applied.output  # the apply that adopts it says so too
    assert len(live_named(kinde, "/api/v1/api_keys", "api_keys", "CI")) == 1
    secrets = work.root / "secrets.json"
    rotated = work.run(*command.replace("FILE", str(secrets)).split()[1:], env=via(proxy))
    assert rotated.exit_code == 0, rotated.output + rotated.stderr
    secret = json.loads(secrets.read_text())["api_key.ci"]
    assert kinde.call("POST", "/api/v1/api_keys/verify", json={"api_key": secret})["is_valid"] is True
    figures["API key whose creating run was killed"] = f"adopted, flagged with `{command}`; rotating gives a valid secret"
