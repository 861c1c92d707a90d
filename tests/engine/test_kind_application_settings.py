"""An application's sign-in settings (readable, so drift shows) and token lifetimes (no read in
Kinde: compared with the last apply only, and marked so in the plan), through the engine."""
from __future__ import annotations

import datetime as dt
from typing import Any

from engine_harness import Workspace, action, config
from inprocess_kinde import InProcessKinde

from kinde_iac.render.text import render_plan

TODAY = dt.date(2030, 1, 1)
TOKENS = {"access_token_lifetime": 3600, "refresh_token_lifetime": 86400}
WEB = {"key": "web", "name": "Web", "is_ask_for_name": True, "use_gravatar_fallback": False, "tokens": TOKENS}


def doc(**web: Any) -> dict[str, Any]:
    return config(applications=[{**WEB, **web}])


def emulated_app(kinde: InProcessKinde, app_id: str) -> dict[str, Any]:
    """The application as the emulator stores it, token lifetimes included (no API answer has them)."""
    state = kinde._wsgi("GET", "/_emulator/state").get_json()
    return next(a for a in state["environments"]["development"]["applications"] if a["id"] == app_id)


def test_settings_and_lifetimes_are_written_on_create(ws: Workspace, kinde: InProcessKinde) -> None:
    kinde.reset_counts()
    assert ws.apply(doc()).ok
    app_id = ws.state.get("application.web").kinde_id
    writes = [(c.method, c.path, c.json) for c in kinde.writes() if c.path != "/api/v1/applications"]
    assert writes == [
        ("PATCH", f"/api/v1/applications/{app_id}", {"is_ask_for_name": True, "use_gravatar_fallback": False}),
        ("PATCH", f"/api/v1/applications/{app_id}/tokens", TOKENS),
    ]
    app = emulated_app(kinde, app_id)
    assert (app["access_token_lifetime"], app["refresh_token_lifetime"], app["id_token_lifetime"]) == (3600, 86400, None)
    ws.assert_converged(doc())


def test_a_changed_setting_in_the_dashboard_is_drift_and_reverted(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(doc()).ok
    app_id = ws.state.get("application.web").kinde_id
    kinde.patch(f"/api/v1/applications/{app_id}", json={"is_ask_for_name": False, "has_marketing_consent": True})
    (drifted,) = ws.drift(doc(), TODAY).changed
    # has_marketing_consent is not in the config, so it is not managed and not drift.
    assert [(c.name, c.last_applied, c.before) for c in drifted.changes] == [("is_ask_for_name", True, False)]
    kinde.reset_counts()
    assert ws.apply(doc()).ok
    assert [c.json for c in kinde.writes()] == [{"is_ask_for_name": True}]
    assert kinde.get(f"/api/v1/applications/{app_id}")["application"]["has_marketing_consent"] is True


def test_lifetimes_are_compared_with_the_last_apply_and_marked_so(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(doc()).ok
    app_id = ws.state.get("application.web").kinde_id
    # Kinde cannot return lifetimes: an edit behind kinde-iac's back cannot be seen.
    kinde.patch(f"/api/v1/applications/{app_id}/tokens", json={"access_token_lifetime": 60})
    ws.assert_converged(doc())
    longer = {**TOKENS, "access_token_lifetime": 7200}
    plan = ws.plan(doc(tokens=longer))
    ch = next(c for c in plan.changes if c.address == "application.web")
    assert action(ch) == "update"
    (c,) = ch.changes
    assert (c.name, c.before, c.after, c.unreadable) == ("tokens", TOKENS, longer, True)
    text = render_plan(plan, color=False)
    assert "~ tokens" in text and "Kinde cannot return it: compared with the last apply" in text
    kinde.reset_counts()
    assert ws.apply(doc(tokens=longer)).ok
    assert [(c.path, c.json) for c in kinde.writes()] == [(f"/api/v1/applications/{app_id}/tokens", longer)]
    assert emulated_app(kinde, app_id)["access_token_lifetime"] == 7200
    ws.assert_converged(doc(tokens=longer))


def test_left_out_settings_and_lifetimes_are_not_managed(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(doc()).ok
    app_id = ws.state.get("application.web").kinde_id
    bare = config(applications=[{"key": "web", "name": "Web"}])
    kinde.reset_counts()
    ws.assert_converged(bare)
    assert ws.apply(bare).ok
    assert kinde.writes() == []
    assert emulated_app(kinde, app_id)["access_token_lifetime"] == 3600
    assert kinde.get(f"/api/v1/applications/{app_id}")["application"]["is_ask_for_name"] is True
