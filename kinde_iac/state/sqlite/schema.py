"""The SQLite layout: creating the tables, and migrating an older file forward one version at a time.

Version history (``meta.schema_version``):

1. The first layout. A protected resource carried ``"_protect": true`` inside its attributes.
2. ``resources.protect``: a column of its own (0/1); ``_protect`` moved out of the attributes.

A file is migrated inside the first write transaction that finds it older (see ``docs/state.md``):
reads never change the file, and the migration commits with that write or not at all.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from kinde_iac.state.meta import check_version, schema_version
from kinde_iac.state.rows import Row, dumps
from kinde_iac.state.sqlite import database

if TYPE_CHECKING:
    from sqlite_utils import Database

SCHEMA_VERSION = 2
TABLES = ("meta", "resources", "journal", "applies", "lock")

#: Where schema 1 hid the protect flag.
_V1_PROTECT = "_protect"


def create_tables(db: Database) -> None:
    """The current layout, in an empty database."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("resources").create(
        {
            "address": str,
            "kind": str,
            "key": str,
            "kinde_id": str,
            "natural": str,  # JSON array
            "attributes": str,  # JSON object
            "depends_on": str,  # JSON array
            "updated_at": str,
            # Last, where schema 1 -> 2 adds it, so migrated and new files have one layout.
            "protect": int,  # 0/1
        },
        pk="address",
        not_null=["kind", "key", "natural", "attributes", "depends_on", "updated_at", "protect"],
        defaults={"protect": 0},
    )
    db.table("resources").create_index(["kind"])
    db.table("applies").create(
        {
            "id": str,
            "who": str,
            "host": str,
            "pid": int,
            "lock_id": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "summary": str,  # JSON object
        },
        pk="id",
        not_null=["who", "started_at", "status", "summary"],
    )
    db.table("journal").create(
        {
            "id": int,
            "apply_id": str,
            "address": str,
            "action": str,
            "method": str,
            "path": str,
            "started_at": str,
            "finished_at": str,
            "outcome": str,
            "detail": str,
            "kinde_id": str,
        },
        pk="id",
        not_null=["apply_id", "address", "action", "method", "path", "started_at", "detail"],
        foreign_keys=[("apply_id", "applies", "id")],
    )
    db.table("journal").create_index(["apply_id"])
    db.table("journal").create_index(["finished_at"])
    # ``slot`` is always 1: the primary key makes a second concurrent lock row impossible even if
    # the check-then-insert that takes the lock were ever got wrong.
    db.table("lock").create(
        {"slot": int, "id": str, "operation": str, "who": str, "host": str, "pid": int, "since": str},
        pk="slot",
        not_null=["id", "operation", "who", "host", "pid", "since"],
    )


def resource_row_from_v1(row: Row) -> Row:
    """A schema-1 resource row in the current shape: the protect flag out of the attributes."""
    attributes = json.loads(row["attributes"])
    protect = bool(attributes.pop(_V1_PROTECT, False))
    return {**row, "attributes": dumps(attributes), "protect": protect}


def _v1_to_v2(db: Database) -> None:
    table = db.table("resources")
    table.add_column("protect", int, not_null_default=0)
    for row in list(table.rows):
        moved = resource_row_from_v1(row)
        if moved["attributes"] != row["attributes"]:
            table.update(row["address"], {"attributes": moved["attributes"], "protect": int(moved["protect"])})


#: ``MIGRATIONS[n]`` turns a version-n file into version n + 1, inside the caller's transaction.
MIGRATIONS: dict[int, Callable[[Database], None]] = {1: _v1_to_v2}


def migrate(conn: sqlite3.Connection, where: str) -> None:
    """Bring a born file up to :data:`SCHEMA_VERSION` (inside the caller's write transaction).

    Also refuses a file that a newer kinde-iac has migrated since it was opened.
    """
    # One statement: this runs at the start of every write transaction.
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('schema_version', 'lineage')").fetchall())
    version = schema_version(meta, where)
    check_version(version, SCHEMA_VERSION, where)
    if version == SCHEMA_VERSION:
        return
    db = database.utils(conn)
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](db)
    db.table("meta").update("schema_version", {"value": str(SCHEMA_VERSION)})
