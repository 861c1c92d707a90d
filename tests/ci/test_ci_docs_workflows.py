"""Every workflow in the docs is parsed, and its kinde-iac command lines run against the emulator and a
fake GitHub/GitLab on 127.0.0.1, job by job, as a runner would run them (matrix expanded, workflow,
job and step env merged, expressions evaluated). Steps that use the Action are checked against
action.yml's inputs and outputs (test_ci_action.py runs the Action itself). `pip install` is a stand-in
that accepts only the version this repository builds, so the docs pin a real release."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from ci_project import ENVIRONMENTS, REPO, TOKEN, Project
from fake_forge import FakeForge

DOCS = ("docs/ci.md", "docs/drift.md", "README.md")
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
VERSION = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.MULTILINE).group(1)  # type: ignore[union-attr]


def yaml_blocks() -> list[tuple[str, int, Any]]:
    blocks = []
    for doc in DOCS:
        text = (REPO / doc).read_text()
        for match in re.finditer(r"^```yaml\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
            line = text[: match.start()].count("\n") + 1
            blocks.append((doc, line, yaml.safe_load(match.group(1))))
    return blocks


def is_action(step: dict[str, Any]) -> bool:
    return "uses" in step and re.match(r"[\w.-]+/kinde-iac@", step["uses"]) is not None


def check_action_step(step: dict[str, Any], where: str) -> None:
    given = set(step.get("with") or {})
    assert given <= set(ACTION["inputs"]), f"{where}: not inputs of the Action: {given - set(ACTION['inputs'])}"
    required = {n for n, s in ACTION["inputs"].items() if s.get("required") and "default" not in s}
    assert required <= given, f"{where}: the Action needs {required - given}"
    command = (step.get("with") or {}).get("command", "plan")
    assert command in ("plan", "apply", "drift"), where


def check_output_references(block: Any, where: str) -> None:
    """``steps.ID.outputs.NAME`` of an Action step names an output the Action declares."""
    steps = [s for job in (block.get("jobs") or {}).values() for s in job.get("steps", [])] \
        if isinstance(block, dict) else []
    action_ids = {s["id"] for s in steps if is_action(s) and "id" in s}
    for ref_id, name in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", json.dumps(block)):
        if ref_id in action_ids:
            assert name in ACTION["outputs"], f"{where}: the Action has no output {name}"


class Job:
    """Runs one job's kinde-iac scripts."""

    def __init__(self, project: Project, forge: FakeForge, bin_dir: Path, workspace: str) -> None:
        self.project = project
        self.forge = forge
        self.bin_dir = bin_dir
        self.workspace = workspace

    def secret(self, name: str) -> str | None:
        if name in ("GITHUB_TOKEN",):
            return TOKEN
        if name == "KINDE_IAC_STATE":
            # Where state lives is docs/state.md's business; here every job shares the project
            # directory's state files, as jobs share the PostgreSQL state.
            return None
        if name == "PAYMENTS_API_KEY":
            return "pay-secret-1"
        found = re.fullmatch(r"KINDE_CLIENT_(ID|SECRET)(?:_(\w+))?", name)
        assert found, f"a secret the docs test does not know: {name}"
        workspace = (found.group(2) or self.workspace).lower()
        client_id, secret = self.project.emulator.credentials(ENVIRONMENTS[workspace])
        return client_id if found.group(1) == "ID" else secret

    def evaluate(self, text: str) -> str | None:
        missing = False

        def value(match: re.Match[str]) -> str:
            nonlocal missing
            expr = match.group(1)
            if expr == "matrix.workspace":
                return self.workspace
            if expr == "github.token":
                return TOKEN
            if m := re.fullmatch(r"secrets\.(\w+)", expr):
                found = self.secret(m.group(1))
                missing = missing or found is None
                return found or ""
            raise AssertionError(f"an expression the docs test does not know: {expr}")
        out = EXPRESSION.sub(value, str(text))
        return None if missing else out

    def env(self, *layers: dict[str, Any] | None) -> dict[str, str]:
        event = self.project.root / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": 5}}))
        env = {**self.project.env(), "PATH": f"{self.bin_dir}:/usr/bin:/bin",
               "GITHUB_API_URL": self.forge.github_api, "GITHUB_REPOSITORY": "acme/infra",
               "GITHUB_EVENT_PATH": str(event), "RUNNER_TEMP": str(self.project.root / "runner-temp"),
               "CI_API_V4_URL": self.forge.gitlab_api, "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "5",
               "GITLAB_TOKEN": self.forge.gitlab_token}
        for workspace in ENVIRONMENTS:   # only what the workflow gives a job reaches Kinde
            env.pop(f"KINDE_CLIENT_ID_{workspace.upper()}")
            env.pop(f"KINDE_CLIENT_SECRET_{workspace.upper()}")
        for layer in layers:
            for key, raw in (layer or {}).items():
                value = self.evaluate(str(raw))
                if value is not None:
                    env[key] = value
        return env

    def run(self, script: str, env: dict[str, str], where: str) -> None:
        evaluated = self.evaluate(script)
        assert evaluated is not None, where
        (self.project.root / "runner-temp").mkdir(exist_ok=True)
        result = self.project.shell(evaluated, env)
        assert result.returncode == 0, f"{where} ({self.workspace}):\n{evaluated}\n{result.stdout}\n{result.stderr}"


