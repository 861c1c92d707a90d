"""The plan as the merge request's kinde-iac note on GitLab (``comment --gitlab``), edited in place on
every pipeline like the GitHub comment. GitLab CI provides ``CI_API_V4_URL``, ``CI_PROJECT_ID`` and, in
merge request pipelines, ``CI_MERGE_REQUEST_IID``; the token is a project or personal access token with
the ``api`` scope in ``GITLAB_TOKEN`` (the job token cannot write notes)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests

from kinde_iac.errors import KindeIacError
from kinde_iac.render.markers import find_marker

#: GitLab refuses notes longer than this many characters.
GITLAB_NOTE_LIMIT = 1_000_000
_TIMEOUT = 30
_HINTS = {
    401: "GITLAB_TOKEN is missing, expired or not a valid token",
    403: "the token lacks permission: use a project or personal access token with the `api` scope and at "
         "least the Reporter role",
    404: "project or merge request not found (check CI_PROJECT_ID and CI_MERGE_REQUEST_IID; merge request "
         "pipelines set the latter), or the token cannot see the project",
    422: "GitLab rejected the note body",
}


class GitLabError(KindeIacError):
    """A GitLab API call failed; str() is one readable line that never contains the token."""


class _Api:
    def __init__(self, token: str, api_url: str, session: requests.Session | None) -> None:
        if not token:
            raise GitLabError("no GitLab token: set GITLAB_TOKEN to an access token with the `api` scope "
                              "(a masked CI/CD variable)")
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.session = session or requests.Session()
        self.headers = {"PRIVATE-TOKEN": token, "Accept": "application/json"}

    def call(self, method: str, url: str, *, body: Any = None, params: dict[str, Any] | None = None
             ) -> requests.Response:
        if not url.startswith("http"):
            url = self.api_url + url
        where = f"{method} {re.sub(r'[?].*', '', url)}"
        try:
            resp = self.session.request(method, url, headers=self.headers, json=body, params=params,
                                        timeout=_TIMEOUT, allow_redirects=False)
        except requests.RequestException as err:
            raise GitLabError(self._scrub(f"GitLab API unreachable ({where}): {type(err).__name__}: {err}")) from err
        if resp.status_code >= 300:
            raise GitLabError(self._scrub(self._describe(where, resp)))
        return resp

    def json(self, resp: requests.Response) -> Any:
        try:
            return resp.json()
        except ValueError as err:
            raise GitLabError(f"GitLab API returned a non-JSON reply (HTTP {resp.status_code})") from err

    def pages(self, url: str) -> Iterator[Any]:
        next_url: str | None = url
        params: dict[str, Any] | None = {"per_page": 100}
        while next_url:
            resp = self.call("GET", next_url, params=params)
            page = self.json(resp)
            yield from page if isinstance(page, list) else []
            next_url, params = resp.links.get("next", {}).get("url"), None
            if next_url and not next_url.startswith(self.api_url + "/"):
                raise GitLabError(f"GitLab API pagination pointed outside {self.api_url}; refusing to follow it")

    def _describe(self, where: str, resp: requests.Response) -> str:
        try:
            reply = resp.json()
            message = str(reply.get("message") or reply.get("error") or "").strip()
        except (ValueError, AttributeError):
            message = ""
        message = message or resp.reason or "no message"
        status = resp.status_code
        hint = _HINTS.get(status) if status < 500 else "GitLab is having trouble; run the job again"
        if 300 <= status < 400:
            hint = "redirected; set CI_API_V4_URL to the API's own address"
        return f"GitLab API error on {where}: HTTP {status}: {message}" + (f" ({hint})" if hint else "")

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "***")


def post_or_update_note(body: str, *, token: str, api_url: str, project_id: str, mr_iid: int, marker: str,
                        session: requests.Session | None = None, create: bool = True) -> tuple[str, int | None]:
    """Edit the merge request's note that carries ``marker``, or add one. Returns
    ``("created" | "updated" | "skipped", note_id)``."""
    if not marker.strip():
        raise GitLabError("an empty marker would match every note")
    if find_marker(body, marker) is None:
        body = f"{marker}\n{body}"
    if len(body) > GITLAB_NOTE_LIMIT:
        raise GitLabError(f"note body is {len(body):,} characters; GitLab accepts at most {GITLAB_NOTE_LIMIT:,}")
    api = _Api(token, api_url, session)
    base = f"/projects/{quote(str(project_id), safe='')}/merge_requests/{mr_iid}/notes"
    for note in api.pages(base):
        # System notes ("added 1 commit") are GitLab's own, never ours.
        if isinstance(note, dict) and not note.get("system") and \
                find_marker(str(note.get("body") or ""), marker) is not None:
            api.call("PUT", f"{base}/{note['id']}", body={"body": body})
            return "updated", int(note["id"])
    if not create:
        return "skipped", None
    created = api.json(api.call("POST", base, body={"body": body}))
    if not isinstance(created, dict) or not isinstance(created.get("id"), int):
        raise GitLabError("GitLab API created the note but returned no note id")
    return "created", created["id"]
