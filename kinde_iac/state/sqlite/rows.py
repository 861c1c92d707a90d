"""Plain ``sqlite3`` statements for the tables every step writes.

sqlite-utils builds the layout and migrates it; the per-step reads and writes go straight to the
connection with constant SQL, which sqlite3 prepares once and keeps in its statement cache, instead
of sqlite-utils' table introspection on every call (issue 19: ~65 statements per object before).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from kinde_iac.state.rows import Row


def fetch_all(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]


def fetch_one(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
    cursor = conn.execute(sql, params)
    values = cursor.fetchone()
    if values is None:
        return None
    return dict(zip([d[0] for d in cursor.description], values))


def insert_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(":" + c for c in columns)})'
