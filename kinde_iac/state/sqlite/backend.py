"""The SQLite state backend: one file per workspace (``state/<workspace>.db``), via sqlite-utils."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import attrs

from kinde_iac.state.meta import birth_meta, check_meta, not_a_state
from kinde_iac.state.sqlite import database, schema
from kinde_iac.state.sqlite.journal import SqliteHistory, SqliteJournal
from kinde_iac.state.sqlite.lock import SqliteLock
from kinde_iac.state.sqlite.resources import SqliteMeta, SqliteResources


@attrs.frozen
class SqliteTables:
    """The five tables of one connection (the ``Tables`` protocol)."""

    meta: SqliteMeta
    resources: SqliteResources
    history: SqliteHistory
    journal: SqliteJournal
    lock: SqliteLock

    @classmethod
    def of(cls, conn: sqlite3.Connection) -> SqliteTables:
        return cls(SqliteMeta(conn), SqliteResources(conn), SqliteHistory(conn), SqliteJournal(conn), SqliteLock(conn))


class SqliteBackend:
    """One workspace's state in a SQLite file (or in memory, for tests of the engine).

    A missing file is an unborn state: nothing is created until :meth:`create`. An empty file (a
    run killed between creating it and writing the layout) counts as unborn too.
    """

    def __init__(self, *, path: Path | None, workspace: str, domain: str | None) -> None:
        self.path = path
        self.workspace = workspace
        self._domain = domain
        self._db: sqlite3.Connection | None = None
        self._tables: SqliteTables | None = None
        self._born = False

    @classmethod
    def open(cls, path: Path, *, workspace: str, domain: str | None = None) -> SqliteBackend:
        """The state in ``path``, checked to be kinde-iac's for ``workspace`` if the file exists."""
        backend = cls(path=path, workspace=workspace, domain=domain)
        if path.exists():
            backend._attach(database.connect(path))
        return backend

    @classmethod
    def memory(cls, *, workspace: str, domain: str | None = None) -> SqliteBackend:
        """A born state in memory only: nothing touches the disk."""
        backend = cls(path=None, workspace=workspace, domain=domain)
        backend._attach(database.memory())
        backend._initialize()
        return backend

    @property
    def where(self) -> str:
        return str(self.path) if self.path is not None else "<memory>"

    @property
    def born(self) -> bool:
        return self._born

    @property
    def session_lock(self) -> None:
        """A file has no lock that ends with its holder: the lock row decides (docs/state.md)."""
        return None

    def create(self) -> None:
        if self._born:
            return
        with database.translated_errors(self.where):
            if self._db is None:
                assert self.path is not None
                database.create_file(self.path)
                self._attach(database.connect(self.path))
                if self._born:
                    return  # another process set it up between our look and our create
            self._initialize()

    @contextlib.contextmanager
    def reading(self) -> Iterator[SqliteTables]:
        assert self._tables is not None and self._born
        with database.translated_errors(self.where):
            yield self._tables

    @contextlib.contextmanager
    def writing(self) -> Iterator[SqliteTables]:
        assert self._db is not None and self._tables is not None and self._born
        with database.translated_errors(self.where), database.transaction(self._db) as conn:
            schema.migrate(conn, self.where)
            yield self._tables

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            self._tables = None

    def _attach(self, db: sqlite3.Connection) -> None:
        """Use ``db``, after checking it is ours, for our workspace."""
        try:
            with database.translated_errors(self.where):
                self._born = self._check(db)
        except BaseException:
            db.close()
            raise
        self._db, self._tables = db, SqliteTables.of(db)

    def _check(self, db: sqlite3.Connection) -> bool:
        """Whether ``db`` holds a state (False: empty, unborn); raises if it is not ours to use."""
        tables = set(database.table_names(db))
        if not tables:
            # A run died between creating the file and committing the layout: nothing was ever
            # written, so it is initialised by the first write like a missing file.
            return False
        missing = [t for t in schema.TABLES if t not in tables]
        if missing:
            raise not_a_state(self.where, f"missing table(s) {', '.join(missing)}")
        meta = SqliteMeta(db).read()
        check_meta(meta, supported=schema.SCHEMA_VERSION, workspace=self.workspace, where=self.where)
        return True

    def _initialize(self) -> None:
        """Create the layout and the birth meta in one transaction (a no-op if someone beat us)."""
        conn = self._db
        assert conn is not None
        db = database.utils(conn)
        if self.path is not None:
            # WAL lets plans read while an apply writes; it is a property of the file, set once.
            db.enable_wal()
            database.relax_sync(conn)
        with database.transaction(conn):
            if "meta" not in database.table_names(conn):
                schema.create_tables(db)
                meta = birth_meta(schema_version=schema.SCHEMA_VERSION, workspace=self.workspace,
                                  domain=self._domain)
                db.table("meta").insert_all([{"key": k, "value": v} for k, v in meta.items()])
        # Re-read what is there: if another process initialised the file between our checks, its
        # workspace must still be ours.
        self._born = self._check(conn)

    def __repr__(self) -> str:
        return f"<SqliteBackend {self.workspace} {self.where}>"
