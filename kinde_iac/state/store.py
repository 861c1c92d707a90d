"""The per-workspace state database: last-applied resources, the apply journal, history and lock.

One SQLite file per workspace (``state/<workspace>.db``), handled through sqlite-utils. Every
public write is exactly one SQLite transaction, so a process killed at any instant leaves either
the state before the write or the state after it - never half a resource row, never a serial that
disagrees with the rows. See ``docs/state.md`` for the file's contents and the reasoning.

Write transactions start with ``BEGIN IMMEDIATE``: they take SQLite's write lock up front, so two
processes never both read "unlocked" and both insert a lock, and a writer waits (busy timeout)
instead of failing half-way when it would otherwise have to upgrade a read lock.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from kinde_iac.errors import LockError, StateError
from kinde_iac.state.lock import LockInfo, current_host, current_user, locked_error

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self needs 3.11; annotations are never evaluated

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "LOCK_POLL_SECONDS",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "JournalEntry",
    "LockInfo",
    "StateResource",
    "StateStore",
    "utc_now",
]

SCHEMA_VERSION = 1
# Long enough to ride out another process's short write transaction, short enough that a wedged
# writer surfaces as an error rather than a hang.
BUSY_TIMEOUT_SECONDS = 5.0
LOCK_POLL_SECONDS = 0.2
OUTCOMES = ("ok", "failed", "ambiguous")

_TABLES = ("meta", "resources", "journal", "applies", "lock")

_F = TypeVar("_F", bound=Callable[..., Any])


def utc_now() -> str:
    """Now as ISO-8601 UTC with milliseconds (parallel apply steps land within one second)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@attrs.frozen
class StateResource:
    """One managed object as last applied: its address, Kinde id, natural key and attributes."""

    address: str
    kind: str
    key: str
    kinde_id: str | None
    natural: tuple[str, ...] = attrs.field(converter=tuple)
    attributes: dict[str, Any]
    depends_on: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    updated_at: str = ""


@attrs.frozen
class JournalEntry:
    """One API call of an apply: the intent (written before the call) and its result (after)."""

    id: int
    apply_id: str
    address: str
    action: str
    method: str
    path: str
    started_at: str
    finished_at: str | None
    outcome: str | None
    detail: str
    kinde_id: str | None


