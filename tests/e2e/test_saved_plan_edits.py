"""A saved plan is only JSON: apply PLAN_FILE trusts nothing in it (issue 13 point 3). Each test edits
a real plan file the way an attacker or a careless hand would, and apply must refuse it, naming why,
before it sends a single write to Kinde."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import Kinde, Workdir

PERMS = [{"key": f"p{i}", "name": f"P{i}"} for i in range(4)]
APP = {"key": "web", "name": "Web", "type": "reg"}
API = {"key": "orders", "name": "Orders", "audience": "https://orders.example"}
ROLES = [{"key": "admin", "name": "Admin", "permissions": ["p0"], "protect": True},
         {"key": "viewer", "name": "Viewer", "permissions": ["p1"]}]


def cfg(**sections: Any) -> dict[str, Any]:
    return {"kinde": {"environment": "development"}, "applications": [APP], "apis": [API], "permissions": PERMS,
            "roles": ROLES, **sections}


def save(work: Workdir, config: dict[str, Any]) -> Path:
    path = work.root / "plan.json"
    result = work.run("plan", *work.ws_args(config), "--out", str(path))
    assert result.exit_code == 0, result.output + result.stderr
    return path


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def change_of(doc: dict[str, Any], address: str) -> dict[str, Any]:
    return next(rc for rc in doc["resource_changes"] if rc["address"] == address)


def to_delete(rc: dict[str, Any], kinde_id: str | None = None) -> None:
    rc["change"].update(actions=["delete"], after=None, after_sensitive={}, replace_paths=[])
    rc["kinde_iac"].update(action="delete", changes=[])
    if kinde_id is not None:
        rc["kinde_iac"]["kinde_id"] = kinde_id


def apply_saved(work: Workdir, kinde: Kinde, path: Path, *flags: str) -> tuple[Any, list[str]]:
    """apply PLAN_FILE; returns the result and every write request Kinde saw during it."""
    kinde.reset_stats()
    result = work.run("apply", str(path), "--config", str(work.root / "dev.json"),
                      "--state", str(work.root / "dev.db"), *flags)
    writes = [route for route, n in kinde.stats()["by_route"].items()
              if n and not route.startswith("GET ") and not route.startswith("POST /oauth2/token")]
    return result, writes


def live_id(kinde: Kinde, path: str, key: str, field: str, value: str) -> str:
    return next(item["id"] for item in kinde.list(path, key) if item.get(field) == value)


@pytest.fixture
def applied(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg())


def refuse(work: Workdir, kinde: Kinde, path: Path, expected: list[str], figures: dict, *flags: str) -> None:
    result, writes = apply_saved(work, kinde, path, *flags)
    assert result.exit_code == 1, result.output + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for fragment in expected:
        assert fragment in errors[0], errors[0]
    assert writes == []  # refused before anything was sent
    figures["edited saved plans refused with no write sent"] = \
        figures.get("edited saved plans refused with no write sent", 0) + 1


def test_an_update_turned_into_a_delete_is_refused(work: Workdir, kinde: Kinde, applied: None, figures: dict) -> None:
    renamed = cfg(permissions=[{**PERMS[0], "name": "Renamed"}, *PERMS[1:]])
    path = save(work, renamed)
    edit(path, lambda doc: to_delete(change_of(doc, "permission.p0")))
    refuse(work, kinde, path, ["permission.p0: the saved plan would delete it, but a fresh plan would update it",
                               "edited"], figures)
    names = {p["key"]: p["name"] for p in kinde.list("/api/v1/permissions", "permissions")}
    assert names == {"p0": "P0", "p1": "P1", "p2": "P2", "p3": "P3"}


def test_an_added_delete_of_a_protected_role_is_refused(work: Workdir, kinde: Kinde, applied: None,
                                                         figures: dict) -> None:
    grown = cfg(permissions=[*PERMS, {"key": "p4", "name": "P4"}])
    path = save(work, grown)
    admin_id = live_id(kinde, "/api/v1/roles", "roles", "key", "admin")

    def add_delete(doc: dict[str, Any]) -> None:
        rc = json.loads(json.dumps(doc["resource_changes"][0]))
        rc.update(address="role.admin", type="role", name="admin")
        rc["change"]["before"] = {"name": "Admin"}
        rc["kinde_iac"].update(natural=["admin"], depends_on=[], notes=[])
        to_delete(rc, admin_id)
        doc["resource_changes"].append(rc)

    edit(path, add_delete)
    refuse(work, kinde, path, ['role.admin: protected ("protect": true) but this plan would destroy it'], figures)
    assert "admin" in [r["key"] for r in kinde.list("/api/v1/roles", "roles")]
    assert "p4" not in [p["key"] for p in kinde.list("/api/v1/permissions", "permissions")]


def test_a_mass_delete_with_blocked_set_to_null_is_refused(work: Workdir, kinde: Kinde, applied: None,
                                                           figures: dict) -> None:
    shrunk = cfg(permissions=PERMS[:1], roles=ROLES[:1], apis=[], applications=[])
    path = save(work, shrunk)
    doc = json.loads(path.read_text())
    assert doc["blocked"] and "--allow-mass-delete" in doc["blocked"]

    def unblock(d: dict[str, Any]) -> None:
        d["blocked"] = None
        d["warnings"] = [w for w in d["warnings"] if "--allow-mass-delete" not in w]

    edit(path, unblock)
    refuse(work, kinde, path, ["this plan destroys 6 of 8 managed objects", "--allow-mass-delete"], figures)
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 4
    # Consent is given at apply time, where nobody can edit it in: then the same file goes through.
    result, writes = apply_saved(work, kinde, path, "--allow-mass-delete")
    assert result.exit_code == 0, result.output + result.stderr
    assert len(kinde.list("/api/v1/permissions", "permissions")) == 1 and writes


@pytest.mark.parametrize("target", ["own M2M application", "Management API"])
def test_a_change_aimed_at_what_is_never_touched_is_refused(work: Workdir, kinde: Kinde, applied: None,
                                                            target: str, figures: dict) -> None:
    if target == "own M2M application":
        renamed, address = cfg(applications=[{**APP, "name": "Web 2"}]), "application.web"
        never = kinde.env()["KINDE_CLIENT_ID"]
    else:
        renamed, address = cfg(apis=[{**API, "applications": ["web"]}]), "api.orders"
        never = next(a["id"] for a in kinde.call("GET", "/api/v1/apis")["apis"] if a.get("is_management_api"))
    path = save(work, renamed)
    edit(path, lambda doc: to_delete(change_of(doc, address), never))
    refuse(work, kinde, path, [f"{address}: Kinde id {never} is", "which kinde-iac never changes"], figures)
    assert any(a["id"] == never for a in kinde.list("/api/v1/applications", "applications")) or \
        any(a["id"] == never for a in kinde.call("GET", "/api/v1/apis")["apis"])


def test_an_edited_kinde_id_is_refused(work: Workdir, kinde: Kinde, applied: None, figures: dict) -> None:
    renamed = cfg(permissions=[{**PERMS[0], "name": "Renamed"}, *PERMS[1:]])
    path = save(work, renamed)
    other = live_id(kinde, "/api/v1/permissions", "permissions", "key", "p3")
    edit(path, lambda doc: change_of(doc, "permission.p0")["kinde_iac"].update(kinde_id=other))
    refuse(work, kinde, path, [f"permission.p0: the saved plan names Kinde id {other}"], figures)
    assert {p["key"]: p["name"] for p in kinde.list("/api/v1/permissions", "permissions")}["p3"] == "P3"


def test_an_unedited_saved_plan_still_applies(work: Workdir, kinde: Kinde, applied: None) -> None:
    renamed = cfg(permissions=[{**PERMS[0], "name": "Renamed"}, *PERMS[1:]])
    path = save(work, renamed)
    result, writes = apply_saved(work, kinde, path)
    assert result.exit_code == 0, result.output + result.stderr
    assert writes == ["PATCH /api/v1/permissions/{permission_id}"]
    work.assert_converged(renamed)
