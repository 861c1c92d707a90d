"""One GitHub issue per drifting workspace (``drift --github-issue``): opened when drift is first found,
its body replaced with the latest report while the drift lasts, and closed with a comment once the
workspace is back in sync. The issue is found again by its hidden marker (project and workspace) among
the open issues labelled ``kinde-iac-drift``, so people may retitle it or add labels freely."""
from __future__ import annotations

from typing import Any

import attrs
import requests

from kinde_iac.ci.github_api import ISSUE_HINTS, GitHubApi, GitHubError, split_repository
from kinde_iac.render.markers import drift_marker, find_marker

LABEL = "kinde-iac-drift"
_LABEL_COLOR = "d93f0b"
_LABEL_DESCRIPTION = "Kinde changed outside kinde-iac (opened and closed by kinde-iac drift)"
#: GitHub refuses issue bodies longer than this.
ISSUE_BODY_LIMIT = 65_536


@attrs.frozen
class IssueOutcome:
    #: "opened", "updated", "closed" or "none" (in sync and no issue open).
    action: str
    number: int | None = None

    def describe(self, repository: str) -> str:
        if self.action == "none":
            return "No drift issue to open or close."
        return f"Drift issue {repository}#{self.number} {self.action}."


def _title(project: str, workspace: str) -> str:
    return f"kinde-iac drift in workspace {workspace} ({project})"


def _body(report_markdown: str, marker: str, run_url: str | None) -> str:
    # The report's own marker line (if any) is replaced, so the issue holds exactly one marker.
    lines = [ln for ln in report_markdown.splitlines() if find_marker(ln, "<!-- kinde-iac drift") is None]
    body = "\n".join([marker, *lines]).rstrip() + "\n"
    if run_url:
        body += f"\nFound by {run_url}\n"
    body += ("\n_kinde-iac keeps this issue up to date and closes it when the workspace is in sync again. "
             "Apply the configuration to revert the changes, or change the configuration to keep them._\n")
    if len(body) > ISSUE_BODY_LIMIT:
        body = body[: ISSUE_BODY_LIMIT - 200] + "\n\n… (cut at GitHub's issue size limit; the job log has it all)\n"
    return body


def _find(api: GitHubApi, base: str, marker: str) -> dict[str, Any] | None:
    for issue in api.pages(f"{base}/issues", {"state": "open", "labels": LABEL}):
        # The issues list also holds pull requests; they are never ours.
        if not isinstance(issue, dict) or "pull_request" in issue:
            continue
        if find_marker(str(issue.get("body") or ""), marker) is not None:
            return issue
    return None


def _ensure_label(api: GitHubApi, base: str) -> None:
    try:
        api.call("GET", f"{base}/labels/{LABEL}")
    except GitHubError as err:
        if "HTTP 404" not in str(err):
            raise
        api.call("POST", f"{base}/labels", json_body={"name": LABEL, "color": _LABEL_COLOR,
                                                      "description": _LABEL_DESCRIPTION})


def sync_drift_issue(report_markdown: str, *, in_sync: bool, project: str, workspace: str, token: str,
                     repository: str, api_url: str, run_url: str | None = None,
                     session: requests.Session | None = None) -> IssueOutcome:
    """Bring the workspace's drift issue in line with the report."""
    owner, name = split_repository(repository)
    api = GitHubApi(token, api_url, session, hints=ISSUE_HINTS)
    base = f"/repos/{owner}/{name}"
    marker = drift_marker(project, workspace)
    issue = _find(api, base, marker)
    if in_sync:
        if issue is None:
            return IssueOutcome("none")
        number = int(issue["number"])
        note = f"✅ Workspace `{workspace}` is in sync with its last apply again; closing."
        api.call("POST", f"{base}/issues/{number}/comments",
                 json_body={"body": note + (f"\n\nChecked by {run_url}" if run_url else "")})
        api.call("PATCH", f"{base}/issues/{number}", json_body={"state": "closed", "state_reason": "completed"})
        return IssueOutcome("closed", number)
    body = _body(report_markdown, marker, run_url)
    if issue is not None:
        number = int(issue["number"])
        api.call("PATCH", f"{base}/issues/{number}", json_body={"body": body})
        return IssueOutcome("updated", number)
    _ensure_label(api, base)
    created = api.send("POST", f"{base}/issues", {"title": _title(project, workspace), "body": body,
                                                   "labels": [LABEL]})
    if not isinstance(created, dict) or not isinstance(created.get("number"), int):
        raise GitHubError("GitHub API created the drift issue but returned no issue number")
    return IssueOutcome("opened", created["number"])
