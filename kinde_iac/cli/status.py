"""The exit codes every command uses; CI relies on them."""
from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    #: Success, and nothing to change.
    SUCCESS = 0
    #: Any error, usage errors included.
    ERROR = 1
    #: Changes present (``plan --detailed-exitcode``), drift found, or findings.
    CHANGES = 2
    #: Stopped by a signal: 128 + its number, as shells report it (SIGHUP, SIGINT, SIGTERM).
    SIGHUP = 129
    SIGINT = 130
    SIGTERM = 143

    @classmethod
    def for_signal(cls, signum: int) -> int:
        """The exit code of a run a signal stopped (128 + the signal's number)."""
        return 128 + signum
