"""Progress of long refreshes and applies (as Terraform's ``views/hook_ui.go``): one live status line
on a terminal (counts and the current operation), plain lines in CI logs, nothing when the output is
machine-readable. It listens to the same apply events as the counters, and counts finished steps from
those events, so ``[k/N]`` reaches N whatever the steps are."""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from kinde_iac.engine.events import Outcome, ProgressListener
from kinde_iac.engine.plan_model import Action

TTY, PLAIN, QUIET = "tty", "plain", "quiet"

_STARTED = {Action.CREATE: "Creating...", Action.UPDATE: "Modifying...", Action.DELETE: "Destroying...",
            Action.IMPORT: "Importing...", Action.MOVE: "Moving in state..."}
_FINISHED = {Action.CREATE: "Creation complete", Action.UPDATE: "Modifications complete",
             Action.DELETE: "Destruction complete", Action.IMPORT: "Import complete",
             Action.MOVE: "Move complete"}


class Progress(ProgressListener):
    def __init__(self, stream: TextIO | None = None, *, mode: str | None = None,
                 requests: Callable[[], int] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.mode = mode or (TTY if self.stream.isatty() else PLAIN)
        self._requests = requests
        self._lock = threading.Lock()
        self.total = 0
        self.done = 0
        self._live = False

    @classmethod
    def choose(cls, *, quiet: bool, requests: Callable[[], int] | None = None) -> Progress:
        return cls(mode=QUIET if quiet else None, requests=requests)

    def expect(self, steps: int) -> None:
        with self._lock:
            self.total, self.done = steps, 0

    # -- events -------------------------------------------------------------------------------------
    def __call__(self, line: str) -> None:
        """A refresh line: shown, never counted."""
        self._show(line, finished=False)

    def step_started(self, address: str, action: Action, object_id: str | None = None) -> None:
        if action in _STARTED:
            self._show(f"{address}: {_STARTED[action]}" + (f" [id={object_id}]" if object_id else ""),
                       finished=False)

    def step_finished(self, address: str, action: Action, outcome: Outcome) -> None:
        # A failed step is reported once, with the others, after the apply stops.
        if action in _FINISHED and outcome.ok:
            self._show(f"{address}: {_FINISHED[action]}"
                       + (f" [id={outcome.kinde_id}]" if outcome.kinde_id else ""), finished=True)

    def create_rechecked(self, address: str) -> None:
        self._show(f"{address}: create outcome unknown; checking Kinde by natural key", finished=False)

    def secret_delivered(self, address: str, path: Path | None) -> None:
        self._show(f"{address}: one-time secret written to {path}" if path is not None else
                   f"{address}: its one-time secret was discarded (no --secrets-out FILE given)", finished=False)

    def stopping(self, reason: str, in_flight: int, grace: float) -> None:
        self._note(f"Stopping ({reason}): no new step starts; waiting up to {grace:g}s for the {in_flight} "
                   f"step(s) in flight to finish. Send the signal again to stop waiting (the state lock is then "
                   f"kept).")

    # -- display ------------------------------------------------------------------------------------
    def _note(self, line: str) -> None:
        """A line that stays on screen whatever the mode (it matters even to machine-readable runs)."""
        with self._lock:
            if self.mode == TTY:
                self._clear()
            self.stream.write(line + "\n")
            self.stream.flush()

    def _show(self, line: str, *, finished: bool) -> None:
        if self.mode == QUIET:
            return
        with self._lock:
            if finished:
                self.done += 1
            if self.mode == PLAIN:
                self.stream.write(line + "\n")
            else:
                counts = f"[{self.done}/{self.total}]" if self.total else ""
                reqs = f"({self._requests()} requests)" if self._requests else ""
                if finished:
                    # completed steps stay on screen, as in Terraform's output; the live line below
                    # them then shows only the counts until the next step starts
                    self._clear()
                    self.stream.write(line + "\n")
                status = " ".join(part for part in (counts, "" if finished else line, reqs) if part)
                self.stream.write(f"\r\x1b[K{status}"[:200])
                self._live = True
            self.stream.flush()

    def _clear(self) -> None:
        if self._live:
            self.stream.write("\r\x1b[K")
            self._live = False

    def finish(self) -> None:
        if self.mode == TTY:
            with self._lock:
                self._clear()
                self.stream.flush()
