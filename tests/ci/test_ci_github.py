"""GitHub, through GITHUB_API_URL (a GitHub Enterprise Server address) on a fake API on 127.0.0.1: one
comment per project edited in place, sections in the order given with a missing workspace shown as
failed, and the drift issue's lifecycle (open, update, close)."""
from __future__ import annotations

import json
from pathlib import Path

from ci_project import TOKEN, Project
from emulator_client import ApiClient, fetch_token
from fake_forge import FakeForge

from kinde_iac.ci.saved_plans import MISSING


def github_env(forge: FakeForge, tmp: Path, pr: int = 12) -> dict[str, str]:
    event = tmp / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": pr}}))
    return {"GITHUB_API_URL": forge.github_api, "GITHUB_REPOSITORY": "acme/infra", "GITHUB_TOKEN": TOKEN,
            "GITHUB_EVENT_PATH": str(event), "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_RUN_ID": "777"}


def comment(project: Project, forge: FakeForge, *args: str) -> str:
    body = project.run("plan", *args, "--format", "markdown").stdout
    (project.root / "body.md").write_text(body)
    result = project.run("comment", "--body-file", "body.md", **github_env(forge, project.root))
    assert result.exit_code == 0, result.output + result.stderr
    assert TOKEN not in result.output + result.stderr
    return body


def test_one_comment_per_project_edited_in_place(project: Project, forge: FakeForge, tmp_path: Path) -> None:
    other = Project(tmp_path / "billing-kinde", project.emulator)
    forge.comments[12] = [{"id": n, "body": f"chatter {n}"} for n in range(1, 6)]  # several pages
    comment(project, forge, "-w", "dev")
    comment(other, forge, "-w", "staging")
    ours = [c for c in forge.comments[12] if "kinde-iac plan" in c["body"]]
    assert len(ours) == 2
    assert ours[0]["body"].startswith("<!-- kinde-iac plan: project=acme-kinde workspaces=dev -->")
    assert ours[1]["body"].startswith("<!-- kinde-iac plan: project=billing-kinde workspaces=staging -->")
    assert "## kinde-iac plan for `acme-kinde`" in ours[0]["body"]

    # the next push plans other workspaces: still the same comment of each project
    comment(project, forge, "-w", "prod", "-w", "dev")
    comment(other, forge, "-w", "staging")
    assert [c["id"] for c in forge.comments[12] if "kinde-iac plan" in c["body"]] == [c["id"] for c in ours]
    assert ours[0]["body"].startswith("<!-- kinde-iac plan: project=acme-kinde workspaces=dev,prod -->")
    assert forge.writes() == [("POST", "/api/v3/repos/acme/infra/issues/12/comments")] * 2 + [
        ("PATCH", f"/api/v3/repos/acme/infra/issues/comments/{ours[0]['id']}"),
        ("PATCH", f"/api/v3/repos/acme/infra/issues/comments/{ours[1]['id']}")]
    # every call went to GITHUB_API_URL with the token, and walked the pages
    assert all(c.path.startswith("/api/v3/") and c.headers["Authorization"] == f"Bearer {TOKEN}" for c in forge.calls)
    assert any(c.query.get("page") == "3" for c in forge.calls)


def test_sections_in_the_order_given_and_missing_ones_failed(project: Project, forge: FakeForge) -> None:
    body = project.run("plan", "-w", "prod", "-w", "dev", "-w", "staging", "--format", "markdown").stdout
    assert body.index("`prod`") < body.index("`dev`") < body.index("`staging`")

    # per-job artifacts: prod's plan job failed, so only dev and staging saved a plan
    for w in ("staging", "dev"):
        assert project.run("plan", "-w", w, "--out", f"plans/plan-{w}.json").exit_code == 0
    shown = project.run("show", "plans", "-w", "dev", "-w", "staging", "-w", "prod", "--format", "markdown")
    assert shown.exit_code == 0
    text = shown.stdout
    assert text.index("`dev`: changes") < text.index("`staging`: changes") < text.index("### ❌ `prod`: plan failed")
    assert MISSING in text and "**3 workspaces: 2 with changes, 1 failed**" in text

    # no artifact arrived at all: every workspace shows as failed, and the comment can still be posted
    none = project.run("show", "missing-dir", "-w", "dev", "-w", "prod", "--format", "markdown")
    assert none.exit_code == 0 and none.stdout.count("plan failed") == 2
    assert project.run("show", "missing-dir", "--format", "markdown").exit_code == 1

    # text output of a missing workspace is an error
    assert project.run("show", "plans", "-w", "prod").exit_code == 1


