"""The workspace lock's record and the words used when it is refused.

The lock itself lives in the state database (table ``lock``, at most one row) and is taken by
:meth:`kinde_iac.state.store.StateStore.acquire_lock`; this module holds what does not need the
database: who we are, whether a holder on this host is still alive, and the error text.
"""
from __future__ import annotations

import getpass
import os
import socket

import attrs

from kinde_iac.errors import LockError


@attrs.frozen
class LockInfo:
    """Who holds the state lock, for what, and since when (ISO-8601 UTC)."""

    id: str
    operation: str
    who: str
    host: str
    pid: int
    since: str


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
