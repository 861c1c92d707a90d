"""A gate that holds API requests after the first ``after`` ones until released.

Crash tests use it to kill a client at an exact point: with phase ``before`` the held request has
not run (the client died before Kinde saw it); with phase ``after`` it has run but its response is
held back (the change landed and the client never heard of it).
"""
from __future__ import annotations

import threading
from typing import Any

PHASES = ("before", "after")


class Gate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._after: int | None = None
        self._phase = "before"
        self._passed = 0
        self._held = 0

    def arm(self, after: int, phase: str) -> None:
        with self._cond:
            self._after, self._phase, self._passed, self._held = after, phase, 0, 0

    def release(self) -> None:
        with self._cond:
            self._after = None
            self._cond.notify_all()

    def enter(self) -> str | None:
        """Count one API request; the phase at which it must be held, or None to let it through."""
        with self._cond:
            if self._after is None:
                return None
            if self._passed < self._after:
                self._passed += 1
                return None
            return self._phase

    def hold(self) -> None:
        with self._cond:
            self._held += 1
            self._cond.notify_all()
            while self._after is not None:
                self._cond.wait()
            self._held -= 1

    def wait_held(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._held > 0, timeout=timeout)

    def snapshot(self) -> dict[str, Any]:
        with self._cond:
            return {"armed": self._after is not None, "after": self._after, "phase": self._phase,
                    "passed": self._passed, "held": self._held}
