"""One pull-request comment per marker, created once and edited in place, against a faked GitHub API."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses

from kinde_iac.ci.github import GITHUB_COMMENT_LIMIT, GitHubError, post_or_update_comment, pull_request_number

TOKEN = "ghs_SECRETtoken1234567890"
API = "https://api.github.com"
LIST = f"{API}/repos/acme/kinde-config/issues/42/comments"
MARKER = "<!-- kinde-iac plan: dev,staging -->"
BODY = f"{MARKER}\n## kinde-iac plan\n\nPlan: 1 to add, 0 to change, 0 to destroy, 0 to import.\n"


def post(body: str = BODY, **kw: object) -> tuple[str, int]:
    args: dict[str, object] = {"token": TOKEN, "repository": "acme/kinde-config", "pr_number": 42,
                               "marker": MARKER, **kw}
    return post_or_update_comment(body, **args)  # type: ignore[arg-type]


def others() -> list[dict[str, object]]:
    return [{"id": 1, "body": "LGTM", "user": {"login": "alice"}},
            {"id": 2, "body": f"> {MARKER}\n> quoted by a reviewer", "user": {"login": "bob"}}]


def assert_headers(call: responses.Call) -> None:
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.request.headers["Accept"] == "application/vnd.github+json"
    assert call.request.headers["X-GitHub-Api-Version"] == "2022-11-28"


@responses.activate
def test_first_run_creates_then_second_run_edits_in_place() -> None:
    responses.get(LIST, json=others())
    responses.post(LIST, json={"id": 1001, "body": BODY}, status=201)
    assert post() == ("created", 1001)
    methods = [(c.request.method, c.request.url) for c in responses.calls]
    assert methods == [("GET", f"{LIST}?per_page=100"), ("POST", LIST)]
    assert json.loads(responses.calls[1].request.body) == {"body": BODY}
    for call in responses.calls:
        assert_headers(call)

    responses.reset()
    responses.get(LIST, json=[*others(), {"id": 1001, "body": BODY, "user": {"login": "github-actions[bot]"}}])
    edit = f"{API}/repos/acme/kinde-config/issues/comments/1001"
    responses.patch(edit, json={"id": 1001})
    new_body = BODY.replace("1 to add", "2 to add")
    assert post(new_body) == ("updated", 1001)
    assert [(c.request.method, c.request.url) for c in responses.calls] == \
        [("GET", f"{LIST}?per_page=100"), ("PATCH", edit)]
    assert json.loads(responses.calls[1].request.body) == {"body": new_body}
    assert_headers(responses.calls[1])


@responses.activate
def test_marker_found_on_the_second_page() -> None:
    page2 = f"{API}/repositories/99/issues/42/comments?per_page=100&page=2"
    responses.get(LIST, json=[{"id": n, "body": "chatter"} for n in range(100)],
                  headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'},
                  match=[responses.matchers.query_param_matcher({"per_page": "100"})])
    responses.get(page2, json=[{"id": 555, "body": BODY}])
    responses.patch(f"{API}/repos/acme/kinde-config/issues/comments/555", json={"id": 555})
    assert post() == ("updated", 555)
    assert [c.request.method for c in responses.calls] == ["GET", "GET", "PATCH"]
    assert responses.calls[1].request.url == page2


@responses.activate
def test_a_body_without_the_marker_gets_it() -> None:
    responses.get(LIST, json=[])
    responses.post(LIST, json={"id": 7}, status=201)
    post("just text")
    assert json.loads(responses.calls[1].request.body) == {"body": f"{MARKER}\njust text"}


@responses.activate
def test_forbidden_names_the_permission_and_hides_the_token() -> None:
    responses.get(LIST, json=[])
    responses.post(LIST, status=403, json={"message": "Resource not accessible by integration",
                                           "documentation_url": "https://docs.github.com/rest"})
    with pytest.raises(GitHubError) as err:
        post()
    message = str(err.value)
    assert "HTTP 403" in message and "Resource not accessible by integration" in message
    assert "pull-requests: write" in message
    assert TOKEN not in message and "\n" not in message


@pytest.mark.parametrize(("status", "hint"), [
    (401, "GITHUB_TOKEN"), (404, "repository or pull request not found"), (502, "run the job again"),
])
@responses.activate
def test_other_errors_have_hints(status: int, hint: str) -> None:
    responses.get(LIST, status=status, json={"message": "nope"})
    with pytest.raises(GitHubError, match=f"HTTP {status}: nope .*{hint}"):
        post()


@responses.activate
def test_network_error_is_one_readable_line() -> None:
    responses.get(LIST, body=requests.ConnectionError(f"connection refused (token {TOKEN})"))
    with pytest.raises(GitHubError, match="GitHub API unreachable") as err:
        post()
    assert TOKEN not in str(err.value)


@responses.activate
def test_over_long_body_is_refused_without_any_request() -> None:
    with pytest.raises(GitHubError, match="65,536"):
        post(MARKER + "\n" + "x" * GITHUB_COMMENT_LIMIT)
    assert len(responses.calls) == 0


@responses.activate
def test_bad_arguments_are_refused_without_any_request() -> None:
    with pytest.raises(GitHubError, match="GITHUB_TOKEN"):
        post(token="")
    with pytest.raises(GitHubError, match="OWNER/NAME"):
        post(repository="kinde-config")
    assert len(responses.calls) == 0


def event(tmp_path: Path, payload: object) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return str(path)


def test_pull_request_number_from_event_files(tmp_path: Path) -> None:
    assert pull_request_number(event(tmp_path, {"action": "synchronize", "number": 42,
                                                "pull_request": {"number": 42, "head": {"sha": "abc"}}})) == 42
    assert pull_request_number(event(tmp_path, {"action": "created", "comment": {"body": "plan"},
                                                "issue": {"number": 17, "pull_request": {"url": "u"}}})) == 17
    assert pull_request_number(event(tmp_path, {"ref": "refs/heads/main", "commits": []})) is None
    assert pull_request_number(None) is None


def test_unreadable_event_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text("{not json")
    with pytest.raises(GitHubError, match="event.json"):
        pull_request_number(str(path))


@responses.activate
def test_pagination_never_leaves_the_api_host() -> None:
    responses.get(LIST, json=[], headers={"Link": '<https://evil.example/steal?page=2>; rel="next"'})
    with pytest.raises(GitHubError, match="outside https://api.github.com"):
        post()
    assert len(responses.calls) == 1


@responses.activate
def test_prefix_marker_keeps_one_comment_whatever_the_workspaces() -> None:
    responses.get(LIST, json=[{"id": 9, "body": "<!-- kinde-iac plan: dev -->\nold"}])
    responses.patch(f"{API}/repos/acme/kinde-config/issues/comments/9", json={"id": 9})
    assert post(marker="<!-- kinde-iac plan") == ("updated", 9)
