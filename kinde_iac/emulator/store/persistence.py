"""Where the store's records live between runs: nowhere (memory) or a SQLite file.

The store keeps every record in memory and hands each completed change set to the backend, which
writes it in one SQLite transaction before the HTTP response is sent. A kill at any moment
therefore loses at most the request in flight, never half of one.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

Row = tuple[str, str, str, str]  # scope, kind, id, JSON body
Key = tuple[str, str, str]  # scope, kind, id


class DataFileInUse(RuntimeError):
    """Another emulator process holds the data file."""


class Backend(Protocol):
    def load(self) -> list[Row]: ...
    def save(self, puts: Iterable[Row], deletes: Iterable[Key]) -> None: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def close(self) -> None: ...


class MemoryBackend:
    """No persistence: state ends with the process."""

    def __init__(self) -> None:
        self._meta: dict[str, str] = {}

    def load(self) -> list[Row]:
        return []

    def save(self, puts: Iterable[Row], deletes: Iterable[Key]) -> None:
        return None

    def get_meta(self, key: str) -> str | None:
        return self._meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self._meta[key] = value

    def close(self) -> None:
        return None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (scope, kind, id)
);
"""


class SqliteBackend:
    """One row per record (JSON body), one transaction per change set.

    The connection is shared by the server's threads; the store's lock serialises every use.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # A short busy timeout: the only contention is a second emulator, which should fail fast.
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=0.2)
        try:
            # Exclusive locking: a second emulator on the same file fails fast instead of two
            # processes each serving their own stale copy. The OS drops the lock if we are killed.
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a killed process (only an OS crash could lose the tail).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executescript(_SCHEMA)  # executescript commits the open transaction
        except sqlite3.OperationalError as exc:
            self._db.close()
            if "locked" in str(exc):
                raise DataFileInUse(f"{self.path} is in use by another emulator") from exc
            raise

    def load(self) -> list[Row]:
        return list(self._db.execute("SELECT scope, kind, id, body FROM objects"))

    def save(self, puts: Iterable[Row], deletes: Iterable[Key]) -> None:
        puts, deletes = list(puts), list(deletes)
        if not puts and not deletes:
            return
        with _transaction(self._db):
            self._db.executemany("DELETE FROM objects WHERE scope=? AND kind=? AND id=?", deletes)
            self._db.executemany(
                "INSERT OR REPLACE INTO objects (scope, kind, id, body) VALUES (?, ?, ?, ?)", puts)

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with _transaction(self._db):
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self._db.close()


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def dumps(body: dict) -> str:
    return json.dumps(body, separators=(",", ":"), sort_keys=True)
