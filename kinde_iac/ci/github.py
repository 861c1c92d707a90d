"""One pull-request comment per marker, edited in place on every push (as tfcmt and Atlantis do),
through GitHub's REST API with the workflow's ``GITHUB_TOKEN``."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import requests

from kinde_iac.errors import KindeIacError
from kinde_iac.render.markdown import find_marker

#: GitHub refuses issue comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
_TIMEOUT = 30
_HINTS = {
    401: "GITHUB_TOKEN is missing, expired or not a valid token",
    403: "the token lacks permission: give the job `permissions: pull-requests: write` "
         "(and `issues: write`), or use a token that can comment on this repository",
    404: "repository or pull request not found (check GITHUB_REPOSITORY and the pull request number), "
         "or the token cannot see this repository",
    422: "GitHub rejected the comment body",
}


class GitHubError(KindeIacError):
    """A GitHub API call failed; str() is one readable line that never contains the token."""


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


def _split_repository(repository: str) -> tuple[str, str]:
    owner, _, name = repository.partition("/")
    if not owner or not name or "/" in name:
        raise GitHubError(f"repository must be OWNER/NAME (as in GITHUB_REPOSITORY), not {repository!r}")
    return owner, name


class _Api:
    def __init__(self, token: str, api_url: str, session: requests.Session | None) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.session = session or requests.Session()
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def call(self, method: str, url: str, *, json_body: Any = None, params: dict[str, Any] | None = None
             ) -> requests.Response:
        if not url.startswith("http"):
            url = self.api_url + url
        where = f"{method} {re.sub(r'[?].*', '', url)}"
        try:
            resp = self.session.request(method, url, headers=self.headers, json=json_body, params=params,
                                        timeout=_TIMEOUT)
        except requests.RequestException as err:
            raise GitHubError(self._scrub(f"GitHub API unreachable ({where}): {type(err).__name__}: {err}")) from err
        if resp.status_code >= 400:
            raise GitHubError(self._scrub(self._describe(where, resp)))
        return resp

    def json(self, resp: requests.Response) -> Any:
        try:
            return resp.json()
        except ValueError as err:
            raise GitHubError(f"GitHub API returned a non-JSON reply to {resp.request.method} "
                              f"{re.sub(r'[?].*', '', resp.url)} (HTTP {resp.status_code})") from err

    def _describe(self, where: str, resp: requests.Response) -> str:
        try:
            message = str(resp.json().get("message") or "").strip()
        except (ValueError, AttributeError):
            message = ""
        message = message or resp.reason or "no message"
        status = resp.status_code
        hint = _HINTS.get(status) if status < 500 else "GitHub is having trouble; run the job again"
        if status in (403, 429) and "rate limit" in message.lower():
            hint = "GitHub API rate limit reached; run the job again later"
        return f"GitHub API error on {where}: HTTP {status}: {message}" + (f" ({hint})" if hint else "")

    def _scrub(self, text: str) -> str:
        # Belt and braces: nothing we format includes the token, but an echoed URL or message might.
        return text.replace(self.token, "***") if self.token else text


def post_or_update_comment(body: str, *, token: str, repository: str, pr_number: int, marker: str,
                           api_url: str = "https://api.github.com",
                           session: requests.Session | None = None) -> tuple[str, int]:
    """Edit the pull request's comment that carries ``marker``, or post one. Returns
    ``("created" | "updated", comment_id)``. A body without the marker gets it prepended, so the
    next run finds the comment again."""
    if not token:
        raise GitHubError("no GitHub token: set GITHUB_TOKEN (in Actions: `env: GITHUB_TOKEN: "
                          "${{ secrets.GITHUB_TOKEN }}`)")
    if not marker.strip():
        raise GitHubError("an empty marker would match every comment")
    owner, name = _split_repository(repository)
    if find_marker(body, marker) is None:
        body = f"{marker}\n{body}"
    if len(body) > GITHUB_COMMENT_LIMIT:
        raise GitHubError(f"comment body is {len(body):,} characters; GitHub accepts at most "
                          f"{GITHUB_COMMENT_LIMIT:,} (shorten it, or link the plan artifact instead)")
    api = _Api(token, api_url, session)
    base = f"/repos/{owner}/{name}/issues"
    url: str | None = f"{base}/{pr_number}/comments"
    params: dict[str, Any] | None = {"per_page": 100}
    while url:
        resp = api.call("GET", url, params=params)
        page = api.json(resp)
        for comment in page if isinstance(page, list) else []:
            if isinstance(comment, dict) and find_marker(str(comment.get("body") or ""), marker) is not None:
                api.call("PATCH", f"{base}/comments/{comment['id']}", json_body={"body": body})
                return "updated", int(comment["id"])
        # The next-page URL already carries per_page and page. Never follow it to another host:
        # the request would carry the token there.
        url, params = resp.links.get("next", {}).get("url"), None
        if url and not url.startswith(api.api_url + "/"):
            raise GitHubError(f"GitHub API pagination pointed outside {api.api_url}; refusing to follow it")
    created = api.json(api.call("POST", f"{base}/{pr_number}/comments", json_body={"body": body}))
    if not isinstance(created, dict) or not isinstance(created.get("id"), int):
        raise GitHubError("GitHub API created the comment but returned no comment id")
    return "created", created["id"]
