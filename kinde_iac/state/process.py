"""Telling, from this host, whether the process that took a lock is still running.

A pid alone proves nothing: pids are reused, and a new process could carry a dead holder's pid. A
holder therefore records a token naming its process exactly: the boot, the pid namespace and the
process start time (``/proc/<pid>/stat`` field 22, clock ticks since boot). The holder is provably
gone when its pid is unused, or used by a process that started at another time. Anything this
host cannot see (another boot, another pid namespace, a system without ``/proc``) is "unknown",
and an unknown holder is never taken over.
"""
from __future__ import annotations

import enum
import os
from pathlib import Path

PROC = Path("/proc")


class Liveness(enum.Enum):
    ALIVE = "alive"
    GONE = "gone"
    UNKNOWN = "unknown"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None


def _start_ticks(pid: int) -> str | None:
    stat = _read(PROC / str(pid) / "stat")
    if stat is None:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    fields = stat[stat.rfind(")") + 2:].split()
    # fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    return fields[19] if len(fields) > 19 else None


def _context() -> str | None:
    """This boot and pid namespace: the frame in which a pid and a start time name one process."""
    boot = _read(PROC / "sys" / "kernel" / "random" / "boot_id")
    try:
        namespace = os.readlink(PROC / "self" / "ns" / "pid")
    except OSError:
        return None
    return f"{boot}/{namespace}" if boot else None


def token(pid: int | None = None) -> str | None:
    """The token of ``pid`` (default: this process), or None where ``/proc`` cannot give one."""
    pid = os.getpid() if pid is None else pid
    context, ticks = _context(), _start_ticks(pid)
    return f"{context}/{ticks}" if context and ticks else None


def liveness(pid: int, recorded: str | None) -> Liveness:
    """Whether the process that recorded ``recorded`` as ``pid`` on this host still runs."""
    context = _context()
    if not recorded or context is None or pid <= 0:
        return Liveness.UNKNOWN
    their_context, _, their_ticks = recorded.rpartition("/")
    if their_context != context:
        return Liveness.UNKNOWN  # another boot or pid namespace: this host cannot tell
    ticks = _start_ticks(pid)
    if ticks is None:
        return Liveness.GONE if not (PROC / str(pid)).exists() else Liveness.UNKNOWN
    return Liveness.ALIVE if ticks == their_ticks else Liveness.GONE
