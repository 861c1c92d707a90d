"""The five tables of one workspace in the PostgreSQL schema (the ``Tables`` protocol).

Every statement names the workspace, so workspaces sharing the schema never see each other's rows.
Statements are constant text per schema: psycopg prepares each one on the server once it has run
a few times on a connection, so the per-step writes of a long apply run prepared.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from kinde_iac.state.rows import Row

RESOURCE_COLUMNS = ("address", "kind", "key", "kinde_id", "natural", "attributes", "depends_on", "updated_at",
                    "protect")
APPLY_COLUMNS = ("id", "who", "host", "pid", "lock_id", "started_at", "finished_at", "status", "summary")
JOURNAL_COLUMNS = ("apply_id", "address", "action", "method", "path", "started_at", "finished_at", "outcome",
                   "detail", "kinde_id")
LOCK_COLUMNS = ("id", "operation", "who", "host", "pid", "since", "process")


def _cols(columns: Sequence[str]) -> str:
    # Quoted: NATURAL is a reserved word in PostgreSQL.
    return ", ".join(f'"{c}"' for c in columns)


def _params(columns: Sequence[str]) -> str:
    return ", ".join(f"%({c})s" for c in columns)


class Queries:
    """Every statement, with the schema filled in once."""

    def __init__(self, s: str) -> None:
        self.meta_read = (f"SELECT key, value FROM {s}.meta WHERE workspace = %(ws)s "
                          f"UNION ALL SELECT 'schema_version', version::text FROM {s}.kinde_iac_layout")
        self.meta_bump = (f"UPDATE {s}.meta SET value = (value::bigint + 1)::text "
                          f"WHERE workspace = %(ws)s AND key = 'serial'")
        self.meta_write = (f"INSERT INTO {s}.meta (workspace, key, value) VALUES (%(ws)s, %(key)s, %(value)s) "
                           f"ON CONFLICT (workspace, key) DO UPDATE SET value = EXCLUDED.value")
        self.born = f"SELECT 1 FROM {s}.meta WHERE workspace = %(ws)s AND key = 'lineage'"
        # The start of every write: the layout row shared (a migration waits for us) and this
        # workspace's serial row held until commit (writers of one workspace queue here).
        self.write_lock = (f"SELECT l.version, m.value FROM {s}.kinde_iac_layout l, {s}.meta m "
                           f"WHERE m.workspace = %(ws)s AND m.key = 'serial' FOR SHARE OF l FOR UPDATE OF m")
        self.layout_version = f"SELECT version FROM {s}.kinde_iac_layout"
        self.layout_for_update = f"SELECT version FROM {s}.kinde_iac_layout FOR UPDATE"

        res = f"SELECT {_cols(RESOURCE_COLUMNS)} FROM {s}.resources WHERE workspace = %(ws)s"
        self.res_all = res + " ORDER BY address COLLATE \"C\""
        self.res_get = res + " AND address = %(address)s"
        self.res_upsert = (f"INSERT INTO {s}.resources (workspace, {_cols(RESOURCE_COLUMNS)}) "
                           f"VALUES (%(ws)s, {_params(RESOURCE_COLUMNS)}) ON CONFLICT (workspace, address) DO UPDATE "
                           "SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in RESOURCE_COLUMNS[1:]))
        self.res_delete = f"DELETE FROM {s}.resources WHERE workspace = %(ws)s AND address = %(address)s"
        self.res_clear = f"DELETE FROM {s}.resources WHERE workspace = %(ws)s"

        self.apply_insert = (f"INSERT INTO {s}.applies (workspace, {_cols(APPLY_COLUMNS)}) "
                             f"VALUES (%(ws)s, {_params(APPLY_COLUMNS)})")
        self.apply_exists = f"SELECT 1 FROM {s}.applies WHERE workspace = %(ws)s AND id = %(id)s"
        self.apply_finish = (f"UPDATE {s}.applies SET finished_at = %(finished_at)s, status = %(status)s, "
                             f"summary = %(summary)s WHERE workspace = %(ws)s AND id = %(id)s")
        self.apply_latest = f"SELECT id FROM {s}.applies WHERE workspace = %(ws)s ORDER BY seq DESC LIMIT 1"
        self.apply_interrupt = (f"UPDATE {s}.applies SET status = 'interrupted' "
                                f"WHERE workspace = %(ws)s AND lock_id = %(lock_id)s AND status = 'running'")
        self.apply_all = f"SELECT {_cols(APPLY_COLUMNS)} FROM {s}.applies WHERE workspace = %(ws)s ORDER BY seq"
        self.apply_clear = f"DELETE FROM {s}.applies WHERE workspace = %(ws)s"

        entry = f"SELECT id, {_cols(JOURNAL_COLUMNS)} FROM {s}.journal WHERE workspace = %(ws)s"
        self.entry_insert = (f"INSERT INTO {s}.journal (workspace, {_cols(JOURNAL_COLUMNS)}) "
                             f"VALUES (%(ws)s, {_params(JOURNAL_COLUMNS)}) RETURNING id")
        self.entry_insert_for_apply = (
            f"INSERT INTO {s}.journal (workspace, {_cols(JOURNAL_COLUMNS)}) SELECT %(ws)s, {_params(JOURNAL_COLUMNS)} "
            f"WHERE EXISTS (SELECT 1 FROM {s}.applies WHERE workspace = %(ws)s AND id = %(apply_id)s) RETURNING id")
        self.entry_get = entry + " AND id = %(id)s"
        self.entry_finish = (f"UPDATE {s}.journal SET finished_at = %(finished_at)s, outcome = %(outcome)s, "
                             f"detail = %(detail)s, kinde_id = %(kinde_id)s "
                             f"WHERE workspace = %(ws)s AND id = %(id)s AND finished_at IS NULL")
        self.entry_of_apply = entry + " AND apply_id = %(apply_id)s ORDER BY id"
        self.entry_unfinished = entry + " AND finished_at IS NULL ORDER BY id"
        self.entry_all = entry + " ORDER BY id"
        self.entry_clear = f"DELETE FROM {s}.journal WHERE workspace = %(ws)s"

        self.lock_get = f"SELECT {_cols(LOCK_COLUMNS)} FROM {s}.locks WHERE workspace = %(ws)s"
        self.lock_insert = (f"INSERT INTO {s}.locks (workspace, {_cols(LOCK_COLUMNS)}) "
                            f"VALUES (%(ws)s, {_params(LOCK_COLUMNS)})")
        self.lock_delete = f"DELETE FROM {s}.locks WHERE workspace = %(ws)s"


@attrs.frozen
class Sql:
    """Runs one workspace's statements on a connection, rows as dicts."""

    conn: Any
    q: Queries
    workspace: str

    def run(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(sql, {"ws": self.workspace, **params})

    def rows(self, sql: str, **params: Any) -> list[Row]:
        cursor = self.run(sql, **params)
        names = [d.name for d in cursor.description]
        return [dict(zip(names, values)) for values in cursor.fetchall()]

    def row(self, sql: str, **params: Any) -> Row | None:
        found = self.rows(sql, **params)
        return found[0] if found else None

    def many(self, sql: str, params: list[dict[str, Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(sql, [{"ws": self.workspace, **p} for p in params])


@attrs.frozen
class PgMeta:
    sql: Sql

    def read(self) -> dict[str, str]:
        return {k: v for k, v in self.sql.run(self.sql.q.meta_read).fetchall()}

    def bump_serial(self) -> None:
        self.sql.run(self.sql.q.meta_bump)

    def write(self, values: Mapping[str, str]) -> None:
        self.sql.many(self.sql.q.meta_write, [{"key": k, "value": v} for k, v in values.items()])


@attrs.frozen
class PgResources:
    sql: Sql

    def all(self) -> list[Row]:
        return self.sql.rows(self.sql.q.res_all)

    def get(self, address: str) -> Row | None:
        return self.sql.row(self.sql.q.res_get, address=address)

    def upsert(self, row: Row) -> None:
        self.sql.run(self.sql.q.res_upsert, **{c: row[c] for c in RESOURCE_COLUMNS})

    def delete(self, address: str) -> bool:
        return bool(self.sql.run(self.sql.q.res_delete, address=address).rowcount)

    def clear(self) -> None:
        self.sql.run(self.sql.q.res_clear)


@attrs.frozen
class PgHistory:
    sql: Sql

    def insert(self, row: Row) -> None:
        self.sql.run(self.sql.q.apply_insert, **{c: row[c] for c in APPLY_COLUMNS})

    def exists(self, apply_id: str) -> bool:
        return self.sql.row(self.sql.q.apply_exists, id=apply_id) is not None

    def finish(self, apply_id: str, *, finished_at: str, status: str, summary: str) -> None:
        self.sql.run(self.sql.q.apply_finish, id=apply_id, finished_at=finished_at, status=status, summary=summary)

    def latest_id(self) -> str | None:
        found = self.sql.row(self.sql.q.apply_latest)
        return str(found["id"]) if found else None

    def interrupt(self, lock_id: str) -> None:
        self.sql.run(self.sql.q.apply_interrupt, lock_id=lock_id)

    def all(self) -> list[Row]:
        return self.sql.rows(self.sql.q.apply_all)

    def clear(self) -> None:
        self.sql.run(self.sql.q.apply_clear)


@attrs.frozen
class PgJournal:
    sql: Sql

    def insert(self, row: Row) -> int:
        return int(self.sql.run(self.sql.q.entry_insert, **{c: row[c] for c in JOURNAL_COLUMNS}).fetchone()[0])

    def insert_for_apply(self, row: Row) -> int | None:
        added = self.sql.run(self.sql.q.entry_insert_for_apply, **{c: row[c] for c in JOURNAL_COLUMNS}).fetchone()
        return int(added[0]) if added is not None else None

    def get(self, entry_id: int) -> Row | None:
        return self.sql.row(self.sql.q.entry_get, id=entry_id)

    def finish(self, entry_id: int, *, finished_at: str, outcome: str, detail: str, kinde_id: str | None) -> bool:
        return self.sql.run(self.sql.q.entry_finish, id=entry_id, finished_at=finished_at, outcome=outcome,
                            detail=detail, kinde_id=kinde_id).rowcount == 1

    def of_apply(self, apply_id: str) -> list[Row]:
        return self.sql.rows(self.sql.q.entry_of_apply, apply_id=apply_id)

    def unfinished(self) -> list[Row]:
        return self.sql.rows(self.sql.q.entry_unfinished)

    def all(self) -> list[Row]:
        return self.sql.rows(self.sql.q.entry_all)

    def clear(self) -> None:
        self.sql.run(self.sql.q.entry_clear)


@attrs.frozen
class PgLock:
    sql: Sql

    def get(self) -> Row | None:
        return self.sql.row(self.sql.q.lock_get)

    def insert(self, row: Row) -> None:
        self.sql.run(self.sql.q.lock_insert, **{c: row.get(c) for c in LOCK_COLUMNS})

    def delete(self) -> None:
        self.sql.run(self.sql.q.lock_delete)


@attrs.frozen
class PgTables:
    meta: PgMeta
    resources: PgResources
    history: PgHistory
    journal: PgJournal
    lock: PgLock

    @classmethod
    def of(cls, sql: Sql) -> PgTables:
        return cls(PgMeta(sql), PgResources(sql), PgHistory(sql), PgJournal(sql), PgLock(sql))
