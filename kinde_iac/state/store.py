"""The state of one workspace: last-applied resources, the apply journal, history and the lock.

:class:`StateStore` is what the engine and the CLI use: a facade over a backend
(:mod:`kinde_iac.state.backend`; SQLite by default) that runs the rules of :mod:`.journal` and
:mod:`.lock` and keeps the serial. Every public write is exactly one backend transaction, so a
process killed at any instant leaves either the state before the write or the state after it -
never half a resource row, never a serial that disagrees with the rows. See ``docs/state.md``.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinde_iac.errors import LockError, StateError
from kinde_iac.state import identity as identity_rules
from kinde_iac.state import journal as journal_rules
from kinde_iac.state import lock as lock_rules
from kinde_iac.state import rows, transfer
from kinde_iac.state.backend import StateBackend, Tables
from kinde_iac.state.identity import StateIdentity
from kinde_iac.state.location import StateLocation, parse_location
from kinde_iac.state.records import JournalEntry, LockInfo, StateResource, utc_now

_log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self needs 3.11; annotations are never evaluated

__all__ = ["StateStore"]


class StateStore:
    """The state of one workspace. Build it with :meth:`open` (or :meth:`memory` in tests), or
    around any :class:`~kinde_iac.state.backend.StateBackend`.

    Thread-safe: the apply engine journals from worker threads, so the backend is shared behind a
    mutex (the backend itself serialises writers across processes).
    """

    def __init__(self, backend: StateBackend, *, path: Path | None = None, location: StateLocation | None = None,
                 unlock_command: str = lock_rules.DEFAULT_UNLOCK_COMMAND) -> None:
        self.path = path
        self.location = location if location is not None else StateLocation(path=path) if path else None
        self.workspace = backend.workspace
        #: How the user names this state on the command line, for the hint in lock errors.
        self.unlock_command = unlock_command
        self._backend = backend
        self._where = backend.where
        self._closed = False
        self._held_lock_id: str | None = None
        #: The identity this run's credentials lead to, still to be recorded by the next write.
        self._pending_identity: StateIdentity | None = None
        self._mutex = threading.RLock()

    @classmethod
    def open(cls, where: str | Path | StateLocation, *, workspace: str, create: bool = False,
             domain: str | None = None, unlock_command: str = lock_rules.DEFAULT_UNLOCK_COMMAND) -> StateStore:
        """Open the state at ``where`` (a file path, a ``postgresql://`` URL or a location) for ``workspace``.

        A missing state with ``create=False`` gives an empty view and creates nothing, so ``plan``
        leaves no trace; the first write (or :meth:`ensure_created`) brings it into being.
        ``domain`` is recorded in meta when the state is born.
        """
        location = where if isinstance(where, StateLocation) else parse_location(where)
        backend: StateBackend
        if location.path is not None:
            from kinde_iac.state.sqlite import SqliteBackend  # loaded when a state is opened, not at import

            backend = SqliteBackend.open(location.path, workspace=workspace, domain=domain)
        else:
            from kinde_iac.state.postgres import PostgresBackend  # psycopg only for those who use it

            backend = PostgresBackend.open(location, workspace=workspace, domain=domain)
        store = cls(backend, path=location.path, location=location, unlock_command=unlock_command)
        if create:
            store.ensure_created()
        return store

    @classmethod
    def memory(cls, *, workspace: str, domain: str | None = None) -> StateStore:
        """A born state that lives in memory only (engine tests; nothing touches the disk)."""
        from kinde_iac.state.sqlite import SqliteBackend

        return cls(SqliteBackend.memory(workspace=workspace, domain=domain))

    def ensure_created(self) -> None:
        """Make sure the state exists (for a file: a real, initialised one with mode 0600)."""
        with self._mutex:
            self._check_open()
            self._backend.create()

    # ------------------------------------------------------------------ transactions

    def _check_open(self) -> None:
        if self._closed:
            raise StateError(f"state file {self._where}: the state store is closed")

    def _born(self) -> bool:
        self._check_open()
        return self._backend.born

    @property
    def born(self) -> bool:
        """Whether the state exists (an unborn one reads as empty)."""
        with self._mutex:
            return self._born()

    @contextlib.contextmanager
    def _read(self) -> Iterator[Tables | None]:
        """The tables to read, or None for an empty view (no state, or one never written)."""
        with self._mutex:
            if not self._born():
                yield None
                return
            with self._backend.reading() as tables:
                yield tables

    @contextlib.contextmanager
    def _write(self, *, guard: bool = True) -> Iterator[Tables]:
        """One write transaction, creating the state on the first write of an empty view.

        ``guard`` refuses it while another run holds the state lock, so a process that skipped
        the lock still cannot write over a running apply.
        """
        with self._mutex:
            self.ensure_created()
            pending = self._pending_identity
            with self._backend.writing() as tables:
                if guard:
                    holder = lock_rules.holder(tables, self._where)
                    if holder is not None and holder.id != self._held_lock_id:
                        raise lock_rules.locked_error(holder, self.unlock_command)
                if pending is not None:
                    self._record_identity(tables, pending)
                yield tables
            if pending is not None:
                self._pending_identity = None  # committed with this write

    def _load(self, row: rows.Row) -> StateResource:
        return rows.from_row(row, StateResource, self._where)

    @staticmethod
    def _resource_row(resource: StateResource) -> rows.Row:
        # Encoded before the transaction opens, so a bad value never leaves a transaction behind.
        return rows.to_row(resource, f"state of {resource.address}")

    @staticmethod
    def _upsert(tables: Tables, row: rows.Row) -> None:
        tables.resources.upsert({**row, "updated_at": utc_now()})

    # ------------------------------------------------------------------ meta and resources

    @property
    def lineage(self) -> str:
        """The uuid fixed when the state was born; "" for an empty never-written state."""
        with self._read() as tables:
            return tables.meta.read()["lineage"] if tables is not None else ""

    @property
    def serial(self) -> int:
        """How many resource writes this state has seen (read fresh: another run may have written)."""
        with self._read() as tables:
            return int(tables.meta.read()["serial"]) if tables is not None else 0

    def resources(self) -> dict[str, StateResource]:
        """Every resource in state, by address, in address order."""
        with self._read() as tables:
            found = [self._load(row) for row in tables.resources.all()] if tables is not None else []
        return {r.address: r for r in found}

    def get(self, address: str) -> StateResource | None:
        with self._read() as tables:
            row = tables.resources.get(address) if tables is not None else None
        return self._load(row) if row is not None else None

    # ------------------------------------------------------------------ identity

    def identity(self) -> StateIdentity | None:
        """The Kinde business, domain and environment recorded in the state; None when unborn."""
        with self._read() as tables:
            return StateIdentity.from_meta(tables.meta.read()) if tables is not None else None

    def claim_identity(self, live: StateIdentity, business: Callable[[], str | None]) -> None:
        """Refuse (StateError naming both sides) if the state belongs to another business, domain
        or environment than ``live``, where the credentials lead; else record what the state lacks
        at its next write (at once while this store holds the lock).

        ``business`` asks Kinde for the business code, only when it is needed to decide.
        """
        with self._mutex:
            live = identity_rules.check(self._where, self.identity(), live, business)
            self._pending_identity = live if live.as_meta() else None
            if self._pending_identity is not None and self._held_lock_id is not None:
                with self._write():
                    pass  # _write records the pending identity

    def _record_identity(self, tables: Tables, live: StateIdentity) -> None:
        # Checked again inside the write: another run may have recorded an identity meanwhile.
        recorded = StateIdentity.from_meta(tables.meta.read())
        if identity_rules.differences(recorded, live):
            raise identity_rules.mismatch_error(self._where, recorded, live)
        missing = live.missing_from(recorded)
        if missing:
            tables.meta.write(missing)

    # ------------------------------------------------------------------ resources

    def put(self, resource: StateResource) -> None:
        """Insert or replace one resource (``updated_at`` is set here) and count it in the serial."""
        row = self._resource_row(resource)
        with self._write() as tables:
            self._upsert(tables, row)
            tables.meta.bump_serial()

    # ------------------------------------------------------------------ applies and journal

    def begin_apply(self, *, who: str, summary: dict[str, Any] | None = None) -> str:
        """Start an apply in the history (status "running") and return its id."""
        with self._mutex:
            row = journal_rules.new_apply(who=who, lock_id=self._held_lock_id, summary=summary)
            with self._write() as tables:
                tables.history.insert(row)
        return str(row["id"])

    def end_apply(self, apply_id: str, *, status: str, summary: dict[str, Any]) -> None:
        summary_json = rows.json_text(summary, "apply summary")
        with self._write() as tables:
            journal_rules.end(tables, apply_id, status=status, summary_json=summary_json, where=self._where)

    def journal_intent(self, apply_id: str, address: str, action: str, method: str, path: str) -> int:
        """Record that an object step is about to start; returns the entry id for the result."""
        with self._write() as tables:
            return journal_rules.intent(tables, apply_id, address, action, method, path, self._where)

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
        """Record a step's result and its effect on state in one transaction.

        ``remove`` is applied before ``put`` (a replacement removes the old address and writes the
        new). The serial grows by one if either changed a resource.
        """
        journal_rules.check_outcome(outcome)
        row = self._resource_row(put) if put is not None else None
        with self._write() as tables:
            journal_rules.result(tables, entry_id, outcome=outcome, detail=detail, kinde_id=kinde_id,
                                 where=self._where)
            changed = remove is not None and tables.resources.delete(remove)
            if row is not None:
                self._upsert(tables, row)
                changed = True
            if changed:
                tables.meta.bump_serial()

    def open_intents(self) -> list[JournalEntry]:
        """Steps that were announced but never got a result (a killed run), oldest first.

        Each may or may not have reached Kinde; the next plan finds out by natural key, and the
        engine closes the entry with :meth:`journal_result` (typically outcome "ambiguous").
        """
        with self._read() as tables:
            return journal_rules.open_intents(tables, self._where) if tables is not None else []

    def journal(self, apply_id: str | None = None) -> list[JournalEntry]:
        """The journal of one apply (default: the most recently started one), in step order."""
        with self._read() as tables:
            return journal_rules.entries(tables, apply_id, self._where) if tables is not None else []

    # ------------------------------------------------------------------ lock

    def acquire_lock(
        self,
        operation: str,
        *,
        timeout: float = 0.0,
        poll: Callable[[float], None] = time.sleep,
        who: str | None = None,
        tie_to_process: bool = False,
        on_note: Callable[[str], None] | None = None,
    ) -> LockInfo:
        """Take the workspace lock, waiting up to ``timeout`` seconds for another holder.

        The wait is counted in the intervals handed to ``poll`` (0.2 s each), so a test can drive
        it without real sleeping. Taking the lock creates the state if it did not exist.

        A lock whose holder is provably gone is taken over, and ``on_note`` hears about it: on
        PostgreSQL whenever the holder's database session is gone; on SQLite when the holder tied
        its lock to its process (``tie_to_process``, as every CLI command does) and that process is
        gone from this host. Other dead holders still need :meth:`force_unlock`.
        """
        return lock_rules.wait_for(lambda: self._try_lock(operation, who, tie_to_process, on_note),
                                   timeout=timeout, poll=poll, command=self.unlock_command)

    def _try_lock(self, operation: str, who: str | None, tie_to_process: bool,
                  on_note: Callable[[str], None] | None) -> LockInfo | lock_rules.Held:
        with self._mutex:
            self.ensure_created()
            session = self._backend.session_lock
            if session is not None and not session.held and not session.try_acquire():
                with self._read() as tables:
                    current = lock_rules.holder(tables, self._where) if tables is not None else None
                # A holder this host sees gone has a session the server is closing right now: a
                # moment's wait for it beats refusing the run that follows a crash.
                if current is None or lock_rules.stale_reason(current, session_held=False) is None \
                        or not session.try_acquire(wait=lock_rules.SESSION_GRACE_SECONDS):
                    return lock_rules.Held(current)
            try:
                with self._write(guard=False) as tables:
                    outcome = lock_rules.try_take(tables, operation=operation, who=who, where=self._where,
                                                  tie_to_process=tie_to_process, session_held=session is not None)
            except BaseException:
                if session is not None:
                    session.release()
                raise
            if isinstance(outcome, lock_rules.Held):
                if session is not None:
                    session.release()
                return outcome
            self._held_lock_id = outcome.info.id
        if outcome.replaced is not None:
            note = lock_rules.takeover_note(outcome)
            (on_note or _log.warning)(note)
        return outcome.info

    def release_lock(self, lock_id: str) -> None:
        """Release our lock. Already gone (force-unlocked) is fine; someone else's is refused."""
        with self._mutex:
            if not self._born():
                return
            with self._write(guard=False) as tables:
                lock_rules.release(tables, lock_id, self._where)
            if self._held_lock_id == lock_id:
                self._held_lock_id = None
                session = self._backend.session_lock
                if session is not None:
                    session.release()

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Break a lock left by a dead run. The id must match, so a stale command breaks nothing new.

        An apply that was running under that lock is marked "interrupted" in the history. On a
        backend with a session lock, a holder whose session is still open is alive: refused.
        """
        with self._mutex:
            if not self._born():
                raise StateError(f"cannot force-unlock {lock_id}: state is not locked")
            session = self._backend.session_lock
            live = session.other_holder() if session is not None and not session.held else None
            with self._write(guard=False) as tables:
                current = lock_rules.holder(tables, self._where)
                if live is not None and current is not None and current.id == lock_id:
                    raise LockError(f"cannot force-unlock {lock_id}: the run holding it still has its database "
                                    f"session open ({live}); it is alive: stop it first")
                holder = lock_rules.force(tables, lock_id, self._where)
            if self._held_lock_id == lock_id:
                self._held_lock_id = None
                if session is not None:
                    session.release()
            return holder

    # ------------------------------------------------------------------ migration

    def copy_to(self, target: StateStore) -> transfer.Copied:
        """Copy this workspace's state (lineage, serial, identity, resources, history, journal) into
        ``target``, in one transaction there. Refused when ``target`` holds the workspace with
        another lineage, or the same lineage further on. Both stores must hold their locks."""
        with self._mutex, self._read() as tables:
            if tables is None:
                raise StateError(f"state {self._where} holds nothing to migrate (nothing applied yet)")
            snapshot = transfer.snapshot(tables, self._where)
        with target._mutex, target._write() as target_tables:
            transfer.restore(target_tables, snapshot, source=self._where, target=target._where)
        return transfer.copied(snapshot)

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        """Close the backend. Does not release a held lock row: that is the caller's decision (a
        session lock ends with the connection, which makes the row provably stale)."""
        with self._mutex:
            self._backend.close()
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<StateStore {self.workspace} {self._where}>"
