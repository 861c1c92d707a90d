"""The GitHub Action end to end: action.yml's steps run as a runner runs them (inputs as env), kinde-iac
installed from the Action's own checkout into a fresh venv without any download, against the emulator
and a fake GitHub on 127.0.0.1: outputs, job summary, one comment edited in place, apply of the saved
plans, and drift issues."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from action_runner import Action, ActionRun
from ci_project import TOKEN, Project, reset
from fake_forge import FakeForge
from offline_venv import OFFLINE_PIP, copy_source, fresh_venv
from test_ci_github import rename_role

from kinde_iac.emulator.server import RunningEmulator


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Action's checkout (``github.action_path``)."""
    return copy_source(tmp_path_factory.mktemp("action") / "kinde-iac")


@pytest.fixture
def runner(tmp_path: Path, checkout: Path, ci_emulator: RunningEmulator, forge: FakeForge) -> Iterator[Runner]:
    reset(ci_emulator)
    yield Runner(tmp_path, checkout, ci_emulator, forge)


class Runner:
    """One workflow job: a repository checkout holding the project in ``acme-kinde/``."""

    def __init__(self, tmp: Path, checkout: Path, emulator: RunningEmulator, forge: FakeForge) -> None:
        self.repo = tmp / "repo"
        self.project = Project(self.repo / "acme-kinde", emulator)
        self.forge = forge
        self.temp = tmp / "runner-temp"
        self.temp.mkdir()
        self.bin = fresh_venv(tmp / "python")
        self.action = Action(checkout / "action.yml", {"action_path": str(checkout), "token": TOKEN})
        self.summary = tmp / "step-summary.md"

    def event(self, pr: int | None) -> str:
        path = self.temp / f"event-{pr}.json"
        path.write_text(json.dumps({"pull_request": {"number": pr}} if pr else {"ref": "refs/heads/main"}))
        return str(path)

    def run(self, pr: int | None = 12, **inputs: str) -> ActionRun:
        env = {**self.project.env(), **OFFLINE_PIP, "PATH": f"{self.bin}:/usr/bin:/bin",
               "RUNNER_TEMP": str(self.temp), "GITHUB_STEP_SUMMARY": str(self.summary),
               "GITHUB_EVENT_PATH": self.event(pr), "GITHUB_REPOSITORY": "acme/infra",
               "GITHUB_API_URL": self.forge.github_api, "GITHUB_SERVER_URL": "https://github.example",
               "GITHUB_RUN_ID": "4242"}
        env.pop("GITHUB_OUTPUT")
        return self.action.run({"working-directory": "acme-kinde", **inputs}, env, self.repo, self.temp)


def plan_comments(forge: FakeForge, pr: int = 12) -> list[dict]:
    return [c for c in forge.comments.get(pr, []) if "kinde-iac plan" in c["body"]]


