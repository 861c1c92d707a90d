"""GitLab: `plan --format gitlab` is the Terraform MR report GitLab's parser accepts, counted as GitLab
counts a Terraform plan; `comment --gitlab` keeps one merge-request note per project, edited in place."""
from __future__ import annotations

import json

from ci_project import Project
from emulator_client import ApiClient, fetch_token
from fake_forge import FakeForge
from replacement_scenario import AFTER, BEFORE, LIVE_API, LIVE_PERMISSION

GITLAB_TOKEN = "glpat-fake"


def gitlab_parser_accepts(report: object) -> bool:
    """GitLab's Tfplan parser: the keys create, update and delete, each a count up to 999,999."""
    return (isinstance(report, dict) and {"create", "update", "delete"} <= report.keys()
            and all(isinstance(report[k], int) and 0 <= report[k] <= 999_999 for k in ("create", "update", "delete")))


def test_gitlab_report_counts_as_gitlab_counts_a_terraform_plan(project: Project) -> None:
    config = project.root / "dev.json"
    config.write_text(json.dumps(BEFORE))
    args = ["--config", str(config), "--state", str(project.root / "dev.db")]
    assert project.run("apply", *args, "--auto-approve").exit_code == 0
    api = ApiClient(project.emulator.url, fetch_token(project.emulator.url, *project.emulator.credentials("development")))
    api.call("POST", LIVE_PERMISSION[0], json=LIVE_PERMISSION[1])
    api.call("POST", LIVE_API[0], json=LIVE_API[1])
    config.write_text(json.dumps(AFTER))

    summary = json.loads(project.run("plan", *args, "--format", "json").stdout)["summary"]
    assert summary == {"add": 3, "change": 2, "destroy": 3, "import": 2}
    result = project.run("plan", *args, "--format", "gitlab", "--out", "plan.json", "--detailed-exitcode")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    # A replacement is Terraform's ["delete", "create"]: one of each. An adoption is a no-op action,
    # counted only by what else happens to the object (p3: nothing; the API: a replacement).
    assert report == {"create": 3, "update": 2, "delete": 3}
    assert gitlab_parser_accepts(report) and list(report) == ["create", "delete", "update"]
    shown = project.run("show", str(project.root / "plan.json"), "--format", "gitlab")
    assert json.loads(shown.stdout) == report

    config.write_text(json.dumps(BEFORE))
    assert project.run("apply", *args, "--auto-approve").exit_code == 0
    assert json.loads(project.run("plan", *args, "--format", "gitlab").stdout) == {"create": 0, "update": 0,
                                                                                     "delete": 0}


def test_gitlab_report_is_one_workspace(project: Project) -> None:
    result = project.run("plan", "-w", "dev", "-w", "staging", "--format", "gitlab")
    assert result.exit_code == 1 and "one report per job" in result.stderr


def test_merge_request_note_is_created_once_then_edited(project: Project, forge: FakeForge) -> None:
    forge.notes[7] = [{"id": n, "body": f"review {n}", "system": False} for n in range(1, 4)] + [
        {"id": 4, "body": "<!-- kinde-iac plan: project=acme-kinde workspaces=dev -->\nquoted by GitLab", "system": True},
        {"id": 5, "body": "<!-- kinde-iac plan: project=other workspaces=dev -->\nanother project's plan",
         "system": False}]
    env = {"CI_API_V4_URL": forge.gitlab_api, "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7",
           "GITLAB_TOKEN": GITLAB_TOKEN}
    body = project.run("plan", "-w", "dev", "--format", "markdown").stdout
    (project.root / "body.md").write_text(body)
    first = project.run("comment", "--gitlab", "--body-file", "body.md", **env)
    assert first.exit_code == 0, first.output + first.stderr
    assert forge.writes() == [("POST", "/api/v4/projects/42/merge_requests/7/notes")]
    note = forge.notes[7][-1]
    assert f"Note {note['id']} created on 42!7" in first.output and note["body"] == body
    assert all(c.headers.get("Private-Token") == GITLAB_TOKEN for c in forge.calls)

    assert project.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    body2 = project.run("plan", "-w", "dev", "--format", "markdown").stdout
    (project.root / "body.md").write_text(body2)
    second = project.run("comment", "--gitlab", "--body-file", "body.md", **env)
    assert second.exit_code == 0 and f"Note {note['id']} updated" in second.output
    assert forge.writes()[-1] == ("PUT", f"/api/v4/projects/42/merge_requests/7/notes/{note['id']}")
    assert len(forge.notes[7]) == 6 and "no changes" in forge.notes[7][-1]["body"]
    assert forge.notes[7][3]["body"].endswith("quoted by GitLab") and forge.notes[7][4]["body"].endswith("plan")
    assert GITLAB_TOKEN not in first.output + second.output


def test_gitlab_errors_are_one_line_without_the_token(project: Project, forge: FakeForge) -> None:
    env = {"CI_API_V4_URL": forge.gitlab_api, "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7",
           "GITLAB_TOKEN": "glpat-wrong"}
    result = project.run("comment", "--gitlab", **env)
    assert result.exit_code == 1 and "HTTP 401" in result.stderr and "GITLAB_TOKEN" in result.stderr
    assert "glpat-wrong" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    missing = project.run("comment", "--gitlab", **{**env, "CI_MERGE_REQUEST_IID": ""})
    assert missing.exit_code == 1 and "merge request pipeline" in missing.stderr
