"""What a state backend provides: the storage operations behind :class:`~kinde_iac.state.StateStore`.

A backend stores one workspace's rows (see :mod:`kinde_iac.state.rows`) and runs transactions; it
holds no rules. The rules (serial counting, journal checks, lock semantics, refusing writes under
another run's lock) live once, in the store, on top of these operations, so every backend behaves
alike. SQLite is :class:`kinde_iac.state.sqlite.SqliteBackend`; a PostgreSQL backend implements the
same protocols with every table keyed by workspace.

Contract:

- Everything inside one :meth:`StateBackend.writing` block is one transaction, committed at the
  end of the block and rolled back if it raises. It takes the backend's write lock up front, so two
  writers queue instead of both reading "unlocked"; it brings an older layout up to date first.
- :meth:`StateBackend.reading` sees committed data only; it needs no transaction of its own.
- Failures of the storage engine surface as :class:`~kinde_iac.errors.StateError` naming
  :attr:`StateBackend.where`, never as the driver's own exception.
- A backend is used from one thread at a time: the store serialises its callers.
- A backend whose storage can tell a live holder from a dead one across hosts (PostgreSQL: a
  session advisory lock) offers it as :attr:`StateBackend.session_lock`; SQLite has none.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Protocol

from kinde_iac.state.rows import Row


class MetaTable(Protocol):
    def read(self) -> dict[str, str]:
        """Every meta key and value (see :mod:`kinde_iac.state.meta`)."""

    def bump_serial(self) -> None:
        """Add one to ``serial`` (inside the transaction that changed a resource)."""

    def write(self, values: Mapping[str, str]) -> None:
        """Set meta keys (identity, a migrated state's lineage and serial); others stay as they are."""


class ResourceTable(Protocol):
    def all(self) -> list[Row]:
        """Every resource row, in address order."""

    def get(self, address: str) -> Row | None: ...

    def upsert(self, row: Row) -> None:
        """Insert or replace the row with ``row["address"]``."""

    def delete(self, address: str) -> bool:
        """Delete one row; whether there was one."""

    def clear(self) -> None:
        """Delete every row (a state being replaced by ``state migrate``)."""


class HistoryTable(Protocol):
    def insert(self, row: Row) -> None: ...

    def exists(self, apply_id: str) -> bool: ...

    def finish(self, apply_id: str, *, finished_at: str, status: str, summary: str) -> None: ...

    def latest_id(self) -> str | None:
        """The id of the apply started last, if any."""

    def interrupt(self, lock_id: str) -> None:
        """Mark the applies still "running" under ``lock_id`` as "interrupted"."""

    def all(self) -> list[Row]:
        """Every apply, oldest first."""

    def clear(self) -> None: ...


class JournalTable(Protocol):
    def insert(self, row: Row) -> int:
        """Add an entry (``row`` without ``id``); returns the id the backend gave it (ascending)."""

    def insert_for_apply(self, row: Row) -> int | None:
        """``insert``, in the same statement as the check that ``row["apply_id"]`` is in the history
        (a step's intent is the hot path of an apply): None, and nothing added, when it is not."""

    def get(self, entry_id: int) -> Row | None: ...

    def finish(self, entry_id: int, *, finished_at: str, outcome: str, detail: str,
               kinde_id: str | None) -> bool:
        """Give an entry without a result its result; False, and nothing changed, when no entry
        without a result has ``entry_id``."""

    def of_apply(self, apply_id: str) -> list[Row]:
        """One apply's entries, in id order."""

    def unfinished(self) -> list[Row]:
        """Entries without a result, in id order."""

    def all(self) -> list[Row]:
        """Every entry, in id order."""

    def clear(self) -> None: ...


class LockTable(Protocol):
    def get(self) -> Row | None:
        """The lock row (a :class:`~kinde_iac.state.LockInfo`, ``process`` included), or None."""

    def insert(self, row: Row) -> None:
        """Take the lock; must fail if a row exists, even if the caller's check were wrong."""

    def delete(self) -> None: ...


class SessionLock(Protocol):
    """A lock the storage engine itself ties to this process's connection: it ends when the
    process or its connection does, on any host, so a lock row without it is provably stale."""

    @property
    def held(self) -> bool:
        """Whether this process holds it."""

    def try_acquire(self, wait: float = 0.0) -> bool:
        """Take it if it is free, waiting up to ``wait`` seconds; whether this process now holds it."""

    def release(self) -> None: ...

    def other_holder(self) -> str | None:
        """A description of the live session holding it (for messages), or None when it is free."""


class Tables(Protocol):
    """The tables as one transaction (or one read) sees them."""

    @property
    def meta(self) -> MetaTable: ...

    @property
    def resources(self) -> ResourceTable: ...

    @property
    def history(self) -> HistoryTable: ...

    @property
    def journal(self) -> JournalTable: ...

    @property
    def lock(self) -> LockTable: ...


class StateBackend(Protocol):
    """Where one workspace's state lives."""

    @property
    def workspace(self) -> str: ...

    @property
    def where(self) -> str:
        """How errors name the state (a file path, a URL without its password)."""

    @property
    def born(self) -> bool:
        """Whether the state has been created. An unborn state reads as empty and holds nothing."""

    def create(self) -> None:
        """Bring the state into being (layout, then a new lineage); nothing if it exists already."""

    def reading(self) -> AbstractContextManager[Tables]:
        """The tables of a born state, to read."""

    def writing(self) -> AbstractContextManager[Tables]:
        """The tables of a born state inside one write transaction."""

    @property
    def session_lock(self) -> SessionLock | None:
        """The storage engine's own lock for this workspace, if it has one."""

    def close(self) -> None: ...
