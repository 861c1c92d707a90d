"""``state migrate``: one workspace's state copied whole from one backend to another.

What moves is what a plan and the history depend on: lineage, serial and identity (meta),
resources, applies and journal (entries keep their order; the target numbers them). The lock and
the layout version are each backend's own. The copy is one write transaction on the target, so a
target is either untouched or a complete copy.

A target may already hold the workspace. It is replaced when it is blank (serial 0, no rows:
what an interrupted migration or a bare lock leaves) or carries the same lineage no further on (a
repeated migration, or migrating back); any other lineage is another history of this workspace,
and overwriting it would orphan every object it created, so that is refused.
"""
from __future__ import annotations

import attrs

from kinde_iac.errors import StateError
from kinde_iac.state import rows
from kinde_iac.state.backend import Tables
from kinde_iac.state.identity import KEYS as IDENTITY_KEYS
from kinde_iac.state.records import ApplyRecord, JournalEntry, StateResource

#: The meta keys a migration carries over; schema_version and workspace are the target's own.
COPIED_META = ("lineage", "serial", "created_at", *IDENTITY_KEYS)


@attrs.frozen
class Snapshot:
    """A workspace's state as records: each backend's row spellings (SQLite's 0/1 for a boolean)
    are read by the one converter and written back by it in the target's."""

    meta: dict[str, str]
    resources: list[StateResource]
    history: list[ApplyRecord]
    journal: list[JournalEntry]


@attrs.frozen
class Copied:
    """What a migration carried (for the command's summary)."""

    lineage: str
    serial: int
    resources: int
    applies: int
    journal: int


def snapshot(tables: Tables, where: str) -> Snapshot:
    meta = tables.meta.read()
    return Snapshot(meta={k: meta[k] for k in COPIED_META if k in meta},
                    resources=[rows.from_row(r, StateResource, where) for r in tables.resources.all()],
                    history=[rows.from_row(r, ApplyRecord, where) for r in tables.history.all()],
                    journal=[rows.from_row(r, JournalEntry, where) for r in tables.journal.all()])


def _blank(tables: Tables, meta: dict[str, str]) -> bool:
    return int(meta.get("serial", "0")) == 0 and not tables.resources.all() and not tables.history.all()


def restore(tables: Tables, snap: Snapshot, *, source: str, target: str) -> None:
    """Replace the target's rows with ``snap`` (inside the target's write transaction)."""
    meta = tables.meta.read()
    lineage, serial = meta.get("lineage", ""), int(meta.get("serial", "0"))
    if lineage != snap.meta["lineage"] and not _blank(tables, meta):
        raise StateError(
            f"cannot migrate to {target}: it already holds workspace state with another lineage "
            f"({lineage}, serial {serial}; the source {source} has {snap.meta['lineage']}); "
            f"two histories of one workspace cannot be merged: pick an empty target"
        )
    if lineage == snap.meta["lineage"] and serial > int(snap.meta["serial"]):
        raise StateError(
            f"cannot migrate to {target}: it holds this state further on (serial {serial}, the source "
            f"{source} has {snap.meta['serial']}); migrate from it instead"
        )
    tables.journal.clear()
    tables.history.clear()
    tables.resources.clear()
    for resource in snap.resources:
        tables.resources.upsert(rows.to_row(resource, f"state of {resource.address}"))
    for apply in snap.history:
        tables.history.insert(rows.to_row(apply, "apply"))
    for entry in snap.journal:
        row = rows.to_row(entry, "journal entry")
        del row["id"]  # the target numbers entries, in the same order
        tables.journal.insert(row)
    tables.meta.write(snap.meta)


def copied(snap: Snapshot) -> Copied:
    return Copied(lineage=snap.meta["lineage"], serial=int(snap.meta["serial"]), resources=len(snap.resources),
                  applies=len(snap.history), journal=len(snap.journal))
