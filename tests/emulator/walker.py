"""A schema-driven walk over every operation the emulator serves, for the conformance test.

Requests are generated from the spec: path parameters from objects created earlier in the walk,
query parameters and JSON bodies from their schemas (first enum value, a fresh string, a sane
integer, ``false``...). Only fields whose value must name something real are hinted by name
(``api_id``, ``scope_ids``, ``permissions``, a webhook's ``endpoint``...): that, and which
collection each path parameter comes from, is all the walker knows beyond the spec.

Order: creates, as soon as what they reference exists (so parents come first); then updates,
link actions and reads; then, for every operation with path parameters, the same request naming
an unknown object; then deletes, children before parents. Every response goes through the
client's spec validator; every generated request must succeed, and every probe with an unknown
id or without a token must fail the documented way.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import requests

from kinde_iac.emulator import apispec
from kinde_iac.emulator.handlers.base import Route

from .client import KindeClient

# Path parameter -> the collection whose POST creates what it names.
SOURCES = {
    "application_id": "/api/v1/applications",
    "app_id": "/api/v1/applications",
    "api_id": "/api/v1/apis",
    "scope_id": "/api/v1/apis/{api_id}/scopes",
    "role_id": "/api/v1/roles",
    "permission_id": "/api/v1/permissions",
    "feature_flag_key": "/api/v1/feature_flags",
    "variable_id": "/api/v1/environment_variables",
    "key_id": "/api/v1/api_keys",
    "webhook_id": "/api/v1/webhooks",
    "connection_id": "/api/v1/connections",
}
UNKNOWN_ID = "walker-unknown-0000"
_PARAM = re.compile(r"{([^}]+)}")


class NotReady(Exception):
    """What the request must reference has not been created yet."""


@attrs.define
class WalkReport:
    operations: set[str] = attrs.field(factory=set)  # labels of operations that succeeded
    responses: int = 0
    statuses: Counter[int] = attrs.field(factory=Counter)

    def summary(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (f"conformance walk: {len(self.operations)} operations, {self.responses} responses "
                f"validated against the spec ({statuses})")


@attrs.define
class Walker:
    client: KindeClient  # a token with every scope; every response is spec-validated
    anonymous: KindeClient  # no token, also spec-validated
    routes: list[Route]
    report: WalkReport = attrs.field(factory=WalkReport)
    ids: dict[str, str] = attrs.field(factory=dict)  # collection template -> an id created there
    secret: str | None = None  # the newest API key secret
    _counter: Iterator[int] = attrs.field(factory=itertools.count)

    def run(self) -> WalkReport:
        for session in (self.client.session, self.anonymous.session):
            session.hooks["response"].append(self._count)
        ops = [r for r in self.routes if r.in_spec]
        self._unauthenticated(ops)
        creates = [r for r in ops if r.method == "POST" and r.template in SOURCES.values()]
        self._create_in_dependency_order(creates)
        rest = [r for r in ops if r not in creates and r.method != "DELETE"]
        phase = {"PATCH": 0, "PUT": 0, "POST": 1, "GET": 2}
        for route in sorted(rest, key=lambda r: (phase[r.method], r.template)):
            self._succeed(route)
        for route in ops:
            if _params(route.template):
                self._unknown_id(route)
        deletes = [r for r in ops if r.method == "DELETE"]
        for route in sorted(deletes, key=lambda r: (-len(_params(r.template)), -len(r.template))):
            self._succeed(route)
        return self.report

    # -- phases ----------------------------------------------------------------------------------

    def _unauthenticated(self, ops: list[Route]) -> None:
        for route in ops:
            if route.public:
                continue
            path = _PARAM.sub(UNKNOWN_ID, route.template)
            response = self.anonymous.request(route.method, path)
            assert response.status_code == 403, f"{route.label} without a token: {response.status_code}"

    def _create_in_dependency_order(self, creates: list[Route]) -> None:
        pending = list(creates)
        while pending:
            progressed = False
            for route in list(pending):
                try:
                    request = self._request(route)
                except NotReady:
                    continue
                self._send(route, request, capture=True)
                pending.remove(route)
                progressed = True
            assert progressed, f"no order creates the parents of {[r.label for r in pending]}"

    def _succeed(self, route: Route) -> None:
        self._send(route, self._request(route), capture=False)

    def _unknown_id(self, route: Route) -> None:
        request = self._request(route)
        last = _params(route.template)[-1]
        path = self._path(route.template, override={last: UNKNOWN_ID})
        response = self.client.request(route.method, path, **{k: v for k, v in request.items() if k != "path"})
        assert response.status_code in (400, 404), f"{route.label} naming nothing: {response.status_code}"

    # -- requests ----------------------------------------------------------------------------------

    def _request(self, route: Route) -> dict[str, Any]:
        operation = apispec.operations()[(route.method, route.template)]
        request: dict[str, Any] = {"path": self._path(route.template)}
        params = {}
        for param in operation.get("parameters") or ():
            param = apispec.resolve(param)
            if param.get("in") != "query":
                continue
            schema = apispec.resolve(param.get("schema") or {})
            if param.get("required") or "enum" in schema or schema.get("type") == "integer":
                params[param["name"]] = self._value(schema, param["name"])
        if params:
            request["params"] = params
        body = apispec.resolve(operation.get("requestBody") or {})
        schema = ((body.get("content") or {}).get("application/json") or {}).get("schema")
        if schema is not None:
            request["json"] = self._value(schema, "")
        return request

    def _path(self, template: str, override: dict[str, str] | None = None) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if override and name in override:
                return override[name]
            if SOURCES[name] not in self.ids:
                raise NotReady(name)
            return self.ids[SOURCES[name]]
        return _PARAM.sub(fill, template)

    def _value(self, schema: dict[str, Any], name: str) -> Any:
        hint = _HINTS.get(name)
        if hint is not None:
            return hint(self)
        schema = apispec.resolve(schema)
        if "oneOf" in schema:
            return self._value(schema["oneOf"][0], name)
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if kind == "object":
            return {key: self._value(prop, key) for key, prop in (schema.get("properties") or {}).items()}
        if kind == "array":
            return [self._value(schema.get("items") or {}, name)]
        return {"integer": 3600, "number": 1.5, "boolean": False}.get(kind, f"w{next(self._counter)}")

    def _ref(self, collection: str) -> str:
        if collection not in self.ids:
            raise NotReady(collection)
        return self.ids[collection]

    def _send(self, route: Route, request: dict[str, Any], *, capture: bool) -> None:
        path = request.pop("path")
        response = self.client.request(route.method, path, **request)
        assert 200 <= response.status_code < 300, f"{route.label}: {response.status_code} {response.text}"
        self.report.operations.add(route.label)
        body = response.json()
        secret = (body.get("api_key") or {}).get("key") if isinstance(body, dict) else None
        if secret:
            self.secret = secret
        if capture:
            if route.template.endswith("feature_flags"):
                self.ids[route.template] = request["json"]["key"]  # a flag is named by its key
            else:
                self.ids[route.template] = _first_id(body)

    def _count(self, response: requests.Response, *args: object, **kwargs: object) -> requests.Response:
        self.report.responses += 1
        self.report.statuses[response.status_code] += 1
        return response


def _params(template: str) -> list[str]:
    return _PARAM.findall(template)


def _first_id(body: Any) -> str:
    if isinstance(body, dict):
        if isinstance(body.get("id"), str):
            return body["id"]
        for value in body.values():
            found = _first_id(value)
            if found:
                return found
    return ""


# Fields whose value must name a real object or satisfy a rule the schema does not state.
_HINTS: dict[str, Callable[[Walker], Any]] = {
    "api_id": lambda w: w._ref("/api/v1/apis"),
    "scope_id": lambda w: w._ref("/api/v1/apis/{api_id}/scopes"),
    "scope_ids": lambda w: [w._ref("/api/v1/apis/{api_id}/scopes")],
    "permissions": lambda w: [{"id": w._ref("/api/v1/permissions")}],
    "applications": lambda w: [{"id": w._ref("/api/v1/applications")}],
    "enabled_applications": lambda w: [w._ref("/api/v1/applications")],
    "api_key": lambda w: w.secret or "k_live_none_created_yet",
    "endpoint": lambda w: f"https://hooks.example.com/w{next(w._counter)}",
    "event_types": lambda w: ["user.created", "role.created"],
    "page_size": lambda w: 100,
}
