"""``${var.NAME}`` and ``${env:NAME}`` substitution inside string values.

Runs after shared parts are merged, so a workspace's ``variables`` can fill in values written in
a shared part. A string that is exactly one ``${var.NAME}`` takes the variable's value with its
JSON type (``"protect": "${var.protect}"`` gives a boolean); anywhere else the value is spliced in
as text. ``$${`` writes a literal ``${``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kinde_iac.config.seed_format import suggest
from kinde_iac.config.sources import SourceNode
from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import JsonPath, quote

_TOKEN = re.compile(r"\$\$\{|\$\{([^{}]*)\}|\$\{")
_VAR_REF = re.compile(r"^var\.([A-Za-z_][A-Za-z0-9_-]*)$")
_ENV_REF = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")

Scalar = str | int | float | bool


def _as_text(value: Scalar) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class _Resolver:
    def __init__(self, variables: Mapping[str, Any], env: Mapping[str, str], root: SourceNode) -> None:
        self.variables = variables
        self.env = env
        self.root = root
        self.resolved: dict[str, Scalar] = {}
        # Variables being resolved right now; meeting one again means a cycle.
        self.stack: list[str] = []

    def error(self, message: str, path: JsonPath) -> ConfigError:
        file, where = self.root.locate(path)
        return ConfigError(message, file=file, path=where)

    def variable(self, name: str, path: JsonPath) -> Scalar:
        if name in self.resolved:
            return self.resolved[name]
        if name not in self.variables:
            known = sorted(self.variables)
            hint = suggest(name, known) or (
                f" (defined: {', '.join(known)})" if known else " (none are defined)"
            )
            raise self.error(f'undefined variable "{name}" in ${{var.{name}}}{hint}', path)
        if name in self.stack:
            cycle = " -> ".join([*self.stack[self.stack.index(name) :], name])
            raise self.error(f"variables refer to each other in a cycle: {cycle}", path)
        self.stack.append(name)
        try:
            raw = self.variables[name]
            value = self.string(raw, ("variables", name)) if isinstance(raw, str) else raw
        finally:
            self.stack.pop()
        self.resolved[name] = value
        return value

    def reference(self, inner: str, path: JsonPath) -> Scalar:
        m = _VAR_REF.match(inner)
        if m:
            return self.variable(m.group(1), path)
        m = _ENV_REF.match(inner)
        if m:
            name = m.group(1)
            if name not in self.env:
                raise self.error(
                    f'environment variable "{name}" is not set (referenced as ${{env:{name}}})', path
                )
            return self.env[name]
        raise self.error(
            f"unknown reference {quote('${' + inner + '}')}: expected ${{var.NAME}} or ${{env:NAME}} (write $${{ for a literal ${{)",
            path,
        )

    def string(self, text: str, path: JsonPath) -> Scalar:
        if "${" not in text:
            return text
        whole = _TOKEN.fullmatch(text)
        if whole and whole.group(1) is not None:
            return self.reference(whole.group(1), path)
        out: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            out.append(text[pos : m.start()])
            token = m.group(0)
            if token == "$${":
                out.append("${")
            elif m.group(1) is None:
                raise self.error(
                    'unterminated "${": close it with "}" or write "$${" for a literal "${"', path
                )
            else:
                out.append(_as_text(self.reference(m.group(1), path)))
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)

    def walk(self, value: Any, path: JsonPath) -> Any:
        if isinstance(value, str):
            return self.string(value, path)
        if isinstance(value, dict):
            return {k: self.walk(v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.walk(v, path + (i,)) for i, v in enumerate(value)]
        return value


def variable_references(text: str) -> list[str]:
    """Names of the variables ``text`` refers to with ``${var.NAME}``, in order (``$${`` escapes
    are skipped exactly as substitution skips them): what a value was built from."""
    return [m.group(1) for t in _TOKEN.finditer(text)
            if t.group(1) is not None and (m := _VAR_REF.match(t.group(1))) is not None]


def substitute(doc: dict[str, Any], root: SourceNode, env: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the merged ``doc`` with references replaced and ``variables`` removed.

    ``root`` locates errors; variable values may themselves use ``${env:...}`` and ``${var...}``.
    """
    variables = doc.get("variables") or {}
    resolver = _Resolver(variables, env, root)
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "variables":
            continue
        out[key] = resolver.walk(value, (key,))
    return out
