"""SQLite tables ``meta`` (key/value) and ``resources`` (one row per address)."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from kinde_iac.state.rows import Row
from kinde_iac.state.sqlite.schema import resource_row_from_v1


class SqliteMeta:
    def __init__(self, db: Database) -> None:
        self._db = db

    def read(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._db.table("meta").rows}

    def bump_serial(self) -> None:
        meta = self._db.table("meta")
        serial = int(meta.get("serial")["value"])
        meta.update("serial", {"value": str(serial + 1)})


def _current(row: Row) -> Row:
    # Reads never migrate (a plan leaves the file as it found it), so a schema-1 file that no
    # write has touched yet is read in its old shape.
    return row if "protect" in row else resource_row_from_v1(row)


class SqliteResources:
    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> list[Row]:
        return [_current(row) for row in self._db.table("resources").rows_where(order_by="address")]

    def get(self, address: str) -> Row | None:
        try:
            return _current(self._db.table("resources").get(address))
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
