"""Semantic checks on a structured Workspace: what types alone cannot say.

Checks speak in paths of the workspace document (``("roles", 0, "permissions", 1)``), which index
the merged config exactly as the structured lists do; the loader turns them into the file and JSON
path the user wrote and sorts them into document order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from kinde_iac.config.model import FeatureFlag, Workspace
from kinde_iac.config.sources import JsonPath, SourceNode, document_position, format_path, quote
from kinde_iac.errors import ConfigError

KEY_MAX = 64
API_NAME_MAX = 64
AUDIENCE_MAX = 64
ENV_KEY_MAX = 128
ENV_VALUE_MAX = 2048
INT32 = (-(2**31), 2**31 - 1)

_ENV_KEY = re.compile(r"^[A-Za-z0-9_]+$")
_INT_TEXT = re.compile(r"^[+-]?[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Issue = tuple[JsonPath, str]


def _key_problem(key: str, *, what: str, slash: bool = True) -> str | None:
    if not key:
        return f"{what} must not be empty"
    if len(key) > KEY_MAX:
        return f"{what} is {len(key)} characters long; at most {KEY_MAX} are allowed"
    if any(c.isspace() for c in key):
        return f"{what} {quote(key)} must not contain whitespace"
    if not slash and "/" in key:
        return f'{what} {quote(key)} must not contain "/" (it separates api and scope in "<api>/<scope>")'
    return None


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return f"expected an absolute http(s) URL, got {quote(url)}"
    return None


def flag_value_problem(flag_type: str, value: Any) -> str | None:
    """Why ``value`` cannot be a value of a ``flag_type`` flag, or None if it can.

    Kinde takes flag values as strings, so ``"true"`` and ``"42"`` are accepted beside JSON
    ``true`` and ``42``.
    """
    if flag_type == "bool":
        if isinstance(value, bool) or value in ("true", "false"):
            return None
        return f'expected true or false for a "bool" flag, got {_show(value)}'
    if flag_type == "int":
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INT_TEXT.match(value):
            number = int(value)
        if number is None:
            return f'expected an integer for an "int" flag, got {_show(value)}'
        if not INT32[0] <= number <= INT32[1]:
            return f"expected an integer between {INT32[0]} and {INT32[1]}, got {number}"
        return None
    if not isinstance(value, str):
        return f'expected a string for a "str" flag, got {_show(value)}'
    return None


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    return str(value)


class _Checker:
    def __init__(self, ws: Workspace, where: Callable[[JsonPath], str]) -> None:
        self.ws = ws
        self.where = where

    def _duplicates(self, label: str, items: list[tuple[JsonPath, str]], within: str = "") -> Iterator[Issue]:
        first: dict[str, JsonPath] = {}
        for path, key in items:
            if key in first:
                yield (
                    path,
                    f"duplicate {label} {quote(key)}{within} (first defined at {self.where(first[key])})",
                )
            else:
                first[key] = path

    def issues(self) -> Iterator[Issue]:
        ws = self.ws
        yield from self.applications()
        yield from self.apis()
        yield from self.permissions()
        yield from self.roles()
        yield from self.feature_flags()
        yield from self.env_vars()
        yield from self.api_keys()
        for i, rule in enumerate(ws.ignore):
            if not rule.address:
                yield ("ignore", i, "address"), "address pattern must not be empty"
            if rule.until is not None:
                problem = _date_problem(rule.until)
                if problem:
                    yield ("ignore", i, "until"), problem
        if not 0.0 <= ws.max_delete_fraction <= 1.0:
            yield ("max_delete_fraction",), f"expected a number between 0 and 1, got {ws.max_delete_fraction}"

    def applications(self) -> Iterator[Issue]:
        for i, app in enumerate(self.ws.applications):
            base: JsonPath = ("applications", i)
            problem = _key_problem(app.key, what="application key")
            if problem:
                yield base + ("key",), problem
            if not app.name:
                yield base + ("name",), "name must not be empty"
            for field in ("login_uri", "homepage_uri"):
                url = getattr(app, field)
                if url is not None and (problem := _url_problem(url)):
                    yield base + (field,), problem
            for field in ("redirect_urls", "logout_urls"):
                for j, url in enumerate(getattr(app, field)):
                    if problem := _url_problem(url):
                        yield base + (field, j), problem
        yield from self._duplicates(
            "application key",
            [(("applications", i), a.key) for i, a in enumerate(self.ws.applications)],
        )

    def apis(self) -> Iterator[Issue]:
        app_keys = {a.key for a in self.ws.applications}
        for i, api in enumerate(self.ws.apis):
            base: JsonPath = ("apis", i)
            if problem := _key_problem(api.key, what="api key", slash=False):
                yield base + ("key",), problem
            if not api.name or len(api.name) > API_NAME_MAX:
                yield base + ("name",), f"api name must be 1 to {API_NAME_MAX} characters long"
            if not api.audience or len(api.audience) > AUDIENCE_MAX:
                yield base + ("audience",), f"audience must be 1 to {AUDIENCE_MAX} characters long"
            for j, scope in enumerate(api.scopes):
                if problem := _key_problem(scope.key, what="scope key"):
                    yield base + ("scopes", j, "key"), problem
            yield from self._duplicates(
                "scope key",
                [(base + ("scopes", j), s.key) for j, s in enumerate(api.scopes)],
                within=f" in api {quote(api.key)}",
            )
            for j, app in enumerate(api.applications):
                if app not in app_keys:
                    yield (
                        base + ("applications", j),
                        f'application {quote(app)} is not defined in "applications"',
                    )
        yield from self._duplicates("api key", [(("apis", i), a.key) for i, a in enumerate(self.ws.apis)])
        yield from self._duplicates(
            "api audience", [(("apis", i, "audience"), a.audience) for i, a in enumerate(self.ws.apis)]
        )

    def permissions(self) -> Iterator[Issue]:
        for i, perm in enumerate(self.ws.permissions):
            if problem := _key_problem(perm.key, what="permission key"):
                yield ("permissions", i, "key"), problem
        yield from self._duplicates(
            "permission key",
            [(("permissions", i), p.key) for i, p in enumerate(self.ws.permissions)],
        )

    def _scope_index(self) -> dict[str, set[str]]:
        return {api.key: {s.key for s in api.scopes} for api in self.ws.apis}

    def roles(self) -> Iterator[Issue]:
        perm_keys = {p.key for p in self.ws.permissions}
        scopes = self._scope_index()
        for i, role in enumerate(self.ws.roles):
            base: JsonPath = ("roles", i)
            if problem := _key_problem(role.key, what="role key"):
                yield base + ("key",), problem
            if not role.name:
                yield base + ("name",), "name must not be empty"
            for j, perm in enumerate(role.permissions):
                if perm not in perm_keys:
                    yield (
                        base + ("permissions", j),
                        f'permission {quote(perm)} is not defined in "permissions"',
                    )
            for j, ref in enumerate(role.scopes):
                api_key, sep, scope_key = ref.partition("/")
                if not sep or not api_key or not scope_key:
                    yield base + ("scopes", j), f'expected "<api key>/<scope key>", got {quote(ref)}'
                elif api_key not in scopes:
                    yield base + ("scopes", j), f'api {quote(api_key)} is not defined in "apis"'
                elif scope_key not in scopes[api_key]:
                    yield (
                        base + ("scopes", j),
                        f"scope {quote(scope_key)} is not defined in api {quote(api_key)}",
                    )
        yield from self._duplicates("role key", [(("roles", i), r.key) for i, r in enumerate(self.ws.roles)])

    def feature_flags(self) -> Iterator[Issue]:
        for i, flag in enumerate(self.ws.feature_flags):
            yield from _flag_issues(flag, ("feature_flags", i))
        yield from self._duplicates(
            "feature flag key",
            [(("feature_flags", i), f.key) for i, f in enumerate(self.ws.feature_flags)],
        )

    def env_vars(self) -> Iterator[Issue]:
        for i, var in enumerate(self.ws.env_vars):
            base: JsonPath = ("env_vars", i)
            if not var.key or len(var.key) > ENV_KEY_MAX or not _ENV_KEY.match(var.key):
                yield (
                    base + ("key",),
                    (
                        f"environment variable key must be 1 to {ENV_KEY_MAX} letters, digits or _, got {quote(var.key)}"
                    ),
                )
            if len(var.value) > ENV_VALUE_MAX:
                yield (
                    base + ("value",),
                    f"value is {len(var.value)} characters long; at most {ENV_VALUE_MAX} are allowed",
                )
        yield from self._duplicates(
            "environment variable key",
            [(("env_vars", i), v.key) for i, v in enumerate(self.ws.env_vars)],
        )

    def api_keys(self) -> Iterator[Issue]:
        scopes = self._scope_index()
        for i, key in enumerate(self.ws.api_keys):
            base: JsonPath = ("api_keys", i)
            if problem := _key_problem(key.key, what="api key key"):
                yield base + ("key",), problem
            if not key.name:
                yield base + ("name",), "name must not be empty"
            if key.api not in scopes:
                yield base + ("api",), f'api {quote(key.api)} is not defined in "apis"'
            else:
                for j, scope in enumerate(key.scopes):
                    if scope not in scopes[key.api]:
                        yield (
                            base + ("scopes", j),
                            f"scope {quote(scope)} is not defined in api {quote(key.api)}",
                        )
            if key.type == "organization" and not key.org_code:
                yield base + ("org_code",), 'an "organization" api key needs an "org_code"'
            if key.type == "environment" and key.org_code:
                yield base + ("org_code",), 'only "organization" api keys take an "org_code"'
        yield from self._duplicates(
            "api key key", [(("api_keys", i), k.key) for i, k in enumerate(self.ws.api_keys)]
        )


def _flag_issues(flag: FeatureFlag, base: JsonPath) -> Iterator[Issue]:
    if problem := _key_problem(flag.key, what="feature flag key"):
        yield base + ("key",), problem
    if not flag.name:
        yield base + ("name",), "name must not be empty"
    if problem := flag_value_problem(flag.type, flag.default_value):
        yield base + ("default_value",), problem
    if flag.value is not None and (problem := flag_value_problem(flag.type, flag.value)):
        yield base + ("value",), problem


def _date_problem(text: str) -> str | None:
    if _DATE.match(text):
        try:
            dt.date.fromisoformat(text)
            return None
        except ValueError:
            pass
    return f"expected a date as YYYY-MM-DD, got {quote(text)}"


def validate_workspace(
    ws: Workspace, *, root: SourceNode | None = None, doc: dict[str, Any] | None = None
) -> list[ConfigError]:
    """Every semantic problem of ``ws``, in document order.

    ``root`` (the loader's source tree) and ``doc`` (the merged document) locate and order the
    errors; without them errors name ``ws.source`` and paths in the merged document.
    """

    def locate(path: JsonPath) -> tuple[str, str]:
        return root.locate(path) if root is not None else (ws.source, format_path(path))

    def where(path: JsonPath) -> str:
        return ": ".join(locate(path))

    issues = list(_Checker(ws, where).issues())
    if doc is not None:
        issues.sort(key=lambda issue: document_position(doc, issue[0]))
    errors = []
    for path, message in issues:
        file, json_path = locate(path)
        errors.append(ConfigError(message, file=file, path=json_path))
    return errors
