"""The connection kind and the application's ``connections`` set, through the engine against the
in-process Kinde: write-only secrets (salted hash in state, compared with the last apply, never
shown), options managed only when written, built-in connections referenced by name and never
managed, and enablement written from the application only."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from engine_harness import Workspace, action, config
from inprocess_kinde import InProcessKinde

from kinde_iac.engine.plan_model import SENSITIVE

SECRET = "gh-secret-sentinel-1"
GITHUB = {"key": "github", "name": "github-corp", "display_name": "GitHub", "strategy": "oauth2:github",
          "options": {"client_id": "Iv1.abc", "client_secret": "${env:GH_SECRET}", "is_trusted": True}}
WEB = {"key": "web", "name": "Web", "type": "reg", "connections": ["github", "email_password"]}
TODAY = dt.date(2030, 1, 1)


def doc(*, github: dict[str, Any] | None = None, web: dict[str, Any] | None = None) -> dict[str, Any]:
    return config(connections=[github or GITHUB], applications=[web or WEB])


def change(plan: Any, address: str) -> Any:
    return next(c for c in plan.changes if c.address == address)


def live_connections(kinde: InProcessKinde) -> list[dict[str, Any]]:
    return kinde.get("/api/v1/connections", {"page_size": 500})["connections"]


def enabled(kinde: InProcessKinde, app_id: str) -> set[str]:
    return {c["name"] for c in kinde.get(f"/api/v1/applications/{app_id}/connections")["connections"]}


def builtin_id(kinde: InProcessKinde, name: str) -> str:
    return next(c["id"] for c in live_connections(kinde) if c["name"] == name)


def test_create_sends_the_secret_once_and_state_keeps_only_a_salted_hash(ws: Workspace, kinde: InProcessKinde) -> None:
    ws.env = {"GH_SECRET": SECRET}
    plan = ws.plan(doc())
    assert change(plan, "connection.github").after["options.client_secret"] == SENSITIVE
    assert SECRET not in json.dumps([c.after for c in plan.changes], default=str)
    kinde.reset_counts()
    assert ws.apply(doc()).ok
    (post,) = [c for c in kinde.writes() if c.path == "/api/v1/connections"]
    assert post.json == {"name": "github-corp", "display_name": "GitHub", "strategy": "oauth2:github",
                         "options": {"client_id": "Iv1.abc", "client_secret": SECRET, "is_trusted": True}}
    row = ws.state.get("connection.github")
    assert row is not None and str(row.attributes["options.client_secret"]).startswith("sha256$")
    assert SECRET not in json.dumps(row.attributes)
    # Kinde never returns the secret, yet nothing differs: compared with the last apply.
    (live,) = [c for c in live_connections(kinde) if c["name"] == "github-corp"]
    assert "client_secret" not in live["options"]
    ws.assert_converged(doc())


def test_a_changed_secret_is_found_against_the_last_apply_and_sent_alone(ws: Workspace, kinde: InProcessKinde) -> None:
    ws.env = {"GH_SECRET": SECRET}
    assert ws.apply(doc()).ok
    old_hash = ws.state.get("connection.github").attributes["options.client_secret"]
    ws.env = {"GH_SECRET": "rotated-secret-sentinel"}
    ch = change(ws.plan(doc()), "connection.github")
    assert action(ch) == "update"
    (c,) = ch.changes
    assert (c.name, c.before, c.after, c.sensitive, c.unreadable) == \
        ("options.client_secret", SENSITIVE, SENSITIVE, True, True)
    kinde.reset_counts()
    assert ws.apply(doc()).ok
    (patch,) = kinde.writes()
    assert patch.method == "PATCH" and patch.json == {"options": {"client_secret": "rotated-secret-sentinel"}}
    new_hash = ws.state.get("connection.github").attributes["options.client_secret"]
    assert new_hash != old_hash and new_hash.startswith("sha256$")
    ws.assert_converged(doc())


def test_only_options_the_config_writes_are_managed(ws: Workspace, kinde: InProcessKinde) -> None:
    ws.env = {"GH_SECRET": SECRET}
    assert ws.apply(doc()).ok
    conn_id = ws.state.get("connection.github").kinde_id
    # An option the config leaves out, set in the dashboard: not a change, not drift.
    kinde.patch(f"/api/v1/connections/{conn_id}", json={"options": {"is_use_custom_domain": True}})
    ws.assert_converged(doc())
    assert ws.drift(doc(), TODAY).in_sync
    # A written option changed in the dashboard: drift, and apply puts it back (and only it).
    kinde.patch(f"/api/v1/connections/{conn_id}", json={"options": {"client_id": "Iv1.evil"}})
    (drifted,) = ws.drift(doc(), TODAY).changed
    assert [(c.name, c.last_applied, c.before) for c in drifted.changes] == \
        [("options.client_id", "Iv1.abc", "Iv1.evil")]
    kinde.reset_counts()
    assert ws.apply(doc()).ok
    assert [w.json for w in kinde.writes()] == [{"options": {"client_id": "Iv1.abc"}}]
    (live,) = [c for c in live_connections(kinde) if c["id"] == conn_id]
    assert live["options"] == {"client_id": "Iv1.abc", "is_trusted": True, "is_use_custom_domain": True}


def test_builtin_connections_are_referenced_never_managed(ws: Workspace, kinde: InProcessKinde) -> None:
    ws.env = {"GH_SECRET": SECRET}
    assert ws.apply(doc()).ok
    live = ws.refresh(ws.desired(doc()), everything=True)
    assert [r.address for r in live.of("connection")] == ["connection.github"]
    assert ws.drift(doc(), TODAY).unmanaged == ()
    # Removing the application's use of a built-in disables it for the application only.
    app_id = ws.state.get("application.web").kinde_id
    kinde.reset_counts()
    assert ws.apply(doc(web={**WEB, "connections": ["github"]})).ok
    (delete,) = kinde.writes()
    assert (delete.method, delete.path) == \
        ("DELETE", f"/api/v1/applications/{app_id}/connections/{builtin_id(kinde, 'email_password')}")
    assert enabled(kinde, app_id) == {"github-corp"}
    assert "email_password" in {c["name"] for c in live_connections(kinde)}


def test_enablement_is_written_from_the_application_only(ws: Workspace, kinde: InProcessKinde) -> None:
    ws.env = {"GH_SECRET": SECRET}
    kinde.reset_counts()
    assert ws.apply(doc()).ok
    app_id = ws.state.get("application.web").kinde_id
    conn_id = ws.state.get("connection.github").kinde_id
    assert enabled(kinde, app_id) == {"github-corp", "email_password"}
    enables = sorted(c.path for c in kinde.writes() if "/connections/" in c.path)
    assert enables == sorted([f"/api/v1/applications/{app_id}/connections/{conn_id}",
                              f"/api/v1/applications/{app_id}/connections/{builtin_id(kinde, 'email_password')}"])
    assert not any("enabled_applications" in json.dumps(c.json) for c in kinde.writes())
    assert ws.state.get("application.web").depends_on == ("connection.github",)
    ws.assert_converged(doc())


def test_enablement_changed_in_the_dashboard_is_drift_and_reverted(ws: Workspace, kinde: InProcessKinde) -> None:
    ws.env = {"GH_SECRET": SECRET}
    assert ws.apply(doc()).ok
    app_id = ws.state.get("application.web").kinde_id
    kinde.post(f"/api/v1/applications/{app_id}/connections/{builtin_id(kinde, 'email_otp')}")
    (drifted,) = ws.drift(doc(), TODAY).changed
    (c,) = drifted.changes
    assert (drifted.address, c.name, c.added) == ("application.web", "connections", ())
    assert set(c.removed) == {"email_otp"}  # live has it, the last apply did not
    assert ws.apply(doc()).ok
    assert enabled(kinde, app_id) == {"github-corp", "email_password"}


def test_an_application_without_connections_in_config_keeps_its_own(ws: Workspace, kinde: InProcessKinde) -> None:
    plain = config(applications=[{"key": "web", "name": "Web"}])
    assert ws.apply(plain).ok
    app_id = ws.state.get("application.web").kinde_id
    kinde.post(f"/api/v1/applications/{app_id}/connections/{builtin_id(kinde, 'email_otp')}")
    ws.assert_converged(plain)
    assert ws.drift(plain, TODAY).in_sync
    assert enabled(kinde, app_id) == {"email_otp"}


def test_a_new_strategy_replaces_the_connection_and_relinks_its_applications(ws: Workspace,
                                                                             kinde: InProcessKinde) -> None:
    ws.env = {"GH_SECRET": SECRET}
    assert ws.apply(doc()).ok
    old_id = ws.state.get("connection.github").kinde_id
    gitlab = {**GITHUB, "strategy": "oauth2:gitlab"}
    plan = ws.plan(doc(github=gitlab))
    assert action(change(plan, "connection.github")) == "replace"
    assert "re-links objects being replaced" in change(plan, "application.web").notes
    assert ws.apply(doc(github=gitlab)).ok
    new_id = ws.state.get("connection.github").kinde_id
    assert new_id != old_id and old_id not in {c["id"] for c in live_connections(kinde)}
    app_id = ws.state.get("application.web").kinde_id
    assert enabled(kinde, app_id) == {"github-corp", "email_password"}
    ws.assert_converged(doc(github=gitlab))


def test_an_unknown_connection_name_fails_the_step_with_a_message(ws: Workspace, kinde: InProcessKinde) -> None:
    result = ws.apply(config(applications=[{"key": "web", "name": "Web", "connections": ["no-such-login"]}]))
    assert not result.ok
    ((address, message),) = result.failed
    assert address == "application.web"
    assert 'connection "no-such-login" is neither a key of "connections" nor the name of one of' in message


def test_which_live_connections_are_kindes_own() -> None:
    from kinde_iac.resources.connection_options import is_builtin

    assert is_builtin({"name": "email_password", "strategy": "email:password", "options": {}})
    assert is_builtin({"name": "phone", "strategy": "phone:otp"})
    # A social connection signing users in with Kinde's credentials (no client id of its own).
    assert is_builtin({"name": "google", "strategy": "oauth2:google", "options": {}})
    assert not is_builtin({"name": "google-corp", "strategy": "oauth2:google", "options": {"client_id": "x"}})
    assert not is_builtin({"name": "okta", "strategy": "saml:okta", "options": {}})
    assert not is_builtin({"name": "entra", "strategy": "wsfed:azure_ad"})
