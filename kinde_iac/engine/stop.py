"""A request to stop a run, made by a signal (SIGINT, SIGTERM, SIGHUP) and read by the engine.

Before apply starts its steps nothing has changed in Kinde, so a signal simply ends the run: it
raises :class:`~kinde_iac.errors.Interrupted` in the main thread (the state lock is released on the
way out). Once the steps have begun (``armed``), a signal must not tear a step in half: it only sets
this request, the scheduler starts nothing new, waits a bounded time for the steps in flight to
finish and be journaled, and apply ends as "interrupted". A second signal cuts that wait short.

The CLI installs the handlers (``cli/signals.py``); everything decided here is the engine's.
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kinde_iac.errors import Interrupted

#: How long apply waits for the steps in flight once a stop is requested. A step in flight is one
#: object's requests; each request ends within the client's timeout (30 s by default).
STOP_GRACE_SECONDS = 30.0


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class StopRequest:
    """Thread-safe; :meth:`on_signal` and :meth:`request` may run inside a signal handler."""

    def __init__(self, grace: float = STOP_GRACE_SECONDS) -> None:
        self.grace = grace
        self._event = threading.Event()
        self.signum: int | None = None
        #: Signals received so far; a second one ends the wait for steps in flight.
        self.count = 0
        #: True once apply's steps have begun: signals stop scheduling instead of raising.
        self.armed = False
        self._shielded = 0
        self._pending: int | None = None
        self._wakers: list[Callable[[], None]] = []

    # -- what a signal does ---------------------------------------------------------------------
    def on_signal(self, signum: int) -> None:
        """A signal arrived (runs in the main thread, between two bytecodes of whatever it was doing)."""
        if self.armed:
            self.request(signum)
        elif self._shielded:
            self._pending = self._pending or signum
        else:
            raise Interrupted(signum)

    def request(self, signum: int) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum
        self._event.set()
        for wake in list(self._wakers):
            wake()

    # -- what the engine reads ------------------------------------------------------------------
    @property
    def requested(self) -> bool:
        return self._event.is_set()

    @property
    def name(self) -> str:
        return signal_name(self.signum) if self.signum is not None else "a stop request"

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early on a stop; True if a stop was requested."""
        return self._event.wait(max(0.0, seconds))

    def add_waker(self, wake: Callable[[], None]) -> None:
        """``wake`` is called on every request (it must be safe inside a signal handler)."""
        self._wakers.append(wake)

    def remove_waker(self, wake: Callable[[], None]) -> None:
        if wake in self._wakers:
            self._wakers.remove(wake)

    def poll(self, seconds: float) -> None:
        """A pause inside a shielded block where nothing needs guarding (waiting for another run's
        lock): a signal held back so far ends the run now."""
        if self._pending is not None and not self.armed:
            pending, self._pending = self._pending, None
            raise Interrupted(pending)
        time.sleep(seconds)
        if self._pending is not None and not self.armed:
            pending, self._pending = self._pending, None
            raise Interrupted(pending)

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """A signal inside the block (taking or releasing the state lock) is held back and raised
        when the block ends, so it can never land between taking the lock and guarding it."""
        self._shielded += 1
        try:
            yield
        finally:
            self._shielded -= 1
        if not self._shielded and self._pending is not None and not self.armed:
            pending, self._pending = self._pending, None
            raise Interrupted(pending)
