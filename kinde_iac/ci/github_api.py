"""GitHub's REST API as kinde-iac uses it: the workflow's token, ``GITHUB_API_URL`` (GitHub Enterprise
Server has its own), one-line errors with a hint, pagination that never leaves the API host, and a
token that never appears in any message."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from kinde_iac.errors import KindeIacError

DEFAULT_API_URL = "https://api.github.com"
_TIMEOUT = 30

#: What to fix, by HTTP status, for calls about pull-request comments.
COMMENT_HINTS = {
    401: "GITHUB_TOKEN is missing, expired or not a valid token",
    403: "the token lacks permission: give the job `permissions: pull-requests: write` "
         "(and `issues: write`), or use a token that can comment on this repository",
    404: "repository or pull request not found (check GITHUB_REPOSITORY and the pull request number), "
         "or the token cannot see this repository",
    422: "GitHub rejected the comment body",
}
#: The same for the drift issue's calls.
ISSUE_HINTS = {
    401: "GITHUB_TOKEN is missing, expired or not a valid token",
    403: "the token lacks permission: give the job `permissions: issues: write`",
    404: "repository not found, issues are disabled on it, or the token cannot see it "
         "(check GITHUB_REPOSITORY)",
    410: "issues are disabled on this repository",
    422: "GitHub rejected the issue (title, body or label)",
}


class GitHubError(KindeIacError):
    """A GitHub API call failed; str() is one readable line that never contains the token."""


def api_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``GITHUB_API_URL`` as Actions sets it (``https://HOST/api/v3`` on GitHub Enterprise Server)."""
    env = os.environ if environ is None else environ
    return env.get("GITHUB_API_URL") or DEFAULT_API_URL


def split_repository(repository: str) -> tuple[str, str]:
    owner, _, name = repository.partition("/")
    if not owner or not name or "/" in name:
        raise GitHubError(f"repository must be OWNER/NAME (as in GITHUB_REPOSITORY), not {repository!r}")
    return owner, name


def require_token(token: str | None) -> str:
    if not token:
        raise GitHubError("no GitHub token: set GITHUB_TOKEN (in Actions: `env: GITHUB_TOKEN: "
                          "${{ secrets.GITHUB_TOKEN }}`)")
    return token


class GitHubApi:
    """One repository's REST API with one token."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, session: requests.Session | None = None,
                 hints: Mapping[int, str] | None = None) -> None:
        self.token = require_token(token)
        self.api_url = api_url.rstrip("/")
        self.session = session or requests.Session()
        self.hints = dict(COMMENT_HINTS if hints is None else hints)
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
                                        timeout=_TIMEOUT, allow_redirects=False)
        except requests.RequestException as err:
            raise GitHubError(self._scrub(f"GitHub API unreachable ({where}): {type(err).__name__}: {err}")) from err
        if resp.status_code >= 400 or 300 <= resp.status_code < 400:
            raise GitHubError(self._scrub(self._describe(where, resp)))
        return resp

    def json(self, resp: requests.Response) -> Any:
        try:
            return resp.json()
        except ValueError as err:
            raise GitHubError(f"GitHub API returned a non-JSON reply to {resp.request.method} "
                              f"{re.sub(r'[?].*', '', resp.url)} (HTTP {resp.status_code})") from err

    def send(self, method: str, url: str, body: Any = None) -> Any:
        """A call whose JSON reply is wanted."""
        return self.json(self.call(method, url, json_body=body))

    def pages(self, url: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Each item of a paged list, following ``Link: rel="next"``."""
        next_url: str | None = url
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while next_url:
            resp = self.call("GET", next_url, params=query)
            page = self.json(resp)
            yield from page if isinstance(page, list) else []
            # The next-page URL already carries the query. Never follow it to another host: the
            # request would carry the token there.
            next_url, query = resp.links.get("next", {}).get("url"), None
            if next_url and not next_url.startswith(self.api_url + "/"):
                raise GitHubError(f"GitHub API pagination pointed outside {self.api_url}; refusing to follow it")

    def _describe(self, where: str, resp: requests.Response) -> str:
        try:
            message = str(resp.json().get("message") or "").strip()
        except (ValueError, AttributeError):
            message = ""
        message = message or resp.reason or "no message"
        status = resp.status_code
        if 300 <= status < 400:
            return (f"GitHub API error on {where}: HTTP {status}: redirected; set GITHUB_API_URL to the API's "
                    f"own address (the token is never sent to a redirect target)")
        hint = self.hints.get(status) if status < 500 else "GitHub is having trouble; run the job again"
        if status in (403, 429) and "rate limit" in message.lower():
            hint = "GitHub API rate limit reached; run the job again later"
        return f"GitHub API error on {where}: HTTP {status}: {message}" + (f" ({hint})" if hint else "")

    def _scrub(self, text: str) -> str:
        # Belt and braces: nothing we format includes the token, but an echoed URL or message might.
        return text.replace(self.token, "***") if self.token else text
