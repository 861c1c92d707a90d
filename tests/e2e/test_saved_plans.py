"""Saved plans (plan --out, apply FILE, show) and the pull-request comment, through the real CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from e2e_harness import Kinde, Workdir

CONFIG = {"kinde": {"environment": "development"},
          "permissions": [{"key": "p1", "name": "P1"}, {"key": "p2", "name": "P2"}],
          "roles": [{"key": "admin", "name": "Admin", "permissions": ["p1"]}],
          "env_vars": [{"key": "TOKEN", "value": "${env:TOKEN}", "is_secret": True}]}
SENTINEL = {"TOKEN": "SENTINEL-saved-plan-secret-4711"}


def save_plan(work: Workdir, config: dict, name: str = "plan.json", ws: str = "dev") -> str:
    path = str(work.root / name)
    result = work.run("plan", *work.ws_args(config, ws), "--out", path, env=SENTINEL)
    assert result.exit_code == 0, result.output + result.stderr
    return path


def apply_file(work: Workdir, path: str, ws: str = "dev", **env: str) -> object:
    return work.run("apply", path, "--config", str(work.root / f"{ws}.json"), "--state", str(work.root / f"{ws}.db"),
                    env={**SENTINEL, **env})


def test_fresh_saved_plan_applies_exactly_and_converges(work: Workdir, kinde: Kinde) -> None:
    path = save_plan(work, CONFIG)
    text = Path(path).read_text()
    assert "SENTINEL" not in text and kinde.env()["KINDE_CLIENT_SECRET"] not in text
    doc = json.loads(text)
    assert {c["address"] for c in doc["resource_changes"]} >= {"permission.p1", "role.admin", "env_var.TOKEN"}
    shown = work.run("show", path, "--format", "markdown")
    assert shown.exit_code == 0 and "<!-- kinde-iac plan" in shown.output and "SENTINEL" not in shown.output
    result = apply_file(work, path)
    assert result.exit_code == 0, result.output + result.stderr
    assert "Applying the saved plan" in result.output and "SENTINEL" not in result.output
    work.assert_converged(CONFIG, **SENTINEL)


def test_stale_plan_refused_when_a_touched_object_changed_live(work: Workdir, kinde: Kinde) -> None:
    work.apply(CONFIG, **SENTINEL)
    changed = json.loads(json.dumps(CONFIG))
    changed["roles"][0]["name"] = "Administrators"
    path = save_plan(work, changed)
    role = next(r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin")
    kinde.call("PATCH", f"/api/v1/roles/{role['id']}", json={"key": "admin", "name": "Someone else"})
    result = apply_file(work, path)
    assert result.exit_code == 1
    assert "role.admin changed in Kinde since the plan was made" in result.stderr
    assert 'name: "Admin" -> "Someone else"' in result.stderr
    assert next(r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "admin")["name"] == "Someone else"


def test_stale_plan_refused_when_the_state_serial_moved(work: Workdir, kinde: Kinde) -> None:
    work.apply(CONFIG, **SENTINEL)
    changed = {**CONFIG, "permissions": [*CONFIG["permissions"], {"key": "p3", "name": "P3"}]}
    path = save_plan(work, changed)
    work.apply({**CONFIG, "permissions": [*CONFIG["permissions"], {"key": "p4", "name": "P4"}]}, **SENTINEL)
    work.write("dev.json", changed)
    result = apply_file(work, path)
    assert result.exit_code == 1 and "state changed since the plan was made (serial" in result.stderr


def test_stale_plan_refused_for_another_workspace(work: Workdir, kinde: Kinde) -> None:
    path = save_plan(work, CONFIG)
    staging = {**CONFIG, "kinde": {"environment": "staging"}}
    work.write("staging.json", staging)
    result = work.run("apply", path, "--config", str(work.root / "staging.json"),
                      "--state", str(work.root / "staging.db"), code="staging", env=SENTINEL)
    assert result.exit_code == 1 and "for workspace 'dev', not 'staging'" in result.stderr
    result = work.run("apply", path, "--workspace", "staging", env=SENTINEL)
    assert result.exit_code == 1 and "for workspace 'dev', not 'staging'" in result.stderr


def test_stale_plan_refused_when_the_config_changed(work: Workdir, kinde: Kinde) -> None:
    path = save_plan(work, CONFIG)
    work.write("dev.json", {**CONFIG, "permissions": CONFIG["permissions"][:1]})
    result = apply_file(work, path)
    assert result.exit_code == 1 and "configuration changed since the plan was made" in result.stderr


def test_malformed_plan_file_is_a_clear_error(work: Workdir, kinde: Kinde) -> None:
    bad = work.root / "bad.json"
    bad.write_text('{"format_version": "1"}')
    result = work.run("apply", str(bad), "--config", str(work.write("dev.json", CONFIG)))
    assert result.exit_code == 1 and "bad.json" in result.stderr and "Traceback" not in result.stderr


def test_plan_formats_and_several_workspaces(work: Workdir, kinde: Kinde, monkeypatch: pytest.MonkeyPatch) -> None:
    one = work.run("plan", *work.ws_args(CONFIG), "--format", "json", env=SENTINEL)
    assert one.exit_code == 0 and json.loads(one.output)["summary"]["add"] == 4
    md = work.run("plan", *work.ws_args(CONFIG), "--format", "markdown", env=SENTINEL)
    assert md.exit_code == 0 and "Plan: 4 to add" in md.output
    for out in (one.output, md.output):
        assert "SENTINEL" not in out

    # one comment body for two workspaces, each planned with its own environment's credentials
    monkeypatch.chdir(work.root)
    (work.root / "environments").mkdir()
    work.write("environments/dev.json", CONFIG)
    work.write("environments/staging.json", {**CONFIG, "kinde": {"environment": "staging"}})
    staging_id, staging_secret = kinde.emulator.credentials("staging")
    both = work.run("plan", "--workspace", "dev", "--workspace", "staging", "--format", "markdown",
                    "--detailed-exitcode",
                    env={**SENTINEL, "KINDE_CLIENT_ID_STAGING": staging_id, "KINDE_CLIENT_SECRET_STAGING": staging_secret})
    assert both.exit_code == 2, both.output + both.stderr
    assert "`dev`" in both.output and "`staging`" in both.output and "SENTINEL" not in both.output


@responses.activate
def test_comment_creates_once_then_edits_in_place(work: Workdir, kinde: Kinde, tmp_path: object) -> None:
    responses.add_passthru(kinde.url)
    api = "https://api.github.com/repos/acme/infra/issues"
    body = work.root / "body.md"
    result = work.run("plan", *work.ws_args(CONFIG), "--format", "markdown", env=SENTINEL)
    body.write_text(result.output)
    responses.get(f"{api}/7/comments", json=[{"id": 1, "body": "LGTM"}])
    responses.post(f"{api}/7/comments", json={"id": 99, "body": result.output}, status=201)
    env = {"GITHUB_TOKEN": "ghp_SENTINELTOKEN", "GITHUB_REPOSITORY": "acme/infra"}
    first = work.run("comment", "--body-file", str(body), "--pr", "7", env=env)
    assert first.exit_code == 0, first.output + first.stderr
    assert "Comment 99 created on acme/infra#7" in first.output
    responses.replace(responses.GET, f"{api}/7/comments", json=[{"id": 1, "body": "LGTM"},
                                                              {"id": 99, "body": result.output}])
    responses.patch(f"{api}/comments/99", json={"id": 99})
    second = work.run("comment", "--body-file", str(body), "--pr", "7", env=env)
    assert second.exit_code == 0 and "Comment 99 updated" in second.output
    github_calls = [(c.request.method, c.request.url) for c in responses.calls if "api.github.com" in c.request.url]
    assert [m for m, _ in github_calls] == ["GET", "POST", "GET", "PATCH"]
    assert all("ghp_SENTINELTOKEN" not in line for line in first.output.splitlines() + second.output.splitlines())


@pytest.mark.parametrize("missing", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_comment_without_github_settings_is_a_clear_error(work: Workdir, kinde: Kinde, missing: str) -> None:
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "acme/infra", missing: ""}
    result = work.run("comment", "--pr", "1", env=env, input="body")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert missing in result.stderr or "repository" in result.stderr
