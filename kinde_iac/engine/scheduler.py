"""Runs the steps of a dependency graph with at most ``parallelism`` in flight.

Workers report each finished step on one completion queue, so the scheduler does constant work per
completion (plus the steps it makes ready): no waiting over every running future, which made a
large apply quadratic in CPU (issue 19). The scheduler itself is the only thread that touches the
graph.

- **Order.** Steps run once everything they depend on is done; steps that become ready together
  start in name order, and ready steps start in the order they became ready.
- **Failure.** A failed step stops scheduling: steps that were already ready still run (they do not
  depend on it), nothing that becomes ready afterwards starts.
- **Stop** (a signal, see ``engine.stop``). Nothing more starts, not even ready steps; the steps in
  flight get ``StopRequest.grace`` seconds to finish (a second signal ends the wait at once). Steps
  still running then are *abandoned*: reported, never waited for. Workers are daemon threads, so an
  abandoned step cannot keep the process alive.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from graphlib import TopologicalSorter
from typing import Any

import attrs

from kinde_iac.engine.stop import StopRequest

#: How often the scheduler looks at the clock while it waits (a stop is also announced on the queue).
_TICK_SECONDS = 1.0
_WAKE = object()


@attrs.define
class WalkResult:
    """What became of every step of one walk."""

    done: list[str] = attrs.field(factory=list)
    failed: list[tuple[str, BaseException]] = attrs.field(factory=list)
    #: Never started: after a failure or a stop.
    not_started: list[str] = attrs.field(factory=list)
    #: Still running when the wait after a stop ended.
    abandoned: list[str] = attrs.field(factory=list)
    #: A stop request ended the scheduling.
    stopped: bool = False


class Scheduler:
    def __init__(self, parallelism: int, *, stop: StopRequest | None = None,
                 on_stop: Callable[[int], None] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.parallelism = max(1, parallelism)
        self.stop = stop
        #: Told once, from the scheduling thread, how many steps are in flight when a stop is seen.
        self.on_stop = on_stop
        self._clock = clock
        #: The most steps that were ever in flight at once (tests read it).
        self.peak = 0

    def run(self, graph: TopologicalSorter[str], nodes: Iterable[str], step: Callable[[str], None]) -> WalkResult:
        """Run ``step(node)`` for every node of the prepared ``graph`` (``nodes`` are all of them)."""
        result = WalkResult()
        tasks: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        completions: queue.SimpleQueue[Any] = queue.SimpleQueue()
        workers: list[threading.Thread] = []

        def work() -> None:
            while (node := tasks.get()) is not None:
                try:
                    step(node)
                except BaseException as err:  # noqa: BLE001 - every failure is the step's result
                    completions.put((node, err))
                else:
                    completions.put((node, None))

        def submit(node: str) -> None:
            # A worker per step in flight, up to the bound: fewer when the graph never offers more.
            if len(workers) < self.parallelism and len(in_flight) >= len(workers):
                thread = threading.Thread(target=work, name=f"apply-{len(workers) + 1}", daemon=True)
                workers.append(thread)
                thread.start()
            in_flight.add(node)
            tasks.put(node)
            self.peak = max(self.peak, len(in_flight))

        def wake() -> None:
            completions.put(_WAKE)  # SimpleQueue.put may be called from a signal handler

        ready: deque[str] = deque(sorted(graph.get_ready()))
        in_flight: set[str] = set()
        failed = False
        deadline: float | None = None
        if self.stop is not None:
            self.stop.add_waker(wake)
        try:
            while True:
                stopping = self.stop is not None and self.stop.requested
                if not stopping:
                    while ready and len(in_flight) < self.parallelism:
                        submit(ready.popleft())
                if not in_flight:
                    break
                if stopping:
                    assert self.stop is not None
                    result.stopped = True
                    if deadline is None:
                        deadline = self._clock() + self.stop.grace
                        if self.on_stop is not None:
                            self.on_stop(len(in_flight))
                    if self.stop.count > 1 or self._clock() >= deadline:
                        result.abandoned = sorted(in_flight)
                        break
                    timeout = min(_TICK_SECONDS, max(0.0, deadline - self._clock()))
                else:
                    timeout = _TICK_SECONDS
                try:
                    item = completions.get(timeout=timeout)
                except queue.Empty:
                    continue
                if item is _WAKE:
                    continue
                node, err = item
                in_flight.discard(node)
                if err is not None:
                    result.failed.append((node, err))
                    failed = True
                    continue
                result.done.append(node)
                graph.done(node)
                if not failed:
                    ready.extend(sorted(graph.get_ready()))
        finally:
            if self.stop is not None:
                self.stop.remove_waker(wake)
            for _ in workers:
                tasks.put(None)  # idle workers end now, busy ones after their step
        finished = set(result.done) | {n for n, _ in result.failed} | set(result.abandoned)
        result.not_started = sorted(n for n in nodes if n not in finished)
        result.stopped = result.stopped or (self.stop is not None and self.stop.requested and bool(result.not_started))
        return result
