"""Renames keep objects: ``moved`` entries, a role's new key updated in place, ``state mv`` and
``state rm``, ``--target`` and ``--replace`` (issue 12)."""
from __future__ import annotations

import copy

from e2e_harness import Kinde, Workdir

KINDE = {"kinde": {"environment": "development"}}
APP = {"key": "old", "name": "Web", "type": "reg", "redirect_urls": ["https://app.example/cb"]}
PERMS = [{"key": "orders:read", "name": "Read orders"}, {"key": "orders:write", "name": "Write orders"}]
ROLE = {"key": "admin", "name": "Admin", "permissions": ["orders:read", "orders:write"]}


def cfg(**sections: object) -> dict:
    return {**copy.deepcopy(KINDE), **copy.deepcopy(sections)}


def app_ids(kinde: Kinde, name: str = "Web") -> list[str]:
    return [a["id"] for a in kinde.list("/api/v1/applications", "applications") if a["name"] == name]


def client_id(kinde: Kinde, app_id: str) -> str:
    return kinde.call("GET", f"/api/v1/applications/{app_id}")["application"]["client_id"]


def test_moved_application_keeps_its_id_and_credentials(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(applications=[APP]))
    [app_id] = app_ids(kinde)
    credentials = client_id(kinde, app_id)
    renamed = cfg(applications=[{**APP, "key": "web"}], moved=[{"from": "application.old", "to": "application.web"}])
    plan = work.plan(renamed)
    assert plan.exit_code == 2, plan.output + plan.stderr
    assert "# application.old has moved to application.web" in plan.output
    assert "will be destroyed" not in plan.output and "will be created" not in plan.output
    assert "Plan: 0 to add, 0 to change, 0 to destroy, 0 to import." in plan.output
    out = work.apply(renamed).output
    assert "application.web: Move complete" in out or "Apply complete!" in out
    assert app_ids(kinde) == [app_id] and client_id(kinde, app_id) == credentials
    listed = work.run("state", "list", *work.ws_args(renamed)).output
    assert f"application.web\t{app_id}" in listed and "application.old" not in listed
    journal = work.run("state", "journal", *work.ws_args(renamed)).output
    assert "application.web\tmove\tok" in journal
    work.assert_converged(renamed)  # the moved entry may stay in the config
    # without the moved entry, and with the key already moved in state, still nothing to do
    work.assert_converged(cfg(applications=[{**APP, "key": "web"}]))


def test_without_a_moved_entry_a_new_key_would_replace(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(applications=[APP]))
    plan = work.plan(cfg(applications=[{**APP, "key": "web"}]))
    assert "application.old will be destroyed" in plan.output and "application.web will be created" in plan.output


