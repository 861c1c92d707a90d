"""The GitHub Action's main step (``action.yml`` runs ``python -m kinde_iac.ci.action``).

It runs the CLI once per workspace, in the order given, each run writing its own step outputs (the
CLI's, ``ci.publish``) to a file of its own; then it sums them into the Action's outputs, and for a
plan posts one pull-request comment with a section per workspace, a failed one with its error. Each
run also appends its own part of the job summary. Inputs come from the environment as the Action
passes them (``INPUT_COMMAND``, ``INPUT_WORKSPACES``, ...).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from kinde_iac.ci.actions_files import write_outputs
from kinde_iac.engine.plan_model import WorkspaceResult
from kinde_iac.errors import KindeIacError

COMMANDS = ("plan", "apply", "drift")
COMMENT_MODES = ("true", "changes-only", "false")
#: Output names the Action declares; a run's other lines are not passed on.
OUTPUTS = ("exitcode", "changes", "to_add", "to_change", "to_destroy", "to_import", "drift", "plan-file",
           "failure-reason", "secrets-dir")
_COUNTS = ("to_add", "to_change", "to_destroy", "to_import")


@attrs.frozen
class Inputs:
    command: str
    workspaces: tuple[str, ...]
    comment: str
    extra_args: tuple[str, ...]
    plan_dir: str


@attrs.frozen
class Run:
    """One CLI run for one workspace."""

    workspace: str
    code: int
    outputs: dict[str, str]
    #: The one-line error the run ended with, if it failed.
    error: str | None


def read_inputs(env: Mapping[str, str]) -> Inputs:
    command = env.get("INPUT_COMMAND", "plan").strip() or "plan"
    if command not in COMMANDS:
        raise KindeIacError(f"input command must be one of {', '.join(COMMANDS)}, not {command!r}")
    workspaces = tuple(dict.fromkeys(w for w in re.split(r"[\s,]+", env.get("INPUT_WORKSPACES", "")) if w))
    if not workspaces:
        raise KindeIacError("input workspaces is empty: name the workspaces (environments/NAME.json), e.g. "
                            "`workspaces: dev staging prod`")
    comment = env.get("INPUT_COMMENT", "true").strip().lower() or "true"
    if comment not in COMMENT_MODES:
        raise KindeIacError(f"input comment must be one of {', '.join(COMMENT_MODES)}, not {comment!r}")
    temp = env.get("RUNNER_TEMP") or tempfile.gettempdir()
    plan_dir = env.get("INPUT_PLAN_DIR", "").strip()
    if command == "plan" and not plan_dir:
        plan_dir = str(Path(temp) / "kinde-iac-plans")
    return Inputs(command=command, workspaces=workspaces, comment=comment,
                  extra_args=tuple(env.get("INPUT_EXTRA_ARGS", "").split()), plan_dir=plan_dir)


def parse_outputs(text: str) -> dict[str, str]:
    """``name=value`` and ``name<<DELIMITER`` blocks, as ``actions_files.output_lines`` writes them."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            while i < len(lines) and lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value_text = line.split("=", 1)
            out[name] = value_text
    return out


def merge(runs: Sequence[Run]) -> dict[str, str]:
    """The Action's outputs from every run's: counts summed, flags or-ed, the worst exit code
    (1 before 2 before 0), the first failure's reason, every plan file."""
    codes = [r.code for r in runs]
    merged = {"exitcode": "1" if 1 in codes or any(c not in (0, 2) for c in codes) else "2" if 2 in codes else "0"}
    for name in ("changes", "drift"):
        values = [r.outputs[name] for r in runs if name in r.outputs]
        if values:
            merged[name] = "true" if "true" in values else "false"
    for name in _COUNTS:
        values = [r.outputs[name] for r in runs if r.outputs.get(name, "").isdigit()]
        if values:
            merged[name] = str(sum(int(v) for v in values))
    files = [line for r in runs for line in r.outputs.get("plan-file", "").splitlines() if line]
    merged["plan-file"] = "\n".join(files)
    reasons = [r.outputs.get("failure-reason") or ("error" if r.code not in (0, 2) else "") for r in runs]
    merged["failure-reason"] = next((r for r in reasons if r), "")
    return merged


