"""The workspace lock: who we are, the rules for taking, releasing and breaking it, and the words
used when it is refused.

The lock is a row in the state (at most one), taken inside a backend write transaction, so the
check-then-insert is atomic across processes. :class:`~kinde_iac.state.StateStore` runs these rules.

A holder that is provably gone is taken over, with a note, instead of needing ``force-unlock``:
on a backend with a session lock (PostgreSQL), whenever the session lock could be taken (its
holder's connection is gone, from any host); on SQLite, when the holder tied the lock to its
process and this host sees that process gone (:mod:`kinde_iac.state.process`).
"""
from __future__ import annotations

import getpass
import os
import socket
import uuid
from collections.abc import Callable

import attrs

from kinde_iac.errors import LockError, StateError
from kinde_iac.state import process, rows
from kinde_iac.state.backend import Tables
from kinde_iac.state.records import LockInfo, utc_now

__all__ = ["DEFAULT_UNLOCK_COMMAND", "LOCK_POLL_SECONDS", "Held", "LockInfo", "Taken", "current_host",
           "current_user", "force", "holder", "locked_error", "process_alive", "release", "stale_reason",
           "takeover_note", "try_take", "wait_for"]

LOCK_POLL_SECONDS = 0.2
DEFAULT_UNLOCK_COMMAND = "kinde-iac force-unlock"
SESSION_GONE = "its database session is gone"
#: How long a run waits for the session lock of a holder this host has seen die (its server
#: session ends a moment after the process).
SESSION_GRACE_SECONDS = 5.0


@attrs.frozen
class Held:
    """A lock attempt found the lock taken by ``holder`` (None: taken, its row not written yet)."""

    holder: LockInfo | None


@attrs.frozen
class Taken:
    """A lock attempt won: ``info`` is ours; ``replaced`` the dead holder's lock it took over."""

    info: LockInfo
    replaced: LockInfo | None = None
    reason: str = ""


def current_user() -> str:
    """The login name to record as a lock holder or apply author.

    getpass fails in containers whose uid has no passwd entry; a lock must still be takeable there.
    """
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def current_host() -> str:
    return socket.gethostname() or "localhost"


def process_alive(pid: int) -> bool:
    """Whether ``pid`` names a running process on this host (a hint only: pids are reused)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        # Exists, but belongs to another user.
        return True
    except OSError:
        return True
    return True


def locked_error(info: LockInfo | None, command: str = DEFAULT_UNLOCK_COMMAND) -> LockError:
    """The refusal a second run sees, with everything needed to find (or break) the holder.

    ``command`` is how the user names this state on the command line (``kinde-iac force-unlock -w
    dev``), so the hint runs as pasted.
    """
    if info is None:
        return LockError("state is locked by another run that is taking the lock right now; "
                         "try again, or wait for it with --lock-timeout SECONDS")
    message = (
        f"state is locked by {info.who}@{info.host} pid {info.pid} since {info.since} "
        f"({info.operation}), lock ID {info.id}; "
        f"if that run is dead, run `{command} {info.id}`"
    )
    # Only this host's process table can be asked; elsewhere the user has to check.
    if info.host == current_host() and not process_alive(info.pid):
        message += f" (process {info.pid} is no longer running on this host)"
    return LockError(message)


def holder(tables: Tables, where: str) -> LockInfo | None:
    row = tables.lock.get()
    return rows.from_row(row, LockInfo, where) if row is not None else None


def stale_reason(current: LockInfo, *, session_held: bool) -> str | None:
    """Why ``current``'s holder is provably gone, or None when it may still be running."""
    if session_held:
        return SESSION_GONE
    if current.host == current_host() and process.liveness(current.pid, current.process) is process.Liveness.GONE:
        return f"process {current.pid} is no longer running on this host"
    return None


def try_take(tables: Tables, *, operation: str, who: str | None, where: str, tie_to_process: bool = False,
             session_held: bool = False) -> Taken | Held:
    """Take the lock if it is free or its holder is provably gone (inside a write transaction,
    which makes this atomic).

    ``tie_to_process`` records this process's token, promising that the lock lives no longer than
    the process, so that another run on this host may take it over once the process is gone.
    ``session_held``: the backend's session lock is ours, so any lock row left is stale.
    """
    current = holder(tables, where)
    reason = stale_reason(current, session_held=session_held) if current is not None else None
    if current is not None and reason is None:
        return Held(current)
    if current is not None:
        tables.lock.delete()
        tables.history.interrupt(current.id)
    info = LockInfo(id=str(uuid.uuid4()), operation=operation, who=who or current_user(), host=current_host(),
                    pid=os.getpid(), since=utc_now(), process=process.token() if tie_to_process else None)
    tables.lock.insert(rows.to_row(info, "lock"))
    return Taken(info, replaced=current, reason=reason or "")


def takeover_note(taken: Taken) -> str:
    old = taken.replaced
    assert old is not None
    return (f"Took over the state lock {old.id} of {old.who}@{old.host} pid {old.pid} ({old.operation}, "
            f"since {old.since}): {taken.reason}. Its unfinished steps are reconciled by this run's plan.")


def wait_for(try_once: Callable[[], LockInfo | Held], *, timeout: float, poll: Callable[[float], None],
             command: str = DEFAULT_UNLOCK_COMMAND) -> LockInfo:
    """Retry ``try_once`` every 0.2 s (in intervals handed to ``poll``) until it wins or ``timeout`` is spent."""
    waited = 0.0
    while True:
        outcome = try_once()
        if isinstance(outcome, LockInfo):
            return outcome
        if waited >= timeout:
            raise locked_error(outcome.holder, command)
        interval = min(LOCK_POLL_SECONDS, timeout - waited)
        poll(interval)
        waited += interval


def release(tables: Tables, lock_id: str, where: str) -> None:
    """Release ``lock_id``. Already gone (force-unlocked) is fine; someone else's is refused."""
    current = holder(tables, where)
    if current is None:
        return
    if current.id != lock_id:
        raise LockError(
            f"cannot release lock {lock_id}: the state is now locked by "
            f"{current.who}@{current.host} pid {current.pid} ({current.operation}), lock ID {current.id}"
        )
    tables.lock.delete()


def force(tables: Tables, lock_id: str, where: str) -> LockInfo:
    """Break the lock ``lock_id`` left by a dead run; its running apply becomes "interrupted"."""
    current = holder(tables, where)
    if current is None:
        raise StateError(f"cannot force-unlock {lock_id}: state is not locked")
    if current.id != lock_id:
        raise StateError(
            f"cannot force-unlock {lock_id}: the state is locked by {current.who}@{current.host} "
            f"pid {current.pid} since {current.since} ({current.operation}) with lock ID {current.id}"
        )
    tables.lock.delete()
    tables.history.interrupt(lock_id)
    return current
