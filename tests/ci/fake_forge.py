"""A small GitHub and GitLab REST API on 127.0.0.1 for the CI tests: the endpoints kinde-iac calls,
with their paging, kept in memory, every call recorded (method, path, query, JSON body, headers)."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

PAGE = 2  # small pages, so every listing is walked across several


@attrs.define
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


class FakeForge:
    """GitHub under /api/v3 (as on GitHub Enterprise Server) and GitLab under /api/v4."""

    def __init__(self, token: str, gitlab_token: str = "glpat-fake") -> None:
        self.token = token
        self.gitlab_token = gitlab_token
        self.calls: list[Call] = []
        self.comments: dict[int, list[dict[str, Any]]] = {}   # PR number -> comments
        self.issues: list[dict[str, Any]] = []
        self.issue_comments: dict[int, list[str]] = {}
        self.labels: set[str] = set()
        self.notes: dict[int, list[dict[str, Any]]] = {}       # MR iid -> notes
        self.next_id = 1000
        self.url = ""
        self._lock = threading.Lock()

    # -- helpers for tests --------------------------------------------------------------------------

    @property
    def github_api(self) -> str:
        return f"{self.url}/api/v3"

    @property
    def gitlab_api(self) -> str:
        return f"{self.url}/api/v4"

    def writes(self) -> list[tuple[str, str]]:
        return [(c.method, c.path) for c in self.calls if c.method != "GET"]

    def open_issues(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["state"] == "open" and "pull_request" not in i]

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    # -- WSGI ---------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_json(silent=True) if request.data else None
        with self._lock:
            self.calls.append(Call(request.method, request.path, dict(request.args), body, dict(request.headers)))
            response = self._route(request, body)
        return response(environ, start_response)

    def _route(self, request: Request, body: Any) -> Response:
        path = request.path.rstrip("/")
        if path.startswith("/api/v3/"):
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return _json({"message": "Bad credentials"}, 401)
            return self._github(request, path[len("/api/v3"):].split("/"), body)
        if path.startswith("/api/v4/"):
            if request.headers.get("PRIVATE-TOKEN") != self.gitlab_token:
                return _json({"message": "401 Unauthorized"}, 401)
            return self._gitlab(request, path[len("/api/v4"):].split("/"), body)
        return _json({"message": "Not Found"}, 404)

    def _page(self, request: Request, items: list[Any], base: str) -> Response:
        page = int(request.args.get("page", "1"))
        per_page = min(int(request.args.get("per_page", "30")), PAGE)
        chunk = items[(page - 1) * per_page: page * per_page]
        response = _json(chunk)
        if page * per_page < len(items):
            query = {k: v for k, v in request.args.items() if k != "page"}
            query_text = "&".join(f"{k}={v}" for k, v in {**query, "page": str(page + 1)}.items())
            response.headers["Link"] = f'<{self.url}{base}?{query_text}>; rel="next"'
        return response

    def _github(self, request: Request, parts: list[str], body: Any) -> Response:
        # parts: ["", "repos", owner, name, ...]
        if len(parts) < 5 or parts[1] != "repos":
            return _json({"message": "Not Found"}, 404)
        rest, method = parts[4:], request.method
        base = "/".join(parts)
        if rest[0] == "issues" and len(rest) == 3 and rest[2] == "comments" and rest[1].isdigit():
            number = int(rest[1])
            issue = next((i for i in self.issues if i["number"] == number), None)
            if method == "GET":
                return self._page(request, self.comments.get(number, []), f"/api/v3{base}")
            if method == "POST":
                if issue is not None:
                    self.issue_comments.setdefault(number, []).append(body["body"])
                    return _json({"id": self._id()}, 201)
                comment = {"id": self._id(), "body": body["body"], "user": {"login": "github-actions[bot]"}}
                self.comments.setdefault(number, []).append(comment)
                return _json(comment, 201)
        if rest[0] == "issues" and len(rest) == 3 and rest[1] == "comments" and method == "PATCH":
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == int(rest[2]):
                        comment["body"] = body["body"]
                        return _json(comment)
            return _json({"message": "Not Found"}, 404)
        if rest == ["issues"] and method == "GET":
            state = request.args.get("state", "open")
            wanted = set(filter(None, request.args.get("labels", "").split(",")))
            items = [i for i in self.issues if (state == "all" or i["state"] == state)
                     and wanted <= {lb["name"] for lb in i["labels"]}]
            return self._page(request, items, f"/api/v3{base}")
        if rest == ["issues"] and method == "POST":
            issue = {"number": len(self.issues) + 1, "title": body["title"], "body": body["body"], "state": "open",
                     "labels": [{"name": n} for n in body.get("labels", [])]}
            self.issues.append(issue)
            return _json(issue, 201)
        if rest[0] == "issues" and len(rest) == 2 and method == "PATCH":
            issue = next((i for i in self.issues if i["number"] == int(rest[1])), None)
            if issue is None:
                return _json({"message": "Not Found"}, 404)
            issue.update({k: v for k, v in body.items() if k in ("body", "title", "state", "state_reason")})
            return _json(issue)
        if rest[0] == "labels":
            if method == "GET" and len(rest) == 2:
                return _json({"name": rest[1]}) if rest[1] in self.labels else _json({"message": "Not Found"}, 404)
            if method == "POST":
                self.labels.add(body["name"])
                return _json(body, 201)
        return _json({"message": "Not Found"}, 404)

    def _gitlab(self, request: Request, parts: list[str], body: Any) -> Response:
        # ["", "projects", id, "merge_requests", iid, "notes", (note_id)]
        if len(parts) < 6 or parts[1] != "projects" or parts[3] != "merge_requests" or parts[5] != "notes":
            return _json({"message": "404 Not Found"}, 404)
        iid, method = int(parts[4]), request.method
        notes = self.notes.setdefault(iid, [])
        if len(parts) == 6 and method == "GET":
            return self._page(request, notes, "/api/v4" + "/".join(parts))
        if len(parts) == 6 and method == "POST":
            note = {"id": self._id(), "body": body["body"], "system": False}
            notes.append(note)
            return _json(note, 201)
        if len(parts) == 7 and method == "PUT":
            for note in notes:
                if note["id"] == int(parts[6]):
                    note["body"] = body["body"]
                    return _json(note)
        return _json({"message": "404 Not Found"}, 404)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


@contextmanager
def running(forge: FakeForge) -> Iterator[FakeForge]:
    server = make_server("127.0.0.1", 0, forge, threaded=True)
    forge.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield forge
    finally:
        server.shutdown()
        thread.join()
