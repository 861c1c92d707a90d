"""Webhooks, connections and application settings end to end (issue 17): the real CLI against the
emulator over HTTP. The config applies (checked over raw HTTP), plans "No changes.", and a
dashboard edit of the webhook is reported by drift and reverted by apply."""
from __future__ import annotations

import json
from typing import Any

from e2e_harness import Kinde, Workdir

SECRET = {"GITHUB_CLIENT_SECRET": "e2e-github-secret-3b7e"}
CONFIG: dict[str, Any] = {
    "kinde": {"environment": "development"},
    "webhooks": [{"key": "orders", "name": "Orders", "endpoint": "https://hooks.example/orders",
                  "event_types": ["user.created", "user.deleted"], "description": "Order service"}],
    "connections": [{"key": "github", "name": "github-corp", "display_name": "GitHub", "strategy": "oauth2:github",
                     "options": {"client_id": "Iv1.e2e", "client_secret": "${env:GITHUB_CLIENT_SECRET}"}}],
    "applications": [{"key": "web", "name": "Web", "type": "reg", "redirect_urls": ["https://web.example/cb"],
                      "is_ask_for_name": True, "connections": ["github", "email_password"],
                      "tokens": {"access_token_lifetime": 3600, "refresh_token_lifetime": 2592000,
                                 "id_token_lifetime": 3600, "authenticated_session_lifetime": 86400}}],
}


def by_name(items: list[dict], name: str) -> dict:
    return next(i for i in items if i["name"] == name)


def test_apply_converge_drift_and_revert(work: Workdir, kinde: Kinde) -> None:
    result = work.apply(CONFIG, **SECRET)
    assert "Plan: 3 to add, 0 to change, 0 to destroy, 0 to import." in result.output

    # Checked over raw HTTP, as Kinde has it.
    (hook,) = kinde.call("GET", "/api/v1/webhooks")["webhooks"]
    assert (hook["name"], hook["endpoint"], sorted(hook["event_types"]), hook["description"]) == \
        ("Orders", "https://hooks.example/orders", ["user.created", "user.deleted"], "Order service")
    connections = kinde.call("GET", "/api/v1/connections", params={"page_size": 500})["connections"]
    github = by_name(connections, "github-corp")
    assert (github["strategy"], github["options"]) == ("oauth2:github", {"client_id": "Iv1.e2e"})
    app = by_name(kinde.list("/api/v1/applications", "applications"), "Web")
    assert kinde.call("GET", f"/api/v1/applications/{app['id']}")["application"]["is_ask_for_name"] is True
    enabled = kinde.call("GET", f"/api/v1/applications/{app['id']}/connections")["connections"]
    assert sorted(c["name"] for c in enabled) == ["email_password", "github-corp"]
    # Secrets and lifetimes are in no API answer; the emulator's debugging view shows what was sent.
    dump = kinde.control("GET", "state")["environments"]["development"]
    assert by_name(dump["connections"], "github-corp")["options"]["client_secret"] == SECRET["GITHUB_CLIENT_SECRET"]
    stored = next(a for a in dump["applications"] if a["id"] == app["id"])
    assert (stored["access_token_lifetime"], stored["refresh_token_lifetime"], stored["id_token_lifetime"],
            stored["authenticated_session_lifetime"]) == (3600, 2592000, 3600, 86400)

    work.assert_converged(CONFIG, **SECRET)

    # A dashboard edit of the webhook: drift reports it, apply reverts it.
    kinde.call("PATCH", f"/api/v1/webhooks/{hook['id']}",
               json={"name": "Orders (edited)", "event_types": ["user.created"]})
    drift = work.run("drift", *work.ws_args(CONFIG), env=SECRET)
    assert drift.exit_code == 2, drift.output + drift.stderr
    assert '~ name: last applied "Orders", now "Orders (edited)"' in drift.output
    assert '- event_types: "user.deleted" removed outside kinde-iac' in drift.output
    as_json = json.loads(work.run("drift", *work.ws_args(CONFIG), "--format", "json", env=SECRET).output)
    assert [c["address"] for c in as_json["changed"]] == ["webhook.orders"]

    plan = work.plan(CONFIG, **SECRET)
    assert plan.exit_code == 2 and "webhook.orders will be updated in-place" in plan.output
    work.apply(CONFIG, **SECRET)
    (reverted,) = kinde.call("GET", "/api/v1/webhooks")["webhooks"]
    assert reverted["id"] == hook["id"]
    assert (reverted["name"], sorted(reverted["event_types"])) == ("Orders", ["user.created", "user.deleted"])
    no_drift = work.run("drift", *work.ws_args(CONFIG), env=SECRET)
    assert no_drift.exit_code == 0 and "No drift" in no_drift.output
    work.assert_converged(CONFIG, **SECRET)


def test_export_and_import_cover_the_new_kinds(work: Workdir, kinde: Kinde) -> None:
    work.apply(CONFIG, **SECRET)
    exported_path = work.root / "export" / "dev.json"
    exported_path.parent.mkdir()
    result = work.run("export", *work.ws_args(CONFIG), "--out", str(exported_path), env=SECRET)
    assert result.exit_code == 0, result.stderr
    exported = json.loads(exported_path.read_text())
    assert SECRET["GITHUB_CLIENT_SECRET"] not in exported_path.read_text()
    (connection,) = exported["connections"]
    assert connection["options"] == {"client_id": "Iv1.e2e",
                                     "client_secret": "${env:CONNECTION_GITHUB_CLIENT_SECRET}"}
    (app,) = exported["applications"]
    assert app["connections"] == ["email_password", "github"] and app["tokens"]["access_token_lifetime"] == 3600
    assert exported["webhooks"][0]["event_types"] == ["user.created", "user.deleted"]
    # The export plans "No changes." against the same state, given the secret it names.
    plan = work.run("plan", "--config", str(exported_path), "--state", str(work.root / "dev.db"),
                    "--detailed-exitcode", env={"CONNECTION_GITHUB_CLIENT_SECRET": SECRET["GITHUB_CLIENT_SECRET"]})
    assert plan.exit_code == 0, plan.output + plan.stderr

    # Another workspace, same environment: import adopts all three by natural key, then converges.
    result = work.run("import", *work.ws_args(CONFIG, name="other"), "--all", env=SECRET)
    assert result.exit_code == 0, result.output + result.stderr
    assert "3 objects adopted" in result.output
    work.assert_converged(CONFIG, name="other", **SECRET)
