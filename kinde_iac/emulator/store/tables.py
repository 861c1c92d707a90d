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


class View:
    """Read access to the tables; only valid while the store lock is held."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def table(self, scope: str, kind: str) -> dict[str, Any]:
        """The live id -> record mapping. Callers must not mutate it: use ``Tx.put``/``delete``."""
        return self._tables.setdefault(scope, {}).setdefault(kind, {})

    def records(self, scope: str, kind: str) -> list[Any]:
        return sorted(self.table(scope, kind).values(), key=_seq)

    def environment_scopes(self) -> list[str]:
        """Every environment with data, served or not (a data file may hold more)."""
        return [s for s in self._tables if s != BUSINESS_SCOPE]


class Tx(View):
    """One change set: every record put or deleted inside one ``Store.write()`` block."""

    def __init__(self, tables: Tables, next_seq: Callable[[], int]) -> None:
        super().__init__(tables)
        self._next_seq = next_seq
        # (scope, kind, id) -> the record before this change set touched it (None: absent).
        self.before: dict[tuple[str, str, str], Any] = {}

    def put(self, scope: str, kind: str, record: Any) -> Any:
        rid = record_id(record)
        self._remember(scope, kind, rid)
        self.table(scope, kind)[rid] = record
        return record

    def delete(self, scope: str, kind: str, rid: str) -> None:
        if rid in self.table(scope, kind):
            self._remember(scope, kind, rid)
            del self.table(scope, kind)[rid]

    def next_seq(self) -> int:
        """A store-wide creation counter: the default (creation) order of every list."""
        return self._next_seq()

    def _remember(self, scope: str, kind: str, rid: str) -> None:
        self.before.setdefault((scope, kind, rid), self.table(scope, kind).get(rid))

    def rollback(self) -> None:
        for (scope, kind, rid), record in self.before.items():
            if record is None:
                self.table(scope, kind).pop(rid, None)
            else:
                self.table(scope, kind)[rid] = record


def require(view: View, scope: str, kind: str, rid: str, code: str, message: str) -> Any:
    """The record ``rid`` or NotFound(code): Kinde's 400 ``*_NOT_FOUND`` answer."""
    record = view.table(scope, kind).get(rid)
    if record is None:
        raise NotFound(code, message)
    return record


def _seq(record: Any) -> int:
    return getattr(record, "seq", 0)
