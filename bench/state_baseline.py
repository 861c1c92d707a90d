"""The SQLite state writes as they were before issue 19, kept as the benchmark's baseline: every
table call goes through sqlite-utils (which looks up the table's schema on each call), the serial is
read then written, and commits are fully synced (``synchronous=FULL``)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from kinde_iac.state.rows import Row
from kinde_iac.state.sqlite import SqliteBackend, database
from kinde_iac.state.sqlite.schema import resource_row_from_v1


class OldMeta:
    def __init__(self, db: Database) -> None:
        self._db = db

    def read(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._db.table("meta").rows}

    def bump_serial(self) -> None:
        meta = self._db.table("meta")
        serial = int(meta.get("serial")["value"])
        meta.update("serial", {"value": str(serial + 1)})


class OldResources:
    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> list[Row]:
        return [r if "protect" in r else resource_row_from_v1(r)
                for r in self._db.table("resources").rows_where(order_by="address")]

    def get(self, address: str) -> Row | None:
        try:
            return self._db.table("resources").get(address)
        except NotFoundError:
            return None

    def upsert(self, row: Row) -> None:
        self._db.table("resources").upsert(row, pk="address")

    def delete(self, address: str) -> bool:
        table = self._db.table("resources")
        if not table.count_where("address = ?", [address]):
            return False
        table.delete(address)
        return True


class OldHistory:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(self, row: Row) -> None:
        self._db.table("applies").insert(row)

    def exists(self, apply_id: str) -> bool:
        return bool(self._db.table("applies").count_where("id = ?", [apply_id]))

    def latest_id(self) -> str | None:
        latest = list(self._db.table("applies").rows_where(select="id", order_by="rowid DESC", limit=1))
        return latest[0]["id"] if latest else None


class OldJournal:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(self, row: Row) -> int:
        entry_id = self._db.table("journal").insert(row).last_pk
        assert isinstance(entry_id, int)
        return entry_id

    def insert_for_apply(self, row: Row) -> int | None:
        # As it was: the apply looked up, then the entry inserted.
        if not self._db.table("applies").count_where("id = ?", [row["apply_id"]]):
            return None
        return self.insert(row)

    def get(self, entry_id: int) -> Row | None:
        try:
            return self._db.table("journal").get(entry_id)
        except NotFoundError:
            return None

    def finish(self, entry_id: int, *, finished_at: str, outcome: str, detail: str, kinde_id: str | None) -> bool:
        # As it was: the entry read and checked, then updated.
        entry = self.get(entry_id)
        if entry is None or entry["finished_at"] is not None:
            return False
        self._db.table("journal").update(
            entry_id, {"finished_at": finished_at, "outcome": outcome, "detail": detail, "kinde_id": kinde_id})
        return True


class OldLock:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self) -> Row | None:
        for row in self._db.table("lock").rows:
            return {k: v for k, v in row.items() if k != "slot"}
        return None


@attrs.frozen
class OldTables:
    meta: OldMeta
    resources: OldResources
    history: OldHistory
    journal: OldJournal
    lock: OldLock


class BaselineSqliteBackend(SqliteBackend):
    """The current backend with the old tables and full sync: what one step cost before."""

    def _attach(self, conn: sqlite3.Connection) -> None:
        super()._attach(conn)
        conn.execute("PRAGMA synchronous = FULL")
        db = Database(conn, execute_plugins=False)
        self._tables = OldTables(OldMeta(db), OldResources(db), OldHistory(db), OldJournal(db),  # type: ignore[assignment]
                                 OldLock(db))

    @classmethod
    def at(cls, path: Path, workspace: str) -> BaselineSqliteBackend:
        current = SqliteBackend.open(path, workspace=workspace)
        current.create()  # the layout (unchanged by issue 19)
        current.close()
        backend = cls(path=path, workspace=workspace, domain=None)
        backend._attach(database.connect(path))
        return backend
