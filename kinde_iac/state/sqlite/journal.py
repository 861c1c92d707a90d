"""SQLite tables ``applies`` (the apply history) and ``journal`` (one row per object step)."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from kinde_iac.state.rows import Row


class SqliteHistory:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(self, row: Row) -> None:
        self._db.table("applies").insert(row)

    def exists(self, apply_id: str) -> bool:
        return bool(self._db.table("applies").count_where("id = ?", [apply_id]))

    def finish(self, apply_id: str, *, finished_at: str, status: str, summary: str) -> None:
        self._db.table("applies").update(apply_id, {"finished_at": finished_at, "status": status, "summary": summary})

    def latest_id(self) -> str | None:
        # rowid order is insertion order: started_at can tie within a millisecond.
        latest = list(self._db.table("applies").rows_where(select="id", order_by="rowid DESC", limit=1))
        return latest[0]["id"] if latest else None

    def interrupt(self, lock_id: str) -> None:
        self._db.execute(
            "UPDATE applies SET status = 'interrupted' WHERE lock_id = ? AND status = 'running'", [lock_id]
        )


class SqliteJournal:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(self, row: Row) -> int:
        entry_id = self._db.table("journal").insert(row).last_pk
        assert isinstance(entry_id, int)
        return entry_id

    def get(self, entry_id: int) -> Row | None:
        try:
            return self._db.table("journal").get(entry_id)
        except NotFoundError:
            return None

    def finish(self, entry_id: int, *, finished_at: str, outcome: str, detail: str, kinde_id: str | None) -> None:
        self._db.table("journal").update(
            entry_id, {"finished_at": finished_at, "outcome": outcome, "detail": detail, "kinde_id": kinde_id}
        )

    def of_apply(self, apply_id: str) -> list[Row]:
        return list(self._db.table("journal").rows_where("apply_id = ?", [apply_id], order_by="id"))

    def unfinished(self) -> list[Row]:
        return list(self._db.table("journal").rows_where("finished_at IS NULL", order_by="id"))