def test_plan_comment_apply_and_drift_through_the_action(runner: Runner) -> None:
    forge, project = runner.forge, runner.project
    wrong = {"KINDE_CLIENT_SECRET_PROD": "not-the-secret"}
    project.env = lambda **extra: Project.env(project, **{**wrong, **extra})  # type: ignore[method-assign]

    first = runner.run(command="plan", workspaces="dev, staging\nprod")
    install = first.steps[0]
    assert install.id == "install" and install.returncode == 0, first.log()
    assert "kinde-iac 0.1.0" in install.stdout
    run = first.steps[1]
    assert run.returncode == 1, first.log()          # prod could not be planned
    out = first.outputs
    assert (out["exitcode"], out["failure-reason"], out["changes"], out["drift"]) == ("1", "error", "true", "false")
    temp = runner.temp / "kinde-iac-plans"
    assert out["plan-file"].splitlines() == [str(temp / "plan-dev.json"), str(temp / "plan-staging.json")]
    assert "::error title=kinde-iac plan prod::" in run.stdout
    [comment] = plan_comments(forge)
    body = comment["body"]
    assert body.startswith("<!-- kinde-iac plan: project=acme-kinde workspaces=dev,prod,staging -->")
    assert body.index("`dev`: changes") < body.index("`staging`: changes") < body.index("### ❌ `prod`: plan failed")
    assert "401" in body[body.index("### ❌ `prod`"):]
    dev_add = json.loads((temp / "plan-dev.json").read_text())["summary"]["add"]
    staging_add = json.loads((temp / "plan-staging.json").read_text())["summary"]["add"]
    assert out["to_add"] == str(dev_add + staging_add)

    wrong.clear()
    second = runner.run(command="plan", workspaces="dev staging prod")
    assert second.failed is None, second.log()
    prod_add = json.loads((temp / "plan-prod.json").read_text())["summary"]["add"]
    assert second.outputs["exitcode"] == "2" and second.outputs["to_add"] == str(dev_add + staging_add + prod_add)
    assert second.outputs["failure-reason"] == "" and len(second.outputs["plan-file"].splitlines()) == 3
    assert [c["id"] for c in plan_comments(forge)] == [comment["id"]]   # edited in place
    assert "plan failed" not in comment["body"] and "**3 workspaces: 3 with changes**" in comment["body"]
    summary = runner.summary.read_text()
    assert summary.count("<!-- kinde-iac plan: project=acme-kinde workspaces=dev -->") == 2
    assert "❌ kinde-iac plan failed" in summary

    # The saved plans, in order. Feature flag definitions are business-wide: dev's apply creates the
    # flag, so staging's plan (made when it did not exist) is stale and apply stops there.
    applied = runner.run(command="apply", workspaces="dev staging prod", **{"plan-dir": str(temp)})
    assert applied.steps[1].returncode == 1, applied.log()
    assert "Applying the saved plan" in applied.steps[1].stdout
    assert (applied.outputs["exitcode"], applied.outputs["failure-reason"]) == ("1", "plan-changed")
    assert applied.outputs["to_add"] == str(dev_add)
    assert "::error::apply stopped at staging; not attempted: prod" in applied.steps[1].stdout
    assert Path(applied.outputs["secrets-dir"]).is_dir()
    rest = runner.run(command="apply", workspaces="staging prod")
    assert rest.failed is None, rest.log()
    assert (rest.outputs["exitcode"], rest.outputs["failure-reason"], rest.outputs["changes"]) == ("0", "", "true")

    # nothing to say on a new pull request: no comment; the existing one still tells the truth
    quiet = runner.run(pr=13, command="plan", workspaces="dev staging prod", comment="changes-only")
    assert quiet.failed is None and quiet.outputs["exitcode"] == "0" and quiet.outputs["changes"] == "false"
    assert plan_comments(forge, 13) == []
    runner.run(command="plan", workspaces="dev staging prod", comment="changes-only")
    assert "**3 workspaces: 3 with no changes**" in comment["body"]
    writes = len(forge.writes())
    assert runner.run(pr=None, command="plan", workspaces="dev").failed is None
    assert len(forge.writes()) == writes   # a push to main: no pull request, no comment

    rename_role(project, "Renamed in the dashboard")
    drift = runner.run(command="drift", workspaces="dev staging")
    assert drift.steps[1].returncode == 2, drift.log()   # drift fails the step: the run's alert
    assert drift.outputs["drift"] == "true" and drift.outputs["exitcode"] == "2"
    [issue] = forge.open_issues()
    assert issue["body"].startswith("<!-- kinde-iac drift: project=acme-kinde workspace=dev -->")
    assert "https://github.example/acme/infra/actions/runs/4242" in issue["body"]


def test_bad_inputs_fail_with_one_message(runner: Runner) -> None:
    result = runner.run(command="destroy", workspaces="dev")
    assert result.steps[1].returncode == 1
    assert "::error title=kinde-iac action::input command must be one of plan, apply, drift" in result.steps[1].stdout
    assert result.outputs["exitcode"] == "1" and result.outputs["failure-reason"] == "error"
    empty = runner.run(command="plan", workspaces=" ")
    assert empty.steps[1].returncode == 1 and "input workspaces is empty" in empty.steps[1].stdout
