"""What the spec itself forbids in a request, checked before any handler runs.

Handlers and the store enforce each kind's rules (required fields, lengths, unique keys); this
module enforces, for every operation alike, the two things the spec states in its schemas and a
handler could easily let through:

- a query parameter with an ``enum`` or an ``integer`` type must hold one of those values: an
  unknown filter value or an empty ``sort=`` / ``page_size=`` is refused, not read as "absent";
- ``null`` is refused for a top-level body field the spec does not declare ``nullable``.

Both answer Kinde's ``error_response`` with ``INVALID_<NAME>``, the code the handlers use for a
wrong value.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from kinde_iac.emulator import apispec
from kinde_iac.emulator.errors import bad_request


@attrs.frozen
class QueryRule:
    name: str
    enum: tuple[str, ...] | None
    integer: bool

    def check(self, value: str) -> None:
        if self.enum is not None and value not in self.enum:
            raise bad_request(f"INVALID_{self.name.upper()}",
                              f"{self.name} must be one of: {', '.join(self.enum)}")
        if self.integer:
            try:
                int(value)
            except ValueError:
                raise bad_request(f"INVALID_{self.name.upper()}", f"{self.name} must be an integer") from None


@attrs.frozen
class RequestRules:
    """The checkable rules of one operation."""

    query: tuple[QueryRule, ...] = ()
    non_nullable: frozenset[str] = frozenset()  # top-level body fields that must not be null

    def check(self, args: Mapping[str, str], body: Callable[[], dict[str, Any]]) -> None:
        """``body`` parses the JSON body (called only when the operation takes one)."""
        for rule in self.query:
            value = args.get(rule.name)
            if value is not None:
                rule.check(value)
        if self.non_nullable:
            for name, value in body().items():
                if value is None and name in self.non_nullable:
                    raise bad_request(f"INVALID_{name.upper()}", f"{name} must not be null")


@functools.cache
def rules_for(method: str, template: str) -> RequestRules:
    """The rules of the spec operation ``METHOD template`` (KeyError if the spec lacks it)."""
    operation = apispec.operations()[(method.upper(), template)]
    query = []
    for param in operation.get("parameters") or ():
        param = apispec.resolve(param)
        if param.get("in") != "query":
            continue
        schema = apispec.resolve(param.get("schema") or {})
        enum = schema.get("enum")
        if enum is not None or schema.get("type") == "integer":
            query.append(QueryRule(param["name"], tuple(str(v) for v in enum) if enum else None,
                                   schema.get("type") == "integer"))
    return RequestRules(tuple(query), frozenset(_non_nullable_fields(operation)))


def _non_nullable_fields(operation: dict[str, Any]) -> list[str]:
    body = apispec.resolve(operation.get("requestBody") or {})
    media = (body.get("content") or {}).get("application/json") or {}
    schema = apispec.resolve(media.get("schema") or {})
    return [name for name, prop in (schema.get("properties") or {}).items()
            if not apispec.resolve(prop).get("nullable", False)]


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "boolean": (bool,), "integer": (int,), "number": (int, float),
    "array": (list,), "object": (dict,),
}


def value_problem(schema: dict[str, Any], value: Any, where: str) -> str | None:
    """Why ``value`` does not fit ``schema`` (type, enum, array items, known object properties),
    or None. Object properties the schema does not name are allowed, as the spec allows them."""
    schema = apispec.resolve(schema)
    if value is None:
        return None if schema.get("nullable") else f"{where} must not be null"
    kind = schema.get("type")
    expected = _JSON_TYPES.get(kind or "")
    if expected and (not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))):
        return f"{where} must be of type {kind}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where} must be one of: {', '.join(map(str, schema['enum']))}"
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            problem = value_problem(schema["items"], item, f"{where}[{i}]")
            if problem:
                return problem
    if kind == "object":
        for name, prop in (schema.get("properties") or {}).items():
            if name in value:
                problem = value_problem(prop, value[name], f"{where}.{name}")
                if problem:
                    return problem
    return None
