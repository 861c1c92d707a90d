"""Drift: last applied (state) against live, classified as changed / deleted / re-created /
unmanaged, with ignore rules that stop ignoring after their ``until`` date."""
from __future__ import annotations

import datetime as dt

import pytest
from engine_harness import Workspace, action, config, permissions
from inprocess_kinde import InProcessKinde

DOC = config(
    permissions=permissions("orders:read", "planned"),
    roles=[{"key": k, "name": k.title(), "permissions": ["orders:read"]} for k in ("admin", "viewer", "support")],
    env_vars=[{"key": "GATEWAY", "value": "sandbox"}],
    ignore=["role.legacy-*", {"address": "permission.tmp-*", "until": "2030-01-31"}],
)
APPLIED = {**DOC, "permissions": permissions("orders:read")}  # "planned" is not applied yet
BEFORE_UNTIL, AFTER_UNTIL = dt.date(2030, 1, 31), dt.date(2030, 2, 1)


@pytest.fixture
def drifted(ws: Workspace, kinde: InProcessKinde) -> dict[str, str]:
    """DOC applied, then changed behind kinde-iac's back; returns the state ids of the roles."""
    assert ws.apply(APPLIED).ok
    ids = {a: s.kinde_id for a, s in ws.state.resources().items()}
    kinde.patch(f"/api/v1/roles/{ids['role.admin']}", json={"key": "admin", "name": "Administrators"})
    kinde.delete(f"/api/v1/roles/{ids['role.viewer']}")
    kinde.delete(f"/api/v1/roles/{ids['role.support']}")
    kinde.post("/api/v1/roles", json={"key": "support", "name": "Support"})
    for key in ("stray", "legacy-ops"):
        kinde.post("/api/v1/roles", json={"key": key, "name": key.title()})
    kinde.post("/api/v1/permissions", json={"key": "tmp-banner", "name": "Tmp"})
    kinde.post("/api/v1/permissions", json={"key": "planned", "name": "Planned"})  # config has it: adopt later
    kinde.patch(f"/api/v1/environment_variables/{ids['env_var.GATEWAY']}", json={"value": "live"})
    return ids


def test_a_fresh_apply_is_in_sync(ws: Workspace) -> None:
    assert ws.apply(APPLIED).ok
    report = ws.drift(DOC, BEFORE_UNTIL)
    assert report.in_sync
    assert (report.changed, report.deleted, report.recreated, report.unmanaged) == ((), (), (), ())
    assert report.coverage["role"] == (3, 3)


def test_each_kind_of_drift_is_classified(ws: Workspace, drifted: dict[str, str]) -> None:
    report = ws.drift(DOC, BEFORE_UNTIL)
    assert not report.in_sync
    assert [c.address for c in report.changed] == ["role.admin", "env_var.GATEWAY"]
    admin = report.changed[0]
    assert [(f.name, f.last_applied, f.before, f.after) for f in admin.changes] == \
        [("name", "Admin", "Administrators", "Admin")]
    assert [(c.address, action(c)) for c in report.deleted] == [("role.viewer", "create")]
    (support,) = report.recreated
    assert support.address == "role.support" and support.kinde_id != drifted["role.support"]
    assert [u.address for u in report.unmanaged] == ["role.stray"]
    assert sorted((u.address, rule) for u, rule in report.ignored) == \
        [("permission.tmp-banner", "permission.tmp-*"), ("role.legacy-ops", "role.legacy-*")]
    assert report.expired_rules == ()
    # Managed / all live: admin and the re-created support of four live roles.
    assert report.coverage["role"] == (2, 4)


def test_an_ignore_rule_stops_ignoring_after_its_until_date(ws: Workspace, drifted: dict[str, str]) -> None:
    report = ws.drift(DOC, AFTER_UNTIL)
    assert [r.address for r in report.expired_rules] == ["permission.tmp-*"]
    assert [(u.address, rule) for u, rule in report.ignored] == [("role.legacy-ops", "role.legacy-*")]
    assert sorted(u.address for u in report.unmanaged) == ["permission.tmp-banner", "role.stray"]


def test_drift_reads_but_never_writes(ws: Workspace, kinde: InProcessKinde, drifted: dict[str, str]) -> None:
    kinde.reset_counts()
    serial = ws.state.serial
    ws.drift(DOC, BEFORE_UNTIL)
    assert kinde.writes() == [] and kinde.calls
    assert ws.state.serial == serial
