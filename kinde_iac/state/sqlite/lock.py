"""SQLite table ``lock``: at most one row, ``slot`` 1.

The holder's process token (``LockInfo.process``) lives in meta under ``lock_process`` as
"<lock id> <token>", so files keep the schema-2 layout that older kinde-iac versions read.
"""
from __future__ import annotations

import sqlite3

from kinde_iac.state.rows import Row
from kinde_iac.state.sqlite.rows import fetch_one

_SLOT = 1
PROCESS_KEY = "lock_process"


class SqliteLock:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self) -> Row | None:
        # One statement: every guarded write asks who holds the lock.
        row = fetch_one(self._conn, "SELECT l.id, l.operation, l.who, l.host, l.pid, l.since, m.value AS process "
                                    "FROM lock l LEFT JOIN meta m ON m.key = ? WHERE l.slot = ?", (PROCESS_KEY, _SLOT))
        if row is None:
            return None
        lock_id, _, process = (row["process"] or "").partition(" ")
        return {**row, "process": process if lock_id == row["id"] and process else None}

    def insert(self, row: Row) -> None:
        # The primary key on slot refuses a second row: an IntegrityError, never two holders.
        self._conn.execute(
            "INSERT INTO lock (slot, id, operation, who, host, pid, since) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_SLOT, row["id"], row["operation"], row["who"], row["host"], row["pid"], row["since"]),
        )
        if row.get("process"):
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (PROCESS_KEY, f"{row['id']} {row['process']}"),
            )

    def delete(self) -> None:
        self._conn.execute("DELETE FROM lock WHERE slot = ?", (_SLOT,))
        self._conn.execute("DELETE FROM meta WHERE key = ?", (PROCESS_KEY,))
