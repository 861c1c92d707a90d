"""One pull-request comment per marker, edited in place on every push (as tfcmt and Atlantis do),
through GitHub's REST API with the workflow's ``GITHUB_TOKEN``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from kinde_iac.ci.github_api import DEFAULT_API_URL, GitHubApi, GitHubError, split_repository
from kinde_iac.render.markdown import find_marker

__all__ = ["GITHUB_COMMENT_LIMIT", "GitHubError", "post_or_update_comment", "pull_request_number"]

#: GitHub refuses issue comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536


def pull_request_number(event_path: str | None) -> int | None:
    """The pull request a workflow run is about, from the ``GITHUB_EVENT_PATH`` event file.

    ``pull_request`` events carry ``pull_request.number``; ``issue_comment`` events (a comment on a
    pull request) carry ``issue.number``. Other events, or no event file, give None.
    """
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise GitHubError(f"cannot read the GitHub event file {event_path}: {err}") from err
    if not isinstance(event, dict):
        return None
    for key in ("pull_request", "issue"):
        number = (event.get(key) or {}).get("number") if isinstance(event.get(key), dict) else None
        if isinstance(number, int) and not isinstance(number, bool):
            return number
    return None


def post_or_update_comment(body: str, *, token: str, repository: str, pr_number: int, marker: str,
                           api_url: str = DEFAULT_API_URL, session: requests.Session | None = None,
                           create: bool = True) -> tuple[str, int | None]:
    """Edit the pull request's comment that carries ``marker``, or post one. Returns
    ``("created" | "updated" | "skipped", comment_id)``: ``create=False`` only ever edits ("skipped",
    None when there is no comment yet). A body without the marker gets it prepended, so the next run
    finds the comment again."""
    if not token:
        raise GitHubError("no GitHub token: set GITHUB_TOKEN (in Actions: `env: GITHUB_TOKEN: "
                          "${{ secrets.GITHUB_TOKEN }}`)")
    if not marker.strip():
        raise GitHubError("an empty marker would match every comment")
    owner, name = split_repository(repository)
    if find_marker(body, marker) is None:
        body = f"{marker}\n{body}"
    if len(body) > GITHUB_COMMENT_LIMIT:
        raise GitHubError(f"comment body is {len(body):,} characters; GitHub accepts at most "
                          f"{GITHUB_COMMENT_LIMIT:,} (shorten it, or link the plan artifact instead)")
    api = GitHubApi(token, api_url, session)
    base = f"/repos/{owner}/{name}/issues"
    for comment in api.pages(f"{base}/{pr_number}/comments"):
        if isinstance(comment, dict) and find_marker(str(comment.get("body") or ""), marker) is not None:
            api.call("PATCH", f"{base}/comments/{comment['id']}", json_body={"body": body})
            return "updated", int(comment["id"])
    if not create:
        return "skipped", None
    created: Any = api.send("POST", f"{base}/{pr_number}/comments", {"body": body})
    if not isinstance(created, dict) or not isinstance(created.get("id"), int):
        raise GitHubError("GitHub API created the comment but returned no comment id")
    return "created", created["id"]