def test_changes_only_never_creates_but_still_updates(project: Project, forge: FakeForge) -> None:
    env = github_env(forge, project.root)
    (project.root / "quiet.md").write_text("<!-- kinde-iac plan: project=acme-kinde workspaces=dev -->\nno changes\n")
    skipped = project.run("comment", "--body-file", "quiet.md", "--update-only", **env)
    assert skipped.exit_code == 0 and "No comment" in skipped.output and forge.writes() == []
    comment(project, forge, "-w", "dev")
    updated = project.run("comment", "--body-file", "quiet.md", "--update-only", **env)
    assert "updated" in updated.output and forge.comments[12][-1]["body"].endswith("no changes\n")


def rename_role(project: Project, name: str) -> None:
    api = ApiClient(project.emulator.url, fetch_token(project.emulator.url, *project.emulator.credentials("development")))
    role = next(r for r in api.walk("/api/v1/roles", "roles", page_size=500) if r["key"] == "admin")
    api.call("PATCH", f"/api/v1/roles/{role['id']}", json={"name": name, "key": "admin"})


def test_drift_issue_lifecycle(project: Project, forge: FakeForge) -> None:
    env = github_env(forge, project.root)
    # noise the lookup must skip: a pull request and another project's issue for the same workspace
    forge.issues += [
        {"number": 1, "title": "PR", "body": "<!-- kinde-iac drift: project=acme-kinde workspace=dev -->",
         "state": "open", "labels": [{"name": "kinde-iac-drift"}], "pull_request": {"url": "u"}},
        {"number": 2, "title": "other", "body": "<!-- kinde-iac drift: project=billing-kinde workspace=dev -->",
         "state": "open", "labels": [{"name": "kinde-iac-drift"}]}]
    assert project.run("apply", "-w", "dev", "--auto-approve").exit_code == 0

    in_sync = project.run("drift", "-w", "dev", "--github-issue", **env)
    assert in_sync.exit_code == 0 and "No drift issue" in in_sync.stderr and forge.writes() == []

    rename_role(project, "Renamed in the dashboard")
    opened = project.run("drift", "-w", "dev", "--github-issue", **env)
    assert opened.exit_code == 2 and "Drift issue acme/infra#3 opened." in opened.stderr
    assert forge.writes() == [("POST", "/api/v3/repos/acme/infra/labels"), ("POST", "/api/v3/repos/acme/infra/issues")]
    issue = forge.issues[-1]
    assert issue["labels"] == [{"name": "kinde-iac-drift"}]
    assert issue["title"] == "kinde-iac drift in workspace dev (acme-kinde)"
    assert issue["body"].startswith("<!-- kinde-iac drift: project=acme-kinde workspace=dev -->\n")
    assert issue["body"].count("<!-- kinde-iac drift") == 1
    assert "Renamed in the dashboard" in issue["body"]
    assert "https://github.example/acme/infra/actions/runs/777" in issue["body"]

    rename_role(project, "Renamed again")
    before = len(forge.writes())
    updated = project.run("drift", "-w", "dev", "--github-issue", **env)
    assert updated.exit_code == 2 and "#3 updated" in updated.stderr
    assert forge.writes()[before:] == [("PATCH", "/api/v3/repos/acme/infra/issues/3")]
    assert "Renamed again" in issue["body"] and len(forge.open_issues()) == 2

    assert project.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    before = len(forge.writes())
    closed = project.run("drift", "-w", "dev", "--github-issue", **env)
    assert closed.exit_code == 0 and "#3 closed" in closed.stderr
    assert forge.writes()[before:] == [("POST", "/api/v3/repos/acme/infra/issues/3/comments"),
                                       ("PATCH", "/api/v3/repos/acme/infra/issues/3")]
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert "in sync" in forge.issue_comments[3][0]
    # the other project's issue and the pull request were never touched
    assert [i["number"] for i in forge.open_issues()] == [2]

    # drift found again later: a new issue (the closed one is history)
    rename_role(project, "Third time")
    again = project.run("drift", "-w", "dev", "--github-issue", **env)
    assert again.exit_code == 2 and "#4 opened" in again.stderr
    assert forge.writes()[-1] == ("POST", "/api/v3/repos/acme/infra/issues")  # the label exists now


def test_drift_issue_errors(project: Project, forge: FakeForge) -> None:
    env = {**github_env(forge, project.root), "GITHUB_TOKEN": "ghs_wrong_token"}
    assert project.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    rename_role(project, "Drifted")
    result = project.run("drift", "-w", "dev", "--github-issue", **env)
    assert result.exit_code == 1 and "HTTP 401" in result.stderr and "ghs_wrong_token" not in result.stderr
    assert project.outputs()["exitcode"] == "1"
    no_repo = project.run("drift", "-w", "dev", "--github-issue", **{**env, "GITHUB_REPOSITORY": ""})
    assert no_repo.exit_code == 1 and "GITHUB_REPOSITORY" in no_repo.stderr
