"""SQLite tables ``applies`` (the apply history) and ``journal`` (one row per object step)."""
from __future__ import annotations

import sqlite3

from kinde_iac.state.rows import Row
from kinde_iac.state.sqlite.rows import fetch_all, fetch_one, insert_sql

APPLY_COLUMNS = ("id", "who", "host", "pid", "lock_id", "started_at", "finished_at", "status", "summary")
JOURNAL_COLUMNS = ("apply_id", "address", "action", "method", "path", "started_at", "finished_at", "outcome",
                   "detail", "kinde_id")
_INSERT_APPLY = insert_sql("applies", APPLY_COLUMNS)
_INSERT_ENTRY = insert_sql("journal", JOURNAL_COLUMNS)
_INSERT_ENTRY_OF_APPLY = (f"INSERT INTO journal ({', '.join(JOURNAL_COLUMNS)}) "
                          f"SELECT {', '.join(':' + c for c in JOURNAL_COLUMNS)} "
                          "WHERE EXISTS (SELECT 1 FROM applies WHERE id = :apply_id)")


class SqliteHistory:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def insert(self, row: Row) -> None:
        self._conn.execute(_INSERT_APPLY, {c: row[c] for c in APPLY_COLUMNS})

    def exists(self, apply_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM applies WHERE id = ?", (apply_id,)).fetchone() is not None

    def finish(self, apply_id: str, *, finished_at: str, status: str, summary: str) -> None:
        self._conn.execute("UPDATE applies SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                           (finished_at, status, summary, apply_id))

    def latest_id(self) -> str | None:
        # rowid order is insertion order: started_at can tie within a millisecond.
        latest = self._conn.execute("SELECT id FROM applies ORDER BY rowid DESC LIMIT 1").fetchone()
        return latest[0] if latest else None

    def interrupt(self, lock_id: str) -> None:
        self._conn.execute("UPDATE applies SET status = 'interrupted' WHERE lock_id = ? AND status = 'running'",
                           (lock_id,))

    def all(self) -> list[Row]:
        return fetch_all(self._conn, "SELECT * FROM applies ORDER BY rowid")

    def clear(self) -> None:
        self._conn.execute("DELETE FROM applies")


class SqliteJournal:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def insert(self, row: Row) -> int:
        entry_id = self._conn.execute(_INSERT_ENTRY, {c: row[c] for c in JOURNAL_COLUMNS}).lastrowid
        assert isinstance(entry_id, int)
        return entry_id

    def insert_for_apply(self, row: Row) -> int | None:
        cursor = self._conn.execute(_INSERT_ENTRY_OF_APPLY, {c: row[c] for c in JOURNAL_COLUMNS})
        # lastrowid keeps an earlier insert's id when this one added nothing.
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def get(self, entry_id: int) -> Row | None:
        return fetch_one(self._conn, "SELECT * FROM journal WHERE id = ?", (entry_id,))

    def finish(self, entry_id: int, *, finished_at: str, outcome: str, detail: str, kinde_id: str | None) -> bool:
        return self._conn.execute(
            "UPDATE journal SET finished_at = ?, outcome = ?, detail = ?, kinde_id = ? "
            "WHERE id = ? AND finished_at IS NULL", (finished_at, outcome, detail, kinde_id, entry_id)).rowcount == 1

    def of_apply(self, apply_id: str) -> list[Row]:
        return fetch_all(self._conn, "SELECT * FROM journal WHERE apply_id = ? ORDER BY id", (apply_id,))

    def unfinished(self) -> list[Row]:
        return fetch_all(self._conn, "SELECT * FROM journal WHERE finished_at IS NULL ORDER BY id")

    def all(self) -> list[Row]:
        return fetch_all(self._conn, "SELECT * FROM journal ORDER BY id")

    def clear(self) -> None:
        self._conn.execute("DELETE FROM journal")