def test_role_key_change_is_an_update_in_place_keeping_id_and_links(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(permissions=PERMS, roles=[ROLE]))
    role = next(r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin")
    renamed = cfg(permissions=PERMS, roles=[{**ROLE, "key": "administrator"}],
                  moved=[{"from": "role.admin", "to": "role.administrator"}])
    plan = work.plan(renamed)
    assert plan.exit_code == 2
    assert "# role.administrator will be updated in-place" in plan.output
    assert "(moved from role.admin)" in plan.output
    assert '~ key             = "admin" -> "administrator"' in plan.output
    assert "Plan: 0 to add, 1 to change, 0 to destroy, 0 to import." in plan.output
    work.apply(renamed)
    roles = {r["key"]: r["id"] for r in kinde.list("/api/v1/roles", "roles")}
    assert roles == {"administrator": role["id"]}
    perms = kinde.list(f"/api/v1/roles/{role['id']}/permissions", "permissions")
    assert sorted(p["key"] for p in perms) == ["orders:read", "orders:write"]
    work.assert_converged(renamed)


def test_permission_key_change_keeps_the_role_link(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(permissions=PERMS, roles=[ROLE]))
    perm_id = next(p["id"] for p in kinde.list("/api/v1/permissions", "permissions") if p["key"] == "orders:read")
    renamed = cfg(permissions=[{"key": "orders:view", "name": "Read orders"}, PERMS[1]],
                  roles=[{**ROLE, "permissions": ["orders:view", "orders:write"]}],
                  moved=[{"from": "permission.orders:read", "to": "permission.orders:view"}])
    work.apply(renamed)
    perms = {p["key"]: p["id"] for p in kinde.list("/api/v1/permissions", "permissions")}
    assert perms["orders:view"] == perm_id and "orders:read" not in perms
    role = next(r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin")
    linked = kinde.list(f"/api/v1/roles/{role['id']}/permissions", "permissions")
    assert sorted(p["key"] for p in linked) == ["orders:view", "orders:write"]
    work.assert_converged(renamed)


def test_bad_moved_entries_are_one_line_errors(work: Workdir, kinde: Kinde) -> None:
    for moved, expected in (
        ([{"from": "application.old", "to": "role.web"}], "$.moved[0].to"),
        ([{"from": "application.old", "to": "application.nowhere"}], "no object in the configuration"),
        ([{"from": "application.web", "to": "application.web"}], "$.moved[0].to"),
        ([{"from": "application.old"}], '"to" is missing'),
        ([{"from": "application.old", "to": "application.web", "why": "x"}], '$.moved[0].why'),
    ):
        config = cfg(applications=[{**APP, "key": "web"}], moved=moved)
        result = work.run("validate", *work.ws_args(config))
        assert result.exit_code == 1, (moved, result.output)
        assert expected in result.stderr, (moved, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1


def test_state_mv_and_state_rm(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(applications=[APP]))
    [app_id] = app_ids(kinde)
    renamed = cfg(applications=[{**APP, "key": "web"}])
    args = work.ws_args(renamed)
    result = work.run("state", "mv", *args, "application.old", "application.web")
    assert result.exit_code == 0, result.stderr
    assert f"Moved application.old to application.web [id={app_id}]" in result.output
    assert "application.web\tmove\tok" in work.run("state", "journal", *args).output
    work.assert_converged(renamed)
    assert work.run("state", "mv", *args, "application.old", "application.x").exit_code == 1  # gone already
    assert work.run("state", "mv", *args, "application.web", "role.web").exit_code == 1  # kinds stay

    result = work.run("state", "rm", *args, "application.web")
    assert result.exit_code == 0, result.stderr
    assert "Kinde still has it" in result.output
    assert app_ids(kinde) == [app_id]  # never deleted live
    assert "application.web" not in work.run("state", "list", *args).output
    plan = work.plan(renamed)
    assert "application.web will be imported" in plan.output and "will be created" not in plan.output
    drift = work.run("drift", *work.ws_args(cfg()))
    assert "? application.web" in drift.output  # with no config and no state: unmanaged, left alone


def test_target_plans_only_the_target_and_its_dependencies(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(applications=[APP], permissions=PERMS, roles=[ROLE]))
    changed = cfg(applications=[{**APP, "name": "Web 2"}],
                  permissions=[*PERMS, {"key": "orders:refund", "name": "Refund"}],
                  roles=[{**ROLE, "permissions": [*ROLE["permissions"], "orders:refund"]}])
    args = work.ws_args(changed)
    plan = work.run("plan", *args, "--target", "role.admin", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output + plan.stderr
    assert "this plan is partial (--target role.admin)" in plan.output
    assert "role.admin will be updated in-place" in plan.output
    assert "permission.orders:refund will be created" in plan.output  # a dependency
    assert "application.old" not in plan.output
    result = work.run("apply", *args, "--target", "role.admin", "--auto-approve")
    assert result.exit_code == 0, result.output + result.stderr
    assert app_ids(kinde) and not app_ids(kinde, "Web 2")  # the untargeted change is still pending
    rest = work.plan(changed)
    assert "application.old will be updated in-place" in rest.output
    assert "Plan: 0 to add, 1 to change, 0 to destroy, 0 to import." in rest.output
    assert work.run("plan", *args, "--target", "role.nope").exit_code == 1


def test_replace_forces_a_replacement(work: Workdir, kinde: Kinde) -> None:
    work.apply(cfg(permissions=PERMS))
    old = {p["key"]: p["id"] for p in kinde.list("/api/v1/permissions", "permissions")}
    args = work.ws_args(cfg(permissions=PERMS))
    plan = work.run("plan", *args, "--replace", "permission.orders:read", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert "permission.orders:read must be replaced" in plan.output
    assert "replacement requested with --replace" in plan.output
    result = work.run("apply", *args, "--replace", "permission.orders:read", "--auto-approve")
    assert result.exit_code == 0, result.output + result.stderr
    new = {p["key"]: p["id"] for p in kinde.list("/api/v1/permissions", "permissions")}
    assert new["orders:read"] != old["orders:read"] and new["orders:write"] == old["orders:write"]
    work.assert_converged(cfg(permissions=PERMS))