def _translate_sqlite_errors(fn: _F) -> _F:
    """Turn sqlite3 exceptions into StateError, naming the file, so the CLI prints one line."""

    @functools.wraps(fn)
    def wrapper(self: StateStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StateError(
                    f"state file {self._where} is busy (another kinde-iac process is writing it "
                    f"and did not finish within {BUSY_TIMEOUT_SECONDS:g} s): {text}"
                ) from exc
            raise StateError(f"state file {self._where}: {text}") from exc
        except sqlite3.ProgrammingError as exc:
            raise StateError(f"state file {self._where}: {exc}") from exc
        except sqlite3.IntegrityError as exc:
            raise StateError(f"state file {self._where}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise StateError(f"state file {self._where} is not a kinde-iac state database: {exc}") from exc

    return wrapper  # type: ignore[return-value]


@attrs.frozen
class _Held:
    """A lock attempt found the lock taken by ``holder``."""

    holder: LockInfo


def _dumps(what: str, value: Any) -> str:
    # Sorted keys so equal attributes give byte-identical rows (diffable, stable fingerprints).
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StateError(f"cannot store {what}: not JSON-serialisable ({exc})") from exc


class StateStore:
    """The state of one workspace. Build it with :meth:`open` (or :meth:`memory` in tests).

    Thread-safe: the apply engine journals from worker threads, so one connection is shared behind
    a mutex (SQLite itself serialises writers across processes).
    """

    def __init__(
        self,
        *,
        path: Path | None,
        workspace: str,
        db: Database | None,
        domain: str | None,
    ) -> None:
        self.path = path
        self.workspace = workspace
        self._db = db
        self._domain_hint = domain
        self._born = False
        self._closed = False
        self._held_lock_id: str | None = None
        self._mutex = threading.RLock()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        workspace: str,
        create: bool = False,
        domain: str | None = None,
    ) -> StateStore:
        """Open the state file at ``path`` for ``workspace``.

        A missing file with ``create=False`` gives an empty view and creates nothing, so ``plan``
        leaves no trace; the first write (or :meth:`ensure_created`) brings the file into being.
        ``domain`` is recorded when the file is born; the store does not compare it later (see
        :attr:`domain`).
        """
        store = cls(path=Path(path), workspace=workspace, db=None, domain=domain)
        if store.path is not None and store.path.exists():
            store._attach()
        if create:
            store.ensure_created()
        return store

    @classmethod
    def memory(cls, *, workspace: str, domain: str | None = None) -> StateStore:
        """A born state that lives in memory only (engine tests; nothing touches the disk)."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        store = cls(path=None, workspace=workspace, db=Database(conn, execute_plugins=False), domain=domain)
        store._initialize()
        return store

    @property
    def _where(self) -> str:
        return str(self.path) if self.path is not None else "<memory>"

    def _not_a_state_db(self, why: object) -> StateError:
        return StateError(f"state file {self._where} is not a kinde-iac state database: {why}")

    def _connect(self) -> Database:
        assert self.path is not None
        if self.path.is_dir():
            raise StateError(f"cannot open state file {self.path}: it is a directory")
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open state file {self.path}: {exc}") from exc
        try:
            db = Database(conn, execute_plugins=False)
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            # Reading the schema is what makes SQLite look at the file: garbage fails here.
            db.table_names()
        except sqlite3.OperationalError as exc:
            conn.close()
            # Permissions, a missing directory, a busy file: the file may well be a fine state.
            raise StateError(f"cannot open state file {self.path}: {exc}") from exc
        except sqlite3.Error as exc:
            conn.close()
            raise self._not_a_state_db(exc) from exc
        return db

    def _attach(self) -> None:
        """Connect to the existing file at ``path`` and check it is ours, for our workspace."""
        self._db = self._connect()
        try:
            self._check()
        except BaseException:
            self._db.close()
            self._db = None
            raise

    def _check(self) -> None:
        assert self._db is not None
        try:
            tables = set(self._db.table_names())
            if not tables:
                # An empty database: a run died between creating the file and committing the
                # schema. Nothing was ever written; treat it as unborn and initialise on first write.
                return
            missing = [t for t in _TABLES if t not in tables]
            if missing:
                raise self._not_a_state_db(f"missing table(s) {', '.join(missing)}")
            meta = self._meta()
        except sqlite3.Error as exc:
            raise self._not_a_state_db(exc) from exc
        if "lineage" not in meta or "schema_version" not in meta:
            raise self._not_a_state_db("no lineage/schema_version in table meta")
        try:
            version = int(meta["schema_version"])
        except (TypeError, ValueError) as exc:
            raise self._not_a_state_db(f"schema_version {meta['schema_version']!r} is not a number") from exc
        if version > SCHEMA_VERSION:
            raise StateError(
                f"state file {self._where} was written by a newer kinde-iac (schema version {version}; "
                f"this kinde-iac understands up to {SCHEMA_VERSION}); upgrade kinde-iac to use it"
            )
        if meta.get("workspace") != self.workspace:
            raise StateError(
                f"state file {self._where} belongs to workspace {meta.get('workspace')!r}, "
                f"not {self.workspace!r}; check --workspace or the state path"
            )
        self._born = True

    @_translate_sqlite_errors
    def ensure_created(self) -> None:
        """Make sure a real, initialised state file exists at :attr:`path` (mode 0600)."""
        with self._mutex:
            self._check_open()
            if self._born:
                return
            if self._db is None:
                assert self.path is not None
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Create the file ourselves, owner-only, before SQLite opens it: SQLite would
                # create it with the umask's mode (typically world-readable), and the state names
                # every object of the environment and the hashes of its secrets.
                try:
                    fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                except FileExistsError:
                    pass  # another process created it first; its contents are checked below
                else:
                    try:
                        if hasattr(os, "fchmod"):
                            os.fchmod(fd, 0o600)  # a restrictive umask could have left less than 0600
                    finally:
                        os.close(fd)
                self._attach()
                if self._born:
                    return
            self._initialize()

    def _initialize(self) -> None:
        """Create tables and the birth metadata in one transaction (a no-op if someone beat us)."""
        assert self._db is not None
        db = self._db
        if self.path is not None:
            # WAL lets plans read while an apply writes; it is a property of the file, set once.
            db.enable_wal()
        with self._write(guard=False):
            if "meta" not in db.table_names():
                self._create_tables(db)
                now = utc_now()
                meta = {
                    "schema_version": str(SCHEMA_VERSION),
                    "lineage": str(uuid.uuid4()),
                    "serial": "0",
                    "workspace": self.workspace,
                    "created_at": now,
                }
                if self._domain_hint is not None:
                    meta["domain"] = self._domain_hint
                db.table("meta").insert_all([{"key": k, "value": v} for k, v in meta.items()])
        # Re-read what is there: if another process initialised the file between our checks,
        # its workspace must still be ours.
        self._check()

    @staticmethod
    def _create_tables(db: Database) -> None:
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
            },
            pk="address",
            not_null=["kind", "key", "natural", "attributes", "depends_on", "updated_at"],
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
        # ``slot`` is always 1: the primary key makes a second concurrent lock row impossible
        # even if the check-then-insert in acquire_lock were ever got wrong.
        db.table("lock").create(
            {"slot": int, "id": str, "operation": str, "who": str, "host": str, "pid": int, "since": str},
            pk="slot",
            not_null=["id", "operation", "who", "host", "pid", "since"],
        )

    # ------------------------------------------------------------------ plumbing

    def _check_open(self) -> None:
        if self._closed:
            raise StateError(f"state file {self._where}: the state store is closed")

    @contextlib.contextmanager
    def _write(self, *, guard: bool = True) -> Iterator[Database]:
        """One write transaction. ``guard`` refuses it while another run holds the state lock."""
        assert self._db is not None
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if guard:
                holder = self._lock_row(db)
                if holder is not None and holder.id != self._held_lock_id:
                    raise locked_error(holder)
            yield db
        except BaseException:
            db.rollback()
            raise
        try:
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise

    def _writable(self) -> Database:
        """The database to write to, creating the file on the first write of an empty view."""
        self._check_open()
        if not self._born:
            self.ensure_created()
        assert self._db is not None
        return self._db

    def _readable(self) -> Database | None:
        """The database to read, or None for an empty view (no file, or one never written)."""
        self._check_open()
        return self._db if self._born else None

    def _meta(self) -> dict[str, str]:
        assert self._db is not None
        return {row["key"]: row["value"] for row in self._db.table("meta").rows}

    def _bump_serial(self, db: Database) -> None:
        meta = db.table("meta")
        serial = int(meta.get("serial")["value"])
        meta.update("serial", {"value": str(serial + 1)})

    @staticmethod
    def _lock_row(db: Database) -> LockInfo | None:
        for row in db.table("lock").rows:
            return LockInfo(
                id=row["id"],
                operation=row["operation"],
                who=row["who"],
                host=row["host"],
                pid=int(row["pid"]),
                since=row["since"],
            )
        return None

    # ------------------------------------------------------------------ metadata

    @property
    def exists(self) -> bool:
        """Whether a file is behind this store (False for an empty view and for :meth:`memory`)."""
        return self.path is not None and self._db is not None

    @property
    @_translate_sqlite_errors
    def lineage(self) -> str:
        """The uuid fixed when the state was born; "" for an empty never-written state."""
        with self._mutex:
            return self._meta()["lineage"] if self._readable() is not None else ""

    @property
    @_translate_sqlite_errors
    def serial(self) -> int:
        """How many resource writes this state has seen (read fresh: another run may have written)."""
        with self._mutex:
            return int(self._meta()["serial"]) if self._readable() is not None else 0

    @property
    @_translate_sqlite_errors
    def domain(self) -> str | None:
        """The Kinde domain recorded in the state (for an empty view: the domain passed to open).

        The store only records it; comparing it with the configured domain is the caller's call.
        """
        with self._mutex:
            if self._readable() is None:
                return self._domain_hint
            return self._meta().get("domain")

    @_translate_sqlite_errors
    def set_domain(self, domain: str) -> None:
        """Record the Kinde domain. Not counted in :attr:`serial`: it does not change any resource."""
        with self._mutex:
            self._writable()
            with self._write(guard=True) as db:
                db.table("meta").upsert({"key": "domain", "value": domain}, pk="key")
            self._domain_hint = domain

    # ------------------------------------------------------------------ resources

    @staticmethod
    def _to_resource(row: dict[str, Any]) -> StateResource:
        return StateResource(
            address=row["address"],
            kind=row["kind"],
            key=row["key"],
            kinde_id=row["kinde_id"],
            natural=tuple(json.loads(row["natural"])),
            attributes=json.loads(row["attributes"]),
            depends_on=tuple(json.loads(row["depends_on"])),
            updated_at=row["updated_at"],
        )

    @staticmethod
    def _resource_row(resource: StateResource) -> dict[str, Any]:
        # Encoded before the transaction opens, so a bad value never leaves a transaction behind.
        where = f"state of {resource.address}"
        return {
            "address": resource.address,
            "kind": resource.kind,
            "key": resource.key,
            "kinde_id": resource.kinde_id,
            "natural": _dumps(where, list(resource.natural)),
            "attributes": _dumps(where, resource.attributes),
            "depends_on": _dumps(where, list(resource.depends_on)),
        }

    @_translate_sqlite_errors
    def resources(self) -> dict[str, StateResource]:
        """Every resource in state, by address, in address order."""
        with self._mutex:
            db = self._readable()
            if db is None:
                return {}
            rows = db.table("resources").rows_where(order_by="address")
            return {row["address"]: self._to_resource(row) for row in rows}

    @_translate_sqlite_errors
    def get(self, address: str) -> StateResource | None:
        with self._mutex:
            db = self._readable()
            if db is None:
                return None
            try:
                return self._to_resource(db.table("resources").get(address))
            except NotFoundError:
                return None

    @_translate_sqlite_errors
    def put(self, resource: StateResource) -> None:
        """Insert or replace one resource (``updated_at`` is set here) and count it in the serial."""
        row = self._resource_row(resource)
        with self._mutex:
            self._writable()
            with self._write() as db:
                self._upsert(db, row)
                self._bump_serial(db)

    @_translate_sqlite_errors
    def remove(self, address: str) -> None:
        """Forget one resource. Removing an address that is not in state changes nothing."""
        with self._mutex:
            if self._readable() is None:
                return
            with self._write() as db:
                if self._delete(db, address):
                    self._bump_serial(db)

    @staticmethod
    def _upsert(db: Database, row: dict[str, Any]) -> None:
        db.table("resources").upsert({**row, "updated_at": utc_now()}, pk="address")

    @staticmethod
    def _delete(db: Database, address: str) -> bool:
        table = db.table("resources")
        if not table.count_where("address = ?", [address]):
            return False
        table.delete(address)
        return True

    # ------------------------------------------------------------------ applies and journal

    @_translate_sqlite_errors
    def begin_apply(self, *, who: str, summary: dict[str, Any] | None = None) -> str:
        """Start an apply in the history (status "running") and return its id."""
        summary_json = _dumps("apply summary", summary or {})
        apply_id = str(uuid.uuid4())
        with self._mutex:
            self._writable()
            with self._write() as db:
                db.table("applies").insert(
                    {
                        "id": apply_id,
                        "who": who,
                        "host": current_host(),
                        "pid": os.getpid(),
                        "lock_id": self._held_lock_id,
                        "started_at": utc_now(),
                        "finished_at": None,
                        "status": "running",
                        "summary": summary_json,
                    }
                )
        return apply_id

    @_translate_sqlite_errors
    def end_apply(self, apply_id: str, *, status: str, summary: dict[str, Any]) -> None:
        summary_json = _dumps("apply summary", summary)
        with self._mutex:
            self._writable()
            with self._write() as db:
                table = db.table("applies")
                if not table.count_where("id = ?", [apply_id]):
                    raise StateError(f"state file {self._where}: no apply with id {apply_id}")
                table.update(apply_id, {"finished_at": utc_now(), "status": status, "summary": summary_json})

    @_translate_sqlite_errors
    def journal_intent(self, apply_id: str, address: str, action: str, method: str, path: str) -> int:
        """Record that an API call is about to be made; returns the entry id for the result."""
        with self._mutex:
            self._writable()
            with self._write() as db:
                if not db.table("applies").count_where("id = ?", [apply_id]):
                    raise StateError(f"state file {self._where}: no apply with id {apply_id}")
                journal = db.table("journal").insert(
                    {
                        "apply_id": apply_id,
                        "address": address,
                        "action": action,
                        "method": method,
                        "path": path,
                        "started_at": utc_now(),
                        "finished_at": None,
                        "outcome": None,
                        "detail": "",
                        "kinde_id": None,
                    }
                )
                entry_id = journal.last_pk
        assert isinstance(entry_id, int)
        return entry_id

    @_translate_sqlite_errors
    def journal_result(
        self,
        entry_id: int,
        *,
        outcome: str,
        detail: str = "",
        kinde_id: str | None = None,
        put: StateResource | None = None,
        remove: str | None = None,
    ) -> None:
        """Record a call's result and its effect on state in one transaction.

        ``remove`` is applied before ``put`` (a replacement removes the old address and writes the
        new). The serial grows by one if either changed a resource.
        """
        if outcome not in OUTCOMES:
            raise StateError(f"journal outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        row = self._resource_row(put) if put is not None else None
        with self._mutex:
            self._writable()
            with self._write() as db:
                journal = db.table("journal")
                try:
                    entry = journal.get(entry_id)
                except NotFoundError:
                    raise StateError(f"state file {self._where}: no journal entry {entry_id}") from None
                if entry["finished_at"] is not None:
                    raise StateError(
                        f"state file {self._where}: journal entry {entry_id} already has a result "
                        f"({entry['outcome']})"
                    )
                journal.update(
                    entry_id,
                    {"finished_at": utc_now(), "outcome": outcome, "detail": detail, "kinde_id": kinde_id},
                )
                changed = False
                if remove is not None:
                    changed = self._delete(db, remove) or changed
                if row is not None:
                    self._upsert(db, row)
                    changed = True
                if changed:
                    self._bump_serial(db)

    @staticmethod
    def _to_entry(row: dict[str, Any]) -> JournalEntry:
        return JournalEntry(
            id=row["id"],
            apply_id=row["apply_id"],
            address=row["address"],
            action=row["action"],
            method=row["method"],
            path=row["path"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            outcome=row["outcome"],
            detail=row["detail"],
            kinde_id=row["kinde_id"],
        )

    @_translate_sqlite_errors
    def open_intents(self) -> list[JournalEntry]:
        """Calls that were announced but never got a result (a killed run), oldest first.

        Each may or may not have reached Kinde; the next plan finds out by natural key, and the
        engine closes the entry with :meth:`journal_result` (typically outcome "ambiguous").
        """
        with self._mutex:
            db = self._readable()
            if db is None:
                return []
            rows = db.table("journal").rows_where("finished_at IS NULL", order_by="id")
            return [self._to_entry(row) for row in rows]

    @_translate_sqlite_errors
    def journal(self, apply_id: str | None = None) -> list[JournalEntry]:
        """The journal of one apply (default: the most recently started one), in call order."""
        with self._mutex:
            db = self._readable()
            if db is None:
                return []
            if apply_id is None:
                latest = list(db.table("applies").rows_where(select="id", order_by="rowid DESC", limit=1))
                if not latest:
                    return []
                apply_id = latest[0]["id"]
            rows = db.table("journal").rows_where("apply_id = ?", [apply_id], order_by="id")
            return [self._to_entry(row) for row in rows]

    @_translate_sqlite_errors
    def applies(self) -> list[dict[str, Any]]:
        """Apply history, oldest first: id, who, host, pid, started_at, finished_at, status, summary."""
        with self._mutex:
            db = self._readable()
            if db is None:
                return []
            history = []
            for row in db.table("applies").rows_where(order_by="rowid"):
                history.append(
                    {
                        "id": row["id"],
                        "who": row["who"],
                        "host": row["host"],
                        "pid": row["pid"],
                        "started_at": row["started_at"],
                        "finished_at": row["finished_at"],
                        "status": row["status"],
                        "summary": json.loads(row["summary"]),
                    }
                )
            return history

    # ------------------------------------------------------------------ lock

    def acquire_lock(
        self,
        operation: str,
        *,
        timeout: float = 0.0,
        poll: Callable[[float], None] = time.sleep,
        who: str | None = None,
    ) -> LockInfo:
        """Take the workspace lock, waiting up to ``timeout`` seconds for another holder.

        The wait is counted in the intervals handed to ``poll`` (0.2 s each), so a test can drive
        it without real sleeping. Taking the lock creates the state file if it did not exist.
        """
        waited = 0.0
        while True:
            outcome = self._try_lock(operation, who)
            if isinstance(outcome, LockInfo):
                return outcome
            if waited >= timeout:
                raise locked_error(outcome.holder)
            interval = min(LOCK_POLL_SECONDS, timeout - waited)
            poll(interval)
            waited += interval

    @_translate_sqlite_errors
    def _try_lock(self, operation: str, who: str | None) -> LockInfo | _Held:
        with self._mutex:
            self._writable()
            # BEGIN IMMEDIATE makes check-then-insert atomic across processes.
            with self._write(guard=False) as db:
                holder = self._lock_row(db)
                if holder is not None:
                    return _Held(holder)
                info = LockInfo(
                    id=str(uuid.uuid4()),
                    operation=operation,
                    who=who or current_user(),
                    host=current_host(),
                    pid=os.getpid(),
                    since=utc_now(),
                )
                db.table("lock").insert({"slot": 1, **attrs.asdict(info)})
            self._held_lock_id = info.id
            return info

    @_translate_sqlite_errors
    def release_lock(self, lock_id: str) -> None:
        """Release our lock. Already gone (force-unlocked) is fine; someone else's is refused."""
        with self._mutex:
            if self._readable() is None:
                return
            with self._write(guard=False) as db:
                holder = self._lock_row(db)
                if holder is not None and holder.id != lock_id:
                    raise LockError(
                        f"cannot release lock {lock_id}: the state is now locked by "
                        f"{holder.who}@{holder.host} pid {holder.pid} ({holder.operation}), lock ID {holder.id}"
                    )
                if holder is not None:
                    db.table("lock").delete(1)
            if self._held_lock_id == lock_id:
                self._held_lock_id = None

    @_translate_sqlite_errors
    def force_unlock(self, lock_id: str) -> LockInfo:
        """Break a lock left by a dead run. The id must match, so a stale command breaks nothing new.

        An apply that was running under that lock is marked "interrupted" in the history.
        """
        with self._mutex:
            if self._readable() is None:
                raise StateError(f"cannot force-unlock {lock_id}: state is not locked")
            with self._write(guard=False) as db:
                holder = self._lock_row(db)
                if holder is None:
                    raise StateError(f"cannot force-unlock {lock_id}: state is not locked")
                if holder.id != lock_id:
                    raise StateError(
                        f"cannot force-unlock {lock_id}: the state is locked by {holder.who}@{holder.host} "
                        f"pid {holder.pid} since {holder.since} ({holder.operation}) with lock ID {holder.id}"
                    )
                db.table("lock").delete(1)
                db.execute(
                    "UPDATE applies SET status = 'interrupted' WHERE lock_id = ? AND status = 'running'",
                    [lock_id],
                )
            if self._held_lock_id == lock_id:
                self._held_lock_id = None
            return holder

    @_translate_sqlite_errors
    def current_lock(self) -> LockInfo | None:
        with self._mutex:
            db = self._readable()
            return self._lock_row(db) if db is not None else None

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Close the connection. Does not release a held lock: that is the caller's decision."""
        with self._mutex:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<StateStore {self.workspace} {self._where}>"

