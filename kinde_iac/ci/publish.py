"""What plan, apply and drift tell a CI job besides their normal output: step outputs a workflow can
branch on and a job summary, written only when GitHub Actions provides the files (``actions_files``).

Outputs (the Action exposes the same names): ``exitcode``; ``changes`` and ``drift`` (``true`` or
``false``); ``to_add``, ``to_change``, ``to_destroy``, ``to_import`` (plan: planned, summed over the
workspaces; apply: done); ``plan-file`` (the saved plans, one per line); ``failure-reason`` (empty, or
``apply-failed``, ``plan-changed``, ``state-locked``, ``error``).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kinde_iac.ci.actions_files import write_outputs, write_summary
from kinde_iac.engine.plan_model import Counts, WorkspaceResult
from kinde_iac.errors import KindeIacError, LockError

if TYPE_CHECKING:  # a plan loads neither the executor nor the drift report just to publish
    from kinde_iac.engine.apply_flow import ApplySummary
    from kinde_iac.engine.drift import DriftReport

#: The commands whose failure is reported as outputs (a failing `comment` in the same step must not
#: overwrite the plan's outputs).
REPORTING_COMMANDS = ("plan", "apply", "drift")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _counts(counts: Counts) -> dict[str, str]:
    return {"to_add": str(counts.add), "to_change": str(counts.change), "to_destroy": str(counts.destroy),
            "to_import": str(counts.import_)}


def _total(results: Sequence[WorkspaceResult]) -> Counts:
    total = Counts()
    for r in results:
        if r.plan is not None:
            c = r.plan.counts
            total = Counts(add=total.add + c.add, change=total.change + c.change,
                           destroy=total.destroy + c.destroy, import_=total.import_ + c.import_)
    return total


def failure_reason(err: BaseException) -> str:
    from kinde_iac.engine.planfile import StalePlanError

    if isinstance(err, LockError):
        return "state-locked"
    if isinstance(err, StalePlanError):
        return "plan-changed"
    return "error"


def publish_plan(results: Sequence[WorkspaceResult], *, exit_code: int, plan_files: Sequence[str],
                 project: str) -> None:
    from kinde_iac.render.markdown import render_markdown

    failed = any(r.failed for r in results)
    write_outputs({
        "exitcode": str(exit_code),
        "changes": _flag(any(r.plan is not None and r.plan.has_changes for r in results)),
        **_counts(_total(results)),
        "drift": _flag(any(r.plan is not None and r.plan.drifted for r in results)),
        "plan-file": "\n".join(plan_files),
        "failure-reason": "error" if failed else "",
    })
    write_summary(lambda: render_markdown(results, project=project))


def publish_apply(summary: ApplySummary, *, workspace: str, exit_code: int) -> None:
    from kinde_iac.render.text import applied_line

    result = summary.result
    write_outputs({"exitcode": str(exit_code), "changes": _flag(bool(result.applied)), **_counts(result.counts),
                   "failure-reason": "" if result.ok else "apply-failed"})
    if result.ok:
        lines = [f"### ✅ kinde-iac apply `{workspace}`", "",
                 f"Apply complete! Resources: {applied_line(result.counts)}."]
    else:
        done = applied_line(result.counts)
        lines = [f"### ❌ kinde-iac apply `{workspace}` failed", "", f"Applied before the failure: {done}.", ""]
        lines += [f"- `{address}`: {' '.join(message.split())}" for address, message in result.failed]
        if result.skipped:
            lines += ["", f"Not attempted: {len(result.skipped)} changes; the next apply resumes them."]
    write_summary("\n".join(lines))


def publish_drift(report: DriftReport, *, exit_code: int, project: str) -> None:
    from kinde_iac.render.drift import render_markdown

    write_outputs({"exitcode": str(exit_code), "drift": _flag(not report.in_sync), "failure-reason": ""})
    write_summary(lambda: render_markdown(report, project=project))


def publish_failure(command: str | None, err: BaseException) -> None:
    """A plan, apply or drift that stopped with an error: ``exitcode=1``, why, and the one-line error in
    the summary (the same line the log shows; it never holds a secret)."""
    if command not in REPORTING_COMMANDS:
        return
    write_outputs({"exitcode": "1", "failure-reason": failure_reason(err)})
    write_summary(f"### ❌ kinde-iac {command} failed\n\n```\n{' '.join(str(err).split())}\n```")


def run_url(environ: Mapping[str, str]) -> str | None:
    """The workflow run's page, named in issues so a reader can find the log."""
    parts = [environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{str(server).rstrip('/')}/{repository}/actions/runs/{run_id}"


def after_drift(report: DriftReport, *, exit_code: int, project: str | None, github_issue: bool,
                say: Callable[..., Any], environ: Mapping[str, str] | None = None) -> None:
    """Outputs and summary; with ``github_issue`` also the workspace's drift issue (``drift_issue``)."""
    from kinde_iac.ci.drift_issue import sync_drift_issue
    from kinde_iac.ci.github_api import api_url_from_env, require_token
    from kinde_iac.render.drift import render_markdown
    from kinde_iac.render.markers import default_project

    env = os.environ if environ is None else environ
    project = project or default_project()
    publish_drift(report, exit_code=exit_code, project=project)
    if not github_issue:
        return
    token = require_token(env.get("GITHUB_TOKEN"))
    repository = env.get("GITHUB_REPOSITORY")
    if not repository:
        raise KindeIacError("--github-issue needs GITHUB_REPOSITORY (owner/name), as GitHub Actions sets it")
    outcome = sync_drift_issue(render_markdown(report, project=project), in_sync=report.in_sync, project=project,
                               workspace=report.workspace, token=token, repository=repository,
                               api_url=api_url_from_env(env), run_url=run_url(env))
    say(outcome.describe(repository), err=True)
