"""The PostgreSQL state backend: one workspace's rows in a shared schema, through psycopg 3.

Opening never writes (``plan`` leaves the database as it found it); the schema and its tables are
created by the first write of any workspace, the workspace's meta by its own first write.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from kinde_iac.errors import StateError
from kinde_iac.state.location import StateLocation
from kinde_iac.state.meta import birth_meta, check_meta, check_version, not_a_state
from kinde_iac.state.postgres import schema
from kinde_iac.state.postgres.connection import advisory_key, connect, translated_errors
from kinde_iac.state.postgres.session_lock import AdvisoryLock
from kinde_iac.state.postgres.tables import PgTables, Queries, Sql


def _quote(name: str) -> str:
    # The location checked it is a plain identifier; quoting keeps its case.
    return '"' + name + '"'


class PostgresBackend:
    """One workspace's state in the schema ``location.schema`` of the database ``location.url``."""

    def __init__(self, location: StateLocation, *, workspace: str, domain: str | None) -> None:
        self.location = location
        self.workspace = workspace
        self._domain = domain
        self._schema = _quote(location.schema)
        self._q = Queries(self._schema)
        self._conn: Any = None
        self._tables: PgTables | None = None
        self._born = False
        self._session_lock: AdvisoryLock | None = None
        self._layout_current = False

    @classmethod
    def open(cls, location: StateLocation, *, workspace: str, domain: str | None = None) -> PostgresBackend:
        backend = cls(location, workspace=workspace, domain=domain)
        backend._conn = connect(location)
        try:
            backend._tables = PgTables.of(Sql(backend._conn, backend._q, workspace))
            backend._session_lock = AdvisoryLock(location, advisory_key(location.schema, workspace), backend._conn)
            with translated_errors(location):
                if backend._conn.info.server_version >= 140000:
                    # An apply's connection idles between steps; a server-wide idle timeout must not end it.
                    backend._conn.execute("SET idle_session_timeout = 0")
                backend._born = backend._check()
        except BaseException:
            backend.close()
            raise
        return backend

    @property
    def where(self) -> str:
        return self.location.shown

    @property
    def born(self) -> bool:
        return self._born

    @property
    def session_lock(self) -> AdvisoryLock | None:
        return self._session_lock

    def create(self) -> None:
        if self._born:
            return
        conn = self._live()
        with translated_errors(self.location), conn.transaction():
            # Creators of the layout and of workspaces queue here, so each is made exactly once.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._layout_key(),))
            if not self._layout_exists():
                if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.location.schema,)).fetchone() \
                        is None:
                    conn.execute(f"CREATE SCHEMA {self._schema}")
                schema.create(conn.execute, self._schema)
            else:
                check_version(self._layout_version(), schema.SCHEMA_VERSION, self.where)
            if conn.execute(self._q.born, {"ws": self.workspace}).fetchone() is None:
                meta = birth_meta(schema_version=schema.SCHEMA_VERSION, workspace=self.workspace,
                                  domain=self._domain)
                meta.pop("schema_version")  # the layout's, kept in kinde_iac_layout
                assert self._tables is not None
                self._tables.meta.write(meta)
        self._born = self._check()

    @contextlib.contextmanager
    def reading(self) -> Iterator[PgTables]:
        assert self._tables is not None and self._born
        conn = self._live()
        with translated_errors(self.location), conn.transaction():
            # One snapshot for the whole read, as a SQLite reader sees in WAL mode.
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield self._tables

    @contextlib.contextmanager
    def writing(self) -> Iterator[PgTables]:
        assert self._tables is not None and self._born
        conn = self._live()
        with translated_errors(self.location):
            if not self._layout_current:
                # Once per connection: the write lock below re-checks the version on every write.
                if self._layout_version() < schema.SCHEMA_VERSION:
                    self._migrate()
                self._layout_current = True
            with conn.transaction():
                found = conn.execute(self._q.write_lock, {"ws": self.workspace}).fetchone()
                if found is None:
                    raise StateError(f"state database {self.where}: the meta of workspace {self.workspace!r} "
                                     f"is gone (dropped by hand?)")
                check_version(int(found[0]), schema.SCHEMA_VERSION, self.where)
                yield self._tables

    def close(self) -> None:
        if self._session_lock is not None:
            self._session_lock.release()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._tables = None

    # ------------------------------------------------------------------ internals

    def _live(self) -> Any:
        if self._conn is None:
            raise StateError(f"state database {self.where}: the connection is closed")
        return self._conn

    def _layout_key(self) -> int:
        return advisory_key(self.location.schema, "")

    def _layout_exists(self) -> bool:
        found = self._live().execute("SELECT to_regclass(%s)", (f"{self._schema}.{schema.LAYOUT}",)).fetchone()
        return found is not None and found[0] is not None

    def _layout_version(self) -> int:
        found = self._live().execute(self._q.layout_version).fetchone()
        if found is None:
            raise not_a_state(self.where, f"{schema.LAYOUT} has no version row")
        return int(found[0])

    def _migrate(self) -> None:
        """Move the layout forward in a transaction of its own, holding its row against writers."""
        conn = self._live()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._layout_key(),))
            version = int(conn.execute(self._q.layout_for_update).fetchone()[0])
            if version < schema.SCHEMA_VERSION:
                schema.migrate(conn.execute, self._schema, version, self.where)

    def _check(self) -> bool:
        """Whether this workspace's state exists; raises if the schema is not ours to use."""
        if not self._layout_exists():
            tables = self._live().execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
                (self.location.schema, list(schema.TABLES))).fetchone()[0]
            if tables:
                raise not_a_state(self.where, f"schema {self.location.schema!r} has tables named like ours "
                                              f"but no {schema.LAYOUT}; choose another ?schema=")
            return False
        check_version(self._layout_version(), schema.SCHEMA_VERSION, self.where)
        assert self._tables is not None
        meta = self._tables.meta.read()
        if "lineage" not in meta:
            return False
        check_meta(meta, supported=schema.SCHEMA_VERSION, workspace=self.workspace, where=self.where)
        return True

    def __repr__(self) -> str:
        return f"<PostgresBackend {self.workspace} {self.where}>"
