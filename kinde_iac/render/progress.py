"""Progress of long refreshes and applies: one live status line on a terminal (counts and the
current operation), plain lines in CI logs, nothing when the output is machine-readable."""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TextIO

TTY, PLAIN, QUIET = "tty", "plain", "quiet"


class Progress:
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

    def expect(self, total: int) -> None:
        with self._lock:
            self.total, self.done = total, 0

    def __call__(self, line: str) -> None:
        """One event from refresh or apply; a line ending in "complete" finishes one change."""
        if self.mode == QUIET:
            return
        with self._lock:
            finished = line.endswith("complete") or "complete [" in line
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
