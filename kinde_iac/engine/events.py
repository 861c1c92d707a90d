"""What apply reports while it runs, as typed events to listeners (as Terraform's ``hook.go``).

Apply calls every listener from its worker threads; each listener guards its own state. The
progress display (``render.progress``) and the counters behind the apply summary (``StepCounter``)
are two listeners of the same events, so what is shown and what is counted cannot disagree.
Refresh only says which kinds it is reading: a plain ``RefreshListener`` line.
"""
from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs

from kinde_iac.engine.plan_model import Action, Counts

#: Receives refresh progress ("Refreshing: reading role, permission").
RefreshListener = Callable[[str], None]


class Status(str, enum.Enum):
    """How a step ended, as the journal records it."""

    OK = "ok"
    FAILED = "failed"
    #: The reply was lost: Kinde may or may not have done it (settled by natural key next time).
    AMBIGUOUS = "ambiguous"

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class Outcome:
    status: Status
    #: The object's Kinde id after the step, when it has one (a create's new id).
    kinde_id: str | None = None
    #: One line saying why the step failed.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == Status.OK


class ApplyListener:
    """Receives apply's events; every method does nothing unless a listener overrides it."""

    def step_started(self, address: str, action: Action, object_id: str | None = None) -> None:
        """A journaled step begins; ``object_id`` names the object in Kinde (its id, or its key for
        kinds without ids) when it already exists."""

    def step_finished(self, address: str, action: Action, outcome: Outcome) -> None:
        """A step ended, well or not (after a failure no new step starts)."""

    def create_rechecked(self, address: str) -> None:
        """A create's reply was lost; Kinde is read by natural key to see whether it landed."""

    def secret_delivered(self, address: str, path: Path | None) -> None:
        """Kinde showed a one-time secret: written to ``path``, or discarded when there is none."""

    def stopping(self, reason: str, in_flight: int, grace: float) -> None:
        """A stop was requested (``reason``: the signal's name): no new step starts, and apply waits up
        to ``grace`` seconds for the ``in_flight`` steps to finish."""


class ProgressListener(ApplyListener):
    """What a command shows while it works: refresh lines, then apply's steps out of ``expect`` of
    them, until ``finish``. Does nothing unless a display overrides it."""

    def __call__(self, line: str) -> None:
        """A refresh line."""

    def expect(self, steps: int) -> None:
        """Apply is about to run this many reported steps (``Plan.step_count``)."""

    def finish(self) -> None:
        """Nothing more will be shown by this listener for now."""


class Listeners(ApplyListener):
    """Several listeners as one, called in order."""

    def __init__(self, listeners: Iterable[ApplyListener | None]) -> None:
        self.listeners = [listener for listener in listeners if listener is not None]

    def step_started(self, address: str, action: Action, object_id: str | None = None) -> None:
        for listener in self.listeners:
            listener.step_started(address, action, object_id)

    def step_finished(self, address: str, action: Action, outcome: Outcome) -> None:
        for listener in self.listeners:
            listener.step_finished(address, action, outcome)

    def create_rechecked(self, address: str) -> None:
        for listener in self.listeners:
            listener.create_rechecked(address)

    def secret_delivered(self, address: str, path: Path | None) -> None:
        for listener in self.listeners:
            listener.secret_delivered(address, path)

    def stopping(self, reason: str, in_flight: int, grace: float) -> None:
        for listener in self.listeners:
            listener.stopping(reason, in_flight, grace)


class StepCounter(ApplyListener):
    """Counts finished steps by action (as Terraform's ``hook_count.go``): the apply summary's numbers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts = Counts()
        self.rechecked = 0

    def step_finished(self, address: str, action: Action, outcome: Outcome) -> None:
        if outcome.ok:
            with self._lock:
                self.counts = self.counts.plus(action)

    def create_rechecked(self, address: str) -> None:
        with self._lock:
            self.rechecked += 1
