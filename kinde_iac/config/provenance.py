"""What a workspace's values were written as: the unresolved text at a place of the merged document
(``Workspace.unresolved``), and the variables a value was built from, directly or through other
variables. ``diff`` uses it to tell a value that differs only by a variable from a real difference,
``promote`` to copy references rather than values.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kinde_iac.config.interpolate import variable_references
from kinde_iac.config.model import Workspace
from kinde_iac.jsonpath import PathPart


class _Missing:
    """Nothing is written at a path (the field was left to its default)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def value_at(doc: Any, path: Iterable[PathPart]) -> Any:
    """The value at ``path`` of a JSON document, or ``MISSING``."""
    cur = doc
    for part in path:
        in_object = isinstance(cur, dict) and isinstance(part, str) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if not (in_object or in_list):
            return MISSING
        cur = cur[part]
    return cur


def written_at(ws: Workspace, path: Iterable[PathPart]) -> Any:
    """What the merged document of ``ws`` holds at ``path`` before substitution, or ``MISSING``."""
    return MISSING if ws.unresolved is None else value_at(ws.unresolved, path)


def variables_of(ws: Workspace) -> Mapping[str, Any]:
    """The workspace's variable definitions as written (shared parts' and its own, merged)."""
    found = written_at(ws, ("variables",))
    return found if isinstance(found, dict) else {}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def references(value: Any) -> list[str]:
    """Variables a JSON value refers to directly, in order of first use."""
    seen: dict[str, None] = {}
    for text in _strings(value):
        for name in variable_references(text):
            seen.setdefault(name, None)
    return list(seen)


def built_from(value: Any, variables: Mapping[str, Any]) -> frozenset[str]:
    """Every variable ``value`` was built from: those it names and, through their definitions in
    ``variables``, those they name in turn."""
    out: set[str] = set()
    todo = references(value)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        todo.extend(references(variables.get(name)))
    return frozenset(out)