def _escape(text: str, prop: bool = False) -> str:
    """A workflow command's message (or property) as GitHub reads it back."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _error_line(stderr: str) -> str | None:
    errors = [line[len("Error: "):] for line in stderr.splitlines() if line.startswith("Error: ")]
    return errors[-1] if errors else None


def run_cli(workspace: str, args: Sequence[str], env: Mapping[str, str]) -> Run:
    """One ``kinde-iac`` run with its own outputs file; its output goes to the job log as it is."""
    with tempfile.TemporaryDirectory(prefix="kinde-iac-outputs-") as tmp:
        outputs_file = Path(tmp) / "outputs"
        outputs_file.touch()
        print(f"::group::kinde-iac {' '.join(args)}", flush=True)
        proc = subprocess.run([sys.executable, "-m", "kinde_iac", *args], env={**env, "GITHUB_OUTPUT": str(outputs_file)},
                              stdout=None, stderr=subprocess.PIPE, text=True, check=False)
        sys.stderr.write(proc.stderr)
        print("::endgroup::", flush=True)
        outputs = parse_outputs(outputs_file.read_text(encoding="utf-8"))
    error = _error_line(proc.stderr) if proc.returncode not in (0, 2) else None
    if error is not None:
        # A workflow command, so the error shows on the run's page beside the failed step.
        print(f"::error title={_escape(f'kinde-iac {args[0]} {workspace}', True)}::{_escape(error)}", flush=True)
    return Run(workspace=workspace, code=proc.returncode, outputs=outputs,
               error=error or (f"kinde-iac exited with {proc.returncode}" if proc.returncode not in (0, 2) else None))


def _args(inputs: Inputs, workspace: str, secrets_dir: Path | None) -> list[str]:
    if inputs.command == "plan":
        out = str(Path(inputs.plan_dir) / f"plan-{workspace}.json")
        return ["plan", "--workspace", workspace, "--out", out, "--detailed-exitcode", *inputs.extra_args]
    if inputs.command == "apply":
        assert secrets_dir is not None
        secrets = ["--secrets-out", str(secrets_dir / f"{workspace}.json")]
        if inputs.plan_dir:
            # Exactly the reviewed plan; apply refuses it if anything moved since.
            return ["apply", str(Path(inputs.plan_dir) / f"plan-{workspace}.json"), *secrets, *inputs.extra_args]
        return ["apply", "--workspace", workspace, "--auto-approve", *secrets, *inputs.extra_args]
    issue = ["--github-issue"] if inputs.comment != "false" else []
    return ["drift", "--workspace", workspace, *issue, *inputs.extra_args]


def _comment(inputs: Inputs, runs: Sequence[Run], env: Mapping[str, str]) -> None:
    from kinde_iac.ci.github import post_or_update_comment, pull_request_number
    from kinde_iac.ci.github_api import api_url_from_env
    from kinde_iac.engine.planfile import read_plan_file
    from kinde_iac.render.markdown import render_markdown
    from kinde_iac.render.markers import default_project, plan_marker_prefix

    number = pull_request_number(env.get("GITHUB_EVENT_PATH"))
    if not number:
        print("Not a pull request event: no comment.", flush=True)
        return
    sections = []
    for run in runs:
        path = Path(inputs.plan_dir) / f"plan-{run.workspace}.json"
        if run.error is None and path.is_file():
            sections.append(WorkspaceResult(workspace=run.workspace, plan=read_plan_file(path).plan))
        else:
            sections.append(WorkspaceResult(workspace=run.workspace, error=run.error or "no plan was saved"))
    noteworthy = any(s.failed or (s.plan is not None and s.plan.has_changes) for s in sections)
    project = default_project()
    outcome, comment_id = post_or_update_comment(
        render_markdown(sections, project=project), token=env.get("GITHUB_TOKEN", ""),
        repository=env.get("GITHUB_REPOSITORY", ""), pr_number=number, marker=plan_marker_prefix(project),
        api_url=api_url_from_env(env), create=inputs.comment == "true" or noteworthy)
    repository = env.get("GITHUB_REPOSITORY")
    print(f"Comment {comment_id} {outcome} on {repository}#{number}." if comment_id
          else "No changes and no earlier comment: nothing to post.", flush=True)


def _step_code(inputs: Inputs, runs: Sequence[Run]) -> int:
    codes = [r.code for r in runs]
    if any(c not in (0, 2) for c in codes):
        return 1
    # Drift found fails the step (the run's failure notice is the alert); a plan with changes does not.
    return 2 if inputs.command == "drift" and 2 in codes else 0


def main(env: Mapping[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    try:
        inputs = read_inputs(env)
        secrets_dir: Path | None = None
        if inputs.command == "apply":
            secrets_dir = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / "kinde-iac-secrets"
            secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if inputs.command == "plan":
            Path(inputs.plan_dir).mkdir(parents=True, exist_ok=True)
        runs: list[Run] = []
        for workspace in inputs.workspaces:
            run = run_cli(workspace, _args(inputs, workspace, secrets_dir), env)
            runs.append(run)
            if inputs.command == "apply" and run.code != 0:
                print(f"::error::apply stopped at {workspace}; not attempted: "
                      f"{', '.join(inputs.workspaces[len(runs):]) or 'none'}", flush=True)
                break
        outputs = merge(runs)
        if secrets_dir is not None:
            outputs["secrets-dir"] = str(secrets_dir)
        write_outputs(outputs, env)
        if inputs.command == "plan" and inputs.comment != "false":
            _comment(inputs, runs, env)
        return _step_code(inputs, runs)
    except KindeIacError as err:
        print(f"::error title=kinde-iac action::{_escape(str(err))}", flush=True)
        write_outputs({"exitcode": "1", "failure-reason": "error"}, env)
        return 1


if __name__ == "__main__":
    sys.exit(main())
