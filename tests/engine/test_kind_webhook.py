"""The webhook kind through the engine, against the in-process Kinde: what it sends, reads back,
adopts, replaces and reverts."""
from __future__ import annotations

import pytest
from engine_harness import Workspace, action, config
from inprocess_kinde import InProcessKinde

from kinde_iac.engine.plan import PlanError

HOOK = {"key": "orders", "name": "Orders", "endpoint": "https://hooks.example/orders",
        "event_types": ["user.created", "user.deleted"], "description": "Order service"}


def webhooks(kinde: InProcessKinde) -> list[dict]:
    return kinde.get("/api/v1/webhooks")["webhooks"]


def only_change(plan: object, address: str) -> object:
    return next(c for c in plan.changes if c.address == address)  # type: ignore[attr-defined]


def test_create_sends_the_documented_body_and_converges(ws: Workspace, kinde: InProcessKinde) -> None:
    kinde.reset_counts()
    assert ws.apply(config(webhooks=[HOOK])).ok
    (post,) = [c for c in kinde.writes() if c.path == "/api/v1/webhooks"]
    assert post.method == "POST"
    assert post.json == {"name": "Orders", "endpoint": "https://hooks.example/orders",
                         "event_types": ["user.created", "user.deleted"], "description": "Order service"}
    (live,) = webhooks(kinde)
    assert ws.state.get("webhook.orders").kinde_id == live["id"]
    ws.assert_converged(config(webhooks=[HOOK]))


def test_name_description_and_event_types_change_in_place(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(config(webhooks=[HOOK])).ok
    (before,) = webhooks(kinde)
    changed = {**HOOK, "name": "Orders v2", "event_types": ["user.created", "role.created"], "description": None}
    plan = ws.plan(config(webhooks=[changed]))
    ch = only_change(plan, "webhook.orders")
    assert action(ch) == "update"
    assert {c.name for c in ch.changes} == {"name", "event_types", "description"}  # type: ignore[attr-defined]
    kinde.reset_counts()
    assert ws.apply(config(webhooks=[changed])).ok
    (patch,) = kinde.writes()
    assert (patch.method, patch.path) == ("PATCH", f"/api/v1/webhooks/{before['id']}")
    # The endpoint is never sent (Kinde cannot change it); a null description clears it.
    assert patch.json == {"name": "Orders v2", "event_types": ["role.created", "user.created"], "description": None}
    (after,) = webhooks(kinde)
    assert after["id"] == before["id"] and "description" not in after
    ws.assert_converged(config(webhooks=[changed]))


def test_a_new_endpoint_replaces_the_webhook(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(config(webhooks=[HOOK])).ok
    (old,) = webhooks(kinde)
    moved = {**HOOK, "endpoint": "https://hooks.example/v2/orders"}
    ch = only_change(ws.plan(config(webhooks=[moved])), "webhook.orders")
    assert action(ch) == "replace"
    assert [c.forces_replacement for c in ch.changes] == [True]  # type: ignore[attr-defined]
    assert ws.apply(config(webhooks=[moved])).ok
    (new,) = webhooks(kinde)
    assert new["id"] != old["id"] and new["endpoint"] == "https://hooks.example/v2/orders"
    ws.assert_converged(config(webhooks=[moved]))


def test_a_live_webhook_is_adopted_by_name_only_on_a_single_match(ws: Workspace, kinde: InProcessKinde) -> None:
    body = {"name": "Orders", "endpoint": "https://hooks.example/orders", "event_types": ["user.created"]}
    hook_id = kinde.post("/api/v1/webhooks", json=body)["webhook"]["id"]
    plan = ws.plan(config(webhooks=[HOOK]))
    ch = only_change(plan, "webhook.orders")
    assert ch.imported and ch.kinde_id == hook_id  # type: ignore[attr-defined]
    assert {c.name for c in ch.changes} == {"event_types", "description"}  # type: ignore[attr-defined]
    assert ws.apply(config(webhooks=[HOOK])).ok
    assert [h["id"] for h in webhooks(kinde)] == [hook_id]  # adopted and updated, never duplicated


def test_two_live_webhooks_of_one_name_are_never_guessed_between(ws: Workspace, kinde: InProcessKinde) -> None:
    body = {"name": "Orders", "endpoint": "https://hooks.example/orders", "event_types": ["user.created"]}
    for _ in range(2):
        kinde.post("/api/v1/webhooks", json=body)
    with pytest.raises(PlanError, match="2 live webhooks match 'Orders'"):
        ws.plan(config(webhooks=[HOOK]))


def test_a_dashboard_edit_is_drift_and_apply_reverts_it(ws: Workspace, kinde: InProcessKinde) -> None:
    import datetime as dt

    assert ws.apply(config(webhooks=[HOOK])).ok
    (live,) = webhooks(kinde)
    kinde.patch(f"/api/v1/webhooks/{live['id']}", json={"event_types": ["user.created"], "name": "Renamed"})
    report = ws.drift(config(webhooks=[HOOK]), dt.date(2030, 1, 1))
    (changed,) = report.changed
    assert changed.address == "webhook.orders"
    assert {(c.name, str(c.verdict.value)) for c in changed.changes} == {("name", "drift"), ("event_types", "drift")}
    assert ws.apply(config(webhooks=[HOOK])).ok
    (reverted,) = webhooks(kinde)
    assert (reverted["name"], reverted["event_types"]) == ("Orders", ["user.created", "user.deleted"])


def test_an_unmanaged_webhook_is_listed_never_touched(ws: Workspace, kinde: InProcessKinde) -> None:
    import datetime as dt

    kinde.post("/api/v1/webhooks", json={"name": "Legacy", "endpoint": "https://legacy.example/hook",
                                         "event_types": ["user.created"]})
    kinde.reset_counts()
    report = ws.drift(config(), dt.date(2030, 1, 1))
    assert [u.address for u in report.unmanaged] == ["webhook.legacy"]
    assert ws.apply(config()).ok
    assert kinde.writes() == [] and len(webhooks(kinde)) == 1
