"""Builders and file readers shared by the state tests (imported by name: pytest puts this folder on
sys.path). The readers look at the SQLite file directly, as a second opinion on the store."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from kinde_iac.state import LockInfo, StateResource


def resource(key: str, **attributes: object) -> StateResource:
    """A role resource ``role.<key>``; attributes default to ``{"name": <Key>}``."""
    return StateResource(
        address=f"role.{key}",
        kind="role",
        key=key,
        kinde_id=f"id_{key}",
        natural=(key,),
        attributes=attributes or {"name": key.title()},
    )


def query(path: Path, sql: str, *params: object) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def meta(path: Path) -> dict[str, str]:
    return {row["key"]: row["value"] for row in query(path, "SELECT key, value FROM meta")}


def lock_holder(path: Path) -> LockInfo | None:
    found = query(path, "SELECT id, operation, who, host, pid, since FROM lock")
    return LockInfo(**found[0]) if found else None


def history(path: Path) -> list[dict[str, Any]]:
    """The apply history, oldest first, with the summary decoded."""
    rows = query(path, "SELECT * FROM applies ORDER BY rowid")
    return [{**row, "summary": json.loads(row["summary"])} for row in rows]
