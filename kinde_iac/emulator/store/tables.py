"""Tables of records, read through a :class:`View` and changed through a :class:`Tx`.

A table is ``scope -> kind -> id -> record``; the scope is an environment code or the business.
A ``Tx`` remembers what each record was before it touched it, so a failed change set can be
undone and a successful one persisted as exactly the records it touched.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kinde_iac.emulator.errors import NotFound
from kinde_iac.emulator.store.models import BUSINESS_SCOPE, record_id

Tables = dict[str, dict[str, dict[str, Any]]]
#: (scope, kind, field) -> a value of that field -> the ids of the records holding it.
Indexes = dict[tuple[str, str, str], dict[Any, set[str]]]


class View:
    """Read access to the tables; only valid while the store lock is held."""

    def __init__(self, tables: Tables, indexes: Indexes | None = None) -> None:
        self._tables = tables
        self._indexes: Indexes = {} if indexes is None else indexes

    def table(self, scope: str, kind: str) -> dict[str, Any]:
        """The live id -> record mapping. Callers must not mutate it: use ``Tx.put``/``delete``."""
        return self._tables.setdefault(scope, {}).setdefault(kind, {})

    def find(self, scope: str, kind: str, field: str, value: Any) -> list[Any]:
        """The records of ``kind`` whose ``field`` equals ``value``. Through an index built on first
        use and kept by every ``Tx`` since: a uniqueness check that scanned the table cost each
        create time in proportion to the records already there (13,000 permissions at the
        benchmark's largest size), which no real Kinde answer shows."""
        index = self._indexes.get((scope, kind, field))
        table = self.table(scope, kind)
        if index is None:
            index = {}
            for rid, record in table.items():
                index.setdefault(getattr(record, field), set()).add(rid)
            self._indexes[(scope, kind, field)] = index
        return [table[rid] for rid in index.get(value, ())]

    def records(self, scope: str, kind: str) -> list[Any]:
        return sorted(self.table(scope, kind).values(), key=_seq)

    def environment_scopes(self) -> list[str]:
        """Every environment with data, served or not (a data file may hold more)."""
        return [s for s in self._tables if s != BUSINESS_SCOPE]


class Tx(View):
    """One change set: every record put or deleted inside one ``Store.write()`` block."""

    def __init__(self, tables: Tables, next_seq: Callable[[], int], indexes: Indexes | None = None) -> None:
        super().__init__(tables, indexes)
        self._next_seq = next_seq
        # (scope, kind, id) -> the record before this change set touched it (None: absent).
        self.before: dict[tuple[str, str, str], Any] = {}

    def put(self, scope: str, kind: str, record: Any) -> Any:
        rid = record_id(record)
        self._remember(scope, kind, rid)
        table = self.table(scope, kind)
        self._reindex(scope, kind, rid, table.get(rid), record)
        table[rid] = record
        return record

    def delete(self, scope: str, kind: str, rid: str) -> None:
        table = self.table(scope, kind)
        if rid in table:
            self._remember(scope, kind, rid)
            self._reindex(scope, kind, rid, table[rid], None)
            del table[rid]

    def next_seq(self) -> int:
        """A store-wide creation counter: the default (creation) order of every list."""
        return self._next_seq()

    def _remember(self, scope: str, kind: str, rid: str) -> None:
        self.before.setdefault((scope, kind, rid), self.table(scope, kind).get(rid))

    def _reindex(self, scope: str, kind: str, rid: str, old: Any, new: Any) -> None:
        for (s, k, field), index in self._indexes.items():
            if (s, k) != (scope, kind):
                continue
            if old is not None:
                holders = index.get(getattr(old, field))
                if holders is not None:
                    holders.discard(rid)
            if new is not None:
                index.setdefault(getattr(new, field), set()).add(rid)

    def rollback(self) -> None:
        for (scope, kind, rid), record in self.before.items():
            if record is None:
                self.table(scope, kind).pop(rid, None)
            else:
                self.table(scope, kind)[rid] = record
        # Rebuilt on their next use rather than undone entry by entry.
        touched = {(scope, kind) for scope, kind, _ in self.before}
        for key in [key for key in self._indexes if key[:2] in touched]:
            del self._indexes[key]


def require(view: View, scope: str, kind: str, rid: str, code: str, message: str) -> Any:
    """The record ``rid`` or NotFound(code): Kinde's 400 ``*_NOT_FOUND`` answer."""
    record = view.table(scope, kind).get(rid)
    if record is None:
        raise NotFound(code, message)
    return record


def _seq(record: Any) -> int:
    return getattr(record, "seq", 0)
