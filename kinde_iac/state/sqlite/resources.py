"""SQLite tables ``meta`` (key/value) and ``resources`` (one row per address)."""
from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from kinde_iac.state.rows import Row
from kinde_iac.state.sqlite.rows import fetch_all, fetch_one, insert_sql
from kinde_iac.state.sqlite.schema import resource_row_from_v1

RESOURCE_COLUMNS = ("address", "kind", "key", "kinde_id", "natural", "attributes", "depends_on", "updated_at",
                    "protect")
_UPSERT = insert_sql("resources", RESOURCE_COLUMNS) + " ON CONFLICT(address) DO UPDATE SET " + ", ".join(
    f'"{c}" = excluded."{c}"' for c in RESOURCE_COLUMNS[1:])


class SqliteMeta:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def read(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def bump_serial(self) -> None:
        # One statement; the column's TEXT affinity stores the sum as text, like every meta value.
        self._conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'serial'")

    def write(self, values: Mapping[str, str]) -> None:
        self._conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )


def _current(row: Row) -> Row:
    # Reads never migrate (a plan leaves the file as it found it), so a schema-1 file that no
    # write has touched yet is read in its old shape.
    return row if "protect" in row else resource_row_from_v1(row)


class SqliteResources:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def all(self) -> list[Row]:
        return [_current(row) for row in fetch_all(self._conn, "SELECT * FROM resources ORDER BY address")]

    def get(self, address: str) -> Row | None:
        row = fetch_one(self._conn, "SELECT * FROM resources WHERE address = ?", (address,))
        return _current(row) if row is not None else None

    def upsert(self, row: Row) -> None:
        self._conn.execute(_UPSERT, {c: row[c] for c in RESOURCE_COLUMNS})

    def delete(self, address: str) -> bool:
        return self._conn.execute("DELETE FROM resources WHERE address = ?", (address,)).rowcount > 0

    def clear(self) -> None:
        self._conn.execute("DELETE FROM resources")
