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
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from kinde_iac.state.rows import Row


class MetaTable(Protocol):
    def read(self) -> dict[str, str]:
        """Every meta key and value (see :mod:`kinde_iac.state.meta`)."""

    def bump_serial(self) -> None:
        """Add one to ``serial`` (inside the transaction that changed a resource)."""


class ResourceTable(Protocol):
    def all(self) -> list[Row]:
        """Every resource row, in address order."""

    def get(self, address: str) -> Row | None: ...

    def upsert(self, row: Row) -> None:
        """Insert or replace the row with ``row["address"]``."""

    def delete(self, address: str) -> bool:
        """Delete one row; whether there was one."""


class HistoryTable(Protocol):
    def insert(self, row: Row) -> None: ...

    def exists(self, apply_id: str) -> bool: ...

    def finish(self, apply_id: str, *, finished_at: str, status: str, summary: str) -> None: ...

    def latest_id(self) -> str | None:
        """The id of the apply started last, if any."""

    def interrupt(self, lock_id: str) -> None:
        """Mark the applies still "running" under ``lock_id`` as "interrupted"."""


class JournalTable(Protocol):
    def insert(self, row: Row) -> int:
        """Add an entry (``row`` without ``id``); returns the id the backend gave it (ascending)."""

    def get(self, entry_id: int) -> Row | None: ...

    def finish(self, entry_id: int, *, finished_at: str, outcome: str, detail: str,
               kinde_id: str | None) -> None: ...

    def of_apply(self, apply_id: str) -> list[Row]:
        """One apply's entries, in id order."""

    def unfinished(self) -> list[Row]:
        """Entries without a result, in id order."""


class LockTable(Protocol):
    def get(self) -> Row | None:
        """The lock row (a :class:`~kinde_iac.state.LockInfo`), or None when unlocked."""

    def insert(self, row: Row) -> None:
        """Take the lock; must fail if a row exists, even if the caller's check were wrong."""

    def delete(self) -> None: ...


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

    def close(self) -> None: ...
