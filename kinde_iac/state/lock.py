"""The workspace lock: who we are, the rules for taking, releasing and breaking it, and the words
used when it is refused.

The lock is a row in the state (at most one), taken inside a backend write transaction, so the
check-then-insert is atomic across processes. :class:`~kinde_iac.state.StateStore` runs these rules.
"""
from __future__ import annotations

import getpass
import os
import socket
import uuid
from collections.abc import Callable

import attrs

from kinde_iac.errors import LockError, StateError
from kinde_iac.state import rows
from kinde_iac.state.backend import Tables
from kinde_iac.state.records import LockInfo, utc_now

__all__ = ["LOCK_POLL_SECONDS", "Held", "LockInfo", "current_host", "current_user", "force", "holder",
           "locked_error", "process_alive", "release", "try_take", "wait_for"]

LOCK_POLL_SECONDS = 0.2


@attrs.frozen
class Held:
    """A lock attempt found the lock taken by ``holder``."""

    holder: LockInfo


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


def locked_error(info: LockInfo) -> LockError:
    """The refusal a second run sees, with everything needed to find (or break) the holder."""
    message = (
        f"state is locked by {info.who}@{info.host} pid {info.pid} since {info.since} "
        f"({info.operation}), lock ID {info.id}; "
        f"if that run is dead, run `kinde-iac force-unlock {info.id}`"
    )
    # Only this host's process table can be asked; elsewhere the user has to check.
    if info.host == current_host() and not process_alive(info.pid):
        message += f" (process {info.pid} is no longer running on this host)"
    return LockError(message)


def holder(tables: Tables, where: str) -> LockInfo | None:
    row = tables.lock.get()
    return rows.from_row(row, LockInfo, where) if row is not None else None


def try_take(tables: Tables, *, operation: str, who: str | None, where: str) -> LockInfo | Held:
    """Take the lock if it is free (inside a write transaction, which makes this atomic)."""
    current = holder(tables, where)
    if current is not None:
        return Held(current)
    info = LockInfo(id=str(uuid.uuid4()), operation=operation, who=who or current_user(), host=current_host(),
                    pid=os.getpid(), since=utc_now())
    tables.lock.insert(rows.to_row(info, "lock"))
    return info


def wait_for(try_once: Callable[[], LockInfo | Held], *, timeout: float, poll: Callable[[float], None]) -> LockInfo:
    """Retry ``try_once`` every 0.2 s (in intervals handed to ``poll``) until it wins or ``timeout`` is spent."""
    waited = 0.0
    while True:
        outcome = try_once()
        if isinstance(outcome, LockInfo):
            return outcome
        if waited >= timeout:
            raise locked_error(outcome.holder)
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
