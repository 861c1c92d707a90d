"""SQLite table ``lock``: at most one row, ``slot`` 1."""
from __future__ import annotations

from sqlite_utils import Database

from kinde_iac.state.rows import Row

_SLOT = 1


class SqliteLock:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self) -> Row | None:
        for row in self._db.table("lock").rows:
            return {k: v for k, v in row.items() if k != "slot"}
        return None

    def insert(self, row: Row) -> None:
        # The primary key on slot refuses a second row: an IntegrityError, never two holders.
        self._db.table("lock").insert({"slot": _SLOT, **row})

    def delete(self) -> None:
        self._db.table("lock").delete(_SLOT)
