"""The apply history and journal rules: an apply is begun and ended; each object step writes an
intent before it starts and a result after it. Run by :class:`~kinde_iac.state.StateStore` inside
backend transactions; what a result does to the resources is the store's part."""
from __future__ import annotations

import os
import uuid
from typing import Any

from kinde_iac.errors import StateError
from kinde_iac.state import rows
from kinde_iac.state.backend import Tables
from kinde_iac.state.lock import current_host
from kinde_iac.state.records import OUTCOMES, ApplyRecord, JournalEntry, utc_now


def new_apply(*, who: str, lock_id: str | None, summary: dict[str, Any] | None) -> rows.Row:
    """The history row of an apply that starts now (status "running")."""
    record = ApplyRecord(id=str(uuid.uuid4()), who=who, host=current_host(), pid=os.getpid(), lock_id=lock_id,
                         started_at=utc_now(), finished_at=None, status="running", summary=summary or {})
    return rows.to_row(record, "apply summary")


def end(tables: Tables, apply_id: str, *, status: str, summary_json: str, where: str) -> None:
    _check_apply(tables, apply_id, where)
    tables.history.finish(apply_id, finished_at=utc_now(), status=status, summary=summary_json)


def intent(tables: Tables, apply_id: str, address: str, action: str, method: str, path: str, where: str) -> int:
    """Record that a step is about to start; returns the entry id for its result."""
    entry = JournalEntry(id=0, apply_id=apply_id, address=address, action=action, method=method, path=path,
                         started_at=utc_now(), finished_at=None, outcome=None, detail="", kinde_id=None)
    row = rows.to_row(entry, "journal entry")
    del row["id"]  # the backend numbers entries
    entry_id = tables.journal.insert_for_apply(row)
    if entry_id is None:
        raise _no_apply(apply_id, where)
    return entry_id


def check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise StateError(f"journal outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")


def result(tables: Tables, entry_id: int, *, outcome: str, detail: str, kinde_id: str | None, where: str) -> None:
    """Close an open entry with its outcome; an entry gets exactly one result."""
    if tables.journal.finish(entry_id, finished_at=utc_now(), outcome=outcome, detail=detail, kinde_id=kinde_id):
        return
    entry = tables.journal.get(entry_id)
    if entry is None:
        raise StateError(f"state file {where}: no journal entry {entry_id}")
    raise StateError(f"state file {where}: journal entry {entry_id} already has a result ({entry['outcome']})")


def entries(tables: Tables, apply_id: str | None, where: str) -> list[JournalEntry]:
    """One apply's entries in step order; ``None``: the apply started last."""
    wanted = apply_id if apply_id is not None else tables.history.latest_id()
    if wanted is None:
        return []
    return [rows.from_row(row, JournalEntry, where) for row in tables.journal.of_apply(wanted)]


def open_intents(tables: Tables, where: str) -> list[JournalEntry]:
    return [rows.from_row(row, JournalEntry, where) for row in tables.journal.unfinished()]


def _check_apply(tables: Tables, apply_id: str, where: str) -> None:
    if not tables.history.exists(apply_id):
        raise _no_apply(apply_id, where)


def _no_apply(apply_id: str, where: str) -> StateError:
    return StateError(f"state file {where}: no apply with id {apply_id}")
