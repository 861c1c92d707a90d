"""What the state holds, as typed records: resources as last applied, journal steps, apply history
and the lock.

The records know nothing of tables: :mod:`kinde_iac.state.rows` turns them into rows and back, and
a backend stores the rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import attrs

#: How a journal step can end. A step with no outcome yet is in flight (or its run was killed).
OUTCOMES = ("ok", "failed", "ambiguous")


def utc_now() -> str:
    """Now as ISO-8601 UTC with milliseconds (parallel apply steps land within one second)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    # A typed converter (not bare ``tuple``) so callers passing a tuple type-check. A damaged row
    # could hold any JSON here: only a list of strings is a natural key or a dependency list.
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"expected a list of strings, got {type(value).__name__}")
    out = tuple(value)
    if not all(isinstance(v, str) for v in out):
        raise TypeError("expected a list of strings, got a list holding other values")
    return out


def _object(_instance: object, attribute: attrs.Attribute, value: object) -> None:
    if not isinstance(value, dict):
        raise TypeError(f"{attribute.name}: expected a JSON object, got {type(value).__name__}")


@attrs.frozen
class StateResource:
    """One managed object as last applied: its address, Kinde id, natural key and attributes.

    ``protect`` is remembered so an object removed from config stays protected until it has been
    applied once without it: deleting the config entry must not be the way around the rail.
    """

    address: str
    kind: str
    key: str
    kinde_id: str | None
    natural: tuple[str, ...] = attrs.field(converter=_strings)
    attributes: dict[str, Any] = attrs.field(validator=_object)
    depends_on: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    protect: bool = False
    updated_at: str = ""


@attrs.frozen
class JournalEntry:
    """One object step of an apply: the intent (written before the call) and its result (after)."""

    id: int
    apply_id: str
    address: str
    action: str
    method: str
    path: str
    started_at: str
    finished_at: str | None
    outcome: str | None
    detail: str
    kinde_id: str | None


@attrs.frozen
class LockInfo:
    """Who holds the state lock, for what, and since when (ISO-8601 UTC).

    ``process`` names the holder's process exactly (:mod:`kinde_iac.state.process`) when the
    holder tied the lock to its lifetime, so this host can prove it gone; it is bookkeeping, not
    identity, and takes no part in comparisons.
    """

    id: str
    operation: str
    who: str
    host: str
    pid: int
    since: str
    process: str | None = attrs.field(default=None, eq=False)


@attrs.frozen
class ApplyRecord:
    """One apply in the history. ``status`` is "running" until the engine ends it."""

    id: str
    who: str
    host: str
    pid: int
    lock_id: str | None
    started_at: str
    finished_at: str | None
    status: str
    summary: dict[str, Any]