def run_github_workflow(block: dict[str, Any], where: str, project: Project, forge: FakeForge,
                        bin_dir: Path) -> int:
    ran = 0
    for name, job in block["jobs"].items():
        matrix = ((job.get("strategy") or {}).get("matrix") or {}).get("workspace") or ["dev"]
        for workspace in matrix:
            runner = Job(project, forge, bin_dir, workspace)
            for step in job.get("steps", []):
                if is_action(step):
                    check_action_step(step, where)
                if "kinde-iac" in str(step.get("run", "")):
                    runner.run(step["run"], runner.env(block.get("env"), job.get("env"), step.get("env")),
                               f"{where} job {name}")
                    ran += 1
    return ran


def run_gitlab_pipeline(block: dict[str, Any], where: str, project: Project, forge: FakeForge,
                        bin_dir: Path) -> int:
    ran = 0
    for name, job in block.items():
        if name.startswith(".") or not isinstance(job, dict) or "extends" not in job and "script" not in job:
            continue
        merged = {**block.get(job.get("extends", ""), {}), **job}
        merged["variables"] = {**block.get(job.get("extends", ""), {}).get("variables", {}), **job.get("variables", {})}
        runner = Job(project, forge, bin_dir, merged["variables"].get("W", "dev"))
        # What docs/ci.md says to set as masked CI/CD variables in the project's settings.
        settings = {"KINDE_CLIENT_ID": runner.secret("KINDE_CLIENT_ID"),
                    "KINDE_CLIENT_SECRET": runner.secret("KINDE_CLIENT_SECRET"), "PAYMENTS_API_KEY": "pay-secret-1"}
        env = runner.env(settings, block.get("variables"), merged["variables"])
        for line in [*merged.get("before_script", []), *merged["script"]]:
            runner.run(line, env, f"{where} job {name}")
            ran += 1
    return ran


@pytest.fixture
def pip_stand_in(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "ci-bin"
    bin_dir.mkdir()
    pip = bin_dir / "pip"
    pip.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        # kinde-iac is already installed here; the docs must name the release this repository builds.
        [ "$*" = "install kinde-iac=={VERSION}" ] || {{ echo "docs install something else: $*" >&2; exit 1; }}
        """))
    pip.chmod(0o755)
    return bin_dir


def test_every_docs_workflow_parses_and_its_kinde_iac_lines_run(project: Project, forge: FakeForge,
                                                                 pip_stand_in: Path) -> None:
    import sys

    bin_dir = pip_stand_in
    (bin_dir / "kinde-iac").symlink_to(Path(sys.executable).parent / "kinde-iac")
    blocks = yaml_blocks()
    assert len(blocks) >= 8
    ran = 0
    kinds = set()
    shared_state = project.root / "state"
    workflow_dirs = []
    for n, (doc, line, block) in enumerate(blocks):
        where = f"{doc}:{line}"
        check_output_references(block, where)
        if not isinstance(block, list):
            # Each workflow starts from a fresh checkout; state is shared, as the PostgreSQL state is.
            project = Project(project.root.parent / f"checkout-{n}" / "acme-kinde", project.emulator)
            (project.root / "state").rmdir()
            (project.root / "state").symlink_to(shared_state)
            workflow_dirs.append(project)
        if isinstance(block, dict) and "jobs" in block:
            # YAML 1.1 reads the key `on` as true
            assert block.get("on") or block.get(True), f"{where}: a workflow without triggers"
            kinds.add("github")
            ran += run_github_workflow(block, where, project, forge, bin_dir)
        elif isinstance(block, dict) and "stages" in block:
            kinds.add("gitlab")
            ran += run_gitlab_pipeline(block, where, project, forge, bin_dir)
        elif isinstance(block, list):
            kinds.add("steps")
            runner = Job(project, forge, bin_dir, "dev")
            for step in block:
                if is_action(step):
                    check_action_step(step, where)
                if "kinde-iac" in str(step.get("run", "")):
                    runner.run(step["run"], runner.env(step.get("env")), where)
                    ran += 1
        else:
            raise AssertionError(f"{where}: a yaml block that is neither a workflow, a pipeline nor steps")
    assert kinds == {"github", "gitlab", "steps"} and ran >= 15

    # what the workflows left behind: the pull request's comment in workspace order, prod included
    [comment] = [c for c in forge.comments[5] if "kinde-iac plan" in c["body"]]
    body = comment["body"]
    assert body.index("`dev`") < body.index("`staging`") < body.index("`prod`") and "plan failed" not in body
    # the merge request's note, and GitLab's report of a plan
    [note] = forge.notes[5]
    assert note["body"].startswith("<!-- kinde-iac plan: project=acme-kinde workspaces=dev,staging -->")
    gitlab = next(p for p in workflow_dirs if (p.root / "reports").is_dir())
    report = json.loads((gitlab.root / "reports" / "report-staging.json").read_text())
    assert set(report) == {"create", "update", "delete"} and report["create"] > 0
    # the apply of the saved dev plan happened: dev now plans clean
    assert project.run("plan", "-w", "dev", "--detailed-exitcode").exit_code == 0
    assert len(workflow_dirs) >= 6
