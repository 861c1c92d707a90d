"""The CLI's own step outputs and job summary (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), for plan, apply and
drift, on success and on each failure reason, against the emulator over real HTTP."""
from __future__ import annotations

import json
import re

from ci_project import Project

from kinde_iac.ci.action import parse_outputs
from kinde_iac.ci.actions_files import output_lines
from kinde_iac.state import StateStore

READ_ONLY = ("read:applications read:applications_redirect_uris read:application_logout_uris read:apis "
             "read:api_scopes read:roles read:role_permissions read:role_scopes read:permissions "
             "read:environment_feature_flags read:environment_variables read:environments "
             "read:application_connections read:connections read:webhooks")


def planned_counts(project: Project, workspace: str) -> dict[str, int]:
    result = project.run("plan", "-w", workspace, "--format", "json", GITHUB_OUTPUT="", GITHUB_STEP_SUMMARY="")
    return json.loads(result.stdout)["summary"]


def test_plan_outputs_and_summary(project: Project) -> None:
    expected = planned_counts(project, "dev")
    assert expected["add"] > 3
    result = project.run("plan", "-w", "dev", "--out", "plan-dev.json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output + result.stderr
    assert project.outputs() == {
        "exitcode": "2", "changes": "true", "to_add": str(expected["add"]), "to_change": "0", "to_destroy": "0",
        "to_import": "0", "drift": "false", "plan-file": "plan-dev.json", "failure-reason": ""}
    summary = project.summary()
    # the same body a pull-request comment gets, marked with the project (this directory's name)
    assert summary.startswith("<!-- kinde-iac plan: project=acme-kinde workspaces=dev -->\n")
    assert f"**Plan: {expected['add']} to add, 0 to change, 0 to destroy, 0 to import.**" in summary
    assert "pay-secret-1" not in summary + project.github_output.read_text()


def test_several_workspaces_sum_and_list_every_plan_file(project: Project) -> None:
    adds = sum(planned_counts(project, w)["add"] for w in ("dev", "staging", "prod"))
    result = project.run("plan", "-w", "staging", "-w", "dev", "-w", "prod", "--out", "plans/plan-{workspace}.json",
                         "--detailed-exitcode")
    assert result.exit_code == 2, result.output + result.stderr
    out = project.outputs()
    assert out["to_add"] == str(adds) and out["exitcode"] == "2"
    # one plan-file per line, in the order given (a multi-line value in GitHub's delimiter form)
    assert out["plan-file"].splitlines() == ["plans/plan-staging.json", "plans/plan-dev.json", "plans/plan-prod.json"]
    assert re.search(r"^plan-file<<kinde_iac_[0-9a-f]{16}$", project.github_output.read_text(), re.MULTILINE)
    for w in ("dev", "staging", "prod"):
        assert json.loads((project.root / f"plans/plan-{w}.json").read_text())["workspace"] == w
    summary = project.summary()
    assert summary.index("`staging`: changes") < summary.index("`dev`: changes") < summary.index("`prod`: changes")


def test_one_file_for_several_workspaces_is_refused(project: Project) -> None:
    result = project.run("plan", "-w", "dev", "-w", "staging", "--out", "plan.json")
    assert result.exit_code == 1 and "{workspace}" in result.stderr
    assert project.outputs() == {"exitcode": "1", "failure-reason": "error"}
    assert "❌ kinde-iac plan failed" in project.summary()


def test_apply_then_plan_then_drift(project: Project) -> None:
    expected = planned_counts(project, "dev")
    applied = project.run("apply", "-w", "dev", "--auto-approve")
    assert applied.exit_code == 0, applied.output + applied.stderr
    assert project.outputs() == {"exitcode": "0", "changes": "true", "to_add": str(expected["add"]), "to_change": "0",
                                 "to_destroy": "0", "to_import": "0", "failure-reason": ""}
    assert "### ✅ kinde-iac apply `dev`" in project.summary()

    project.reset_ci_files()
    again = project.run("plan", "-w", "dev", "--detailed-exitcode")
    assert again.exit_code == 0
    out = project.outputs()
    assert (out["exitcode"], out["changes"], out["to_add"], out["drift"]) == ("0", "false", "0", "false")
    assert "✅ `dev`: no changes" in project.summary()

    project.reset_ci_files()
    clean = project.run("drift", "-w", "dev")
    assert clean.exit_code == 0 and project.outputs() == {"exitcode": "0", "drift": "false", "failure-reason": ""}

    from emulator_client import ApiClient, fetch_token
    api = ApiClient(project.emulator.url, fetch_token(project.emulator.url, *project.emulator.credentials("development")))
    role = next(r for r in api.walk("/api/v1/roles", "roles", page_size=500) if r["key"] == "admin")
    api.call("PATCH", f"/api/v1/roles/{role['id']}", json={"name": "Changed in the dashboard", "key": "admin"})
    project.reset_ci_files()
    drifted = project.run("drift", "-w", "dev")
    assert drifted.exit_code == 2
    assert project.outputs() == {"exitcode": "2", "drift": "true", "failure-reason": ""}
    assert "⚠️ Drift found in `dev`" in project.summary()
    project.reset_ci_files()
    plan = project.run("plan", "-w", "dev", "--detailed-exitcode")
    assert plan.exit_code == 2 and project.outputs()["drift"] == "true"


def test_failure_reasons(project: Project) -> None:
    # plan-changed: a saved plan made stale by another apply
    assert project.run("plan", "-w", "dev", "--out", "plan-dev.json").exit_code == 0
    assert project.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    project.reset_ci_files()
    stale = project.run("apply", "plan-dev.json")
    assert stale.exit_code == 1
    assert project.outputs() == {"exitcode": "1", "failure-reason": "plan-changed"}
    assert "❌ kinde-iac apply failed" in project.summary() and "refusing" in project.summary()

    # state-locked: another run holds the lock
    store = StateStore.open(project.root / "state" / "dev.db", workspace="dev")
    lock = store.acquire_lock("apply", who="someone else")
    try:
        project.reset_ci_files()
        locked = project.run("apply", "-w", "dev", "--auto-approve")
        assert locked.exit_code == 1
        assert project.outputs() == {"exitcode": "1", "failure-reason": "state-locked"}
    finally:
        store.release_lock(lock.id)
        store.close()

    # apply-failed: the token may read but not write, so every step fails at Kinde
    project.edit("dev", lambda c: c.setdefault("permissions", []).append({"key": "extra:perm", "name": "Extra"}))
    project.reset_ci_files()
    failed = project.run("apply", "-w", "dev", "--auto-approve", KINDE_SCOPES_DEV=READ_ONLY)
    assert failed.exit_code == 1
    out = project.outputs()
    assert (out["exitcode"], out["failure-reason"], out["to_add"]) == ("1", "apply-failed", "0")
    assert "❌ kinde-iac apply `dev` failed" in project.summary() and "permission.extra:perm" in project.summary()


def test_no_files_no_outputs(project: Project) -> None:
    result = project.run("plan", "-w", "dev", GITHUB_OUTPUT="", GITHUB_STEP_SUMMARY="")
    assert result.exit_code == 0
    assert not project.github_output.exists() and not project.step_summary.exists()


def test_output_values_cannot_forge_other_outputs() -> None:
    text = output_lines({"plan-file": "a.json\nexitcode=0", "exitcode": "2"})
    assert parse_outputs(text) == {"plan-file": "a.json\nexitcode=0", "exitcode": "2"}
