"""Semantic checks on a structured Workspace: what types alone cannot say.

Each kind checks its own section (``Kind.check``: duplicates, references to other kinds' keys,
formats); this module checks the settings that belong to no kind, and turns every issue into a
ConfigError located in the file and JSON path the user wrote, in document order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Any

from kinde_iac.config.model import Workspace
from kinde_iac.config.sources import document_position
from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import quote
from kinde_iac.resources import KINDS
from kinde_iac.resources.kind_config import Issue

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date_problem(text: str) -> str | None:
    if _DATE.match(text):
        try:
            dt.date.fromisoformat(text)
            return None
        except ValueError:
            pass
    return f"expected a date as YYYY-MM-DD, got {quote(text)}"


def _settings_issues(ws: Workspace) -> Iterator[Issue]:
    for i, rule in enumerate(ws.ignore):
        if not rule.address:
            yield ("ignore", i, "address"), "address pattern must not be empty"
        if rule.until is not None:
            problem = _date_problem(rule.until)
            if problem:
                yield ("ignore", i, "until"), problem
    yield from _moved_issues(ws)
    if not 0.0 <= ws.max_delete_fraction <= 1.0:
        yield ("max_delete_fraction",), f"expected a number between 0 and 1, got {ws.max_delete_fraction}"


def _moved_issues(ws: Workspace) -> Iterator[Issue]:
    """A moved entry names two addresses of one kind: the old one, which the config no longer
    has, and the new one, which it has."""
    kinds = {k.name for k in KINDS}
    sources: set[str] = set()
    for i, entry in enumerate(ws.moved):
        parts = {}
        for field, address in (("source", entry.source), ("target", entry.target)):
            kind, sep, key = address.partition(".")
            if not sep or not key or kind not in kinds:
                yield ("moved", i, field), (f"expected an address <kind>.<key> with a kind among "
                                            f"{', '.join(sorted(kinds))}, got {quote(address)}")
            parts[field] = kind
        if len(parts) < 2 or any(k not in kinds for k in parts.values()):
            continue
        if parts["source"] != parts["target"]:
            yield ("moved", i, "target"), (f"an object keeps its kind: {quote(entry.source)} cannot move to "
                                           f"{quote(entry.target)}")
        elif entry.source == entry.target:
            yield ("moved", i, "target"), "\"from\" and \"to\" are the same address"
        elif entry.source in ws.paths:
            yield ("moved", i, "source"), (f"{quote(entry.source)} is still in the configuration; \"from\" "
                                           f"names the address the object had before")
        elif entry.target not in ws.paths:
            yield ("moved", i, "target"), f"no object in the configuration has the address {quote(entry.target)}"
        elif entry.source in sources:
            yield ("moved", i, "source"), f"{quote(entry.source)} is moved twice"
        sources.add(entry.source)


def validate_workspace(ws: Workspace, *, doc: dict[str, Any] | None = None) -> list[ConfigError]:
    """Every semantic problem of ``ws``, located through ``ws.locate``.

    With ``doc`` (the merged document) they come in document order; without it, kind by kind in
    registry order, then the settings.
    """
    issues = [issue for kind in KINDS for issue in kind.check(ws)]
    issues.extend(_settings_issues(ws))
    if doc is not None:
        issues.sort(key=lambda issue: document_position(doc, issue[0]))
    errors = []
    for path, message in issues:
        file, json_path = ws.locate(path)
        errors.append(ConfigError(message, file=file, path=json_path))
    return errors


def check_workspaces(workspaces: Sequence[Workspace]) -> list[ConfigError]:
    """Problems only visible across workspaces (``validate --all``), each located in the file that
    wrote the disagreeing value (definitions Kinde shares between environments, say)."""
    errors = []
    for kind in KINDS:
        for ws, path, message in kind.check_workspaces(workspaces):
            file, where = ws.locate(path)
            errors.append(ConfigError(message, file=file, path=where))
    return errors
