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
