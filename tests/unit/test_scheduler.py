"""The apply scheduler on its own: order, the in-flight bound, what a failure stops, and a stop request
(first and second signal). Steps synchronise on events and barriers, never on sleeps."""
from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from graphlib import TopologicalSorter

import pytest

from kinde_iac.engine.scheduler import Scheduler, WalkResult
from kinde_iac.engine.stop import StopRequest

WAIT = 30.0  # a guard against a hang, never a stand-in for synchronisation


def graph(edges: dict[str, tuple[str, ...]]) -> TopologicalSorter[str]:
    ts: TopologicalSorter[str] = TopologicalSorter()
    for node, deps in edges.items():
        ts.add(node, *deps)
    ts.prepare()
    return ts


class Recorder:
    """A step function that records the order of starts and the most steps running at once."""

    def __init__(self, hook: Callable[[str], None] | None = None) -> None:
        self.hook = hook
        self.lock = threading.Lock()
        self.order: list[str] = []
        self.running = 0
        self.peak = 0

    def __call__(self, node: str) -> None:
        with self.lock:
            self.order.append(node)
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            if self.hook is not None:
                self.hook(node)
        finally:
            with self.lock:
                self.running -= 1


def test_steps_run_after_their_dependencies_ready_ones_in_name_order() -> None:
    edges = {"b": ("a",), "c": ("b",), "a": (), "e": (), "d": ("a", "e")}
    step = Recorder()
    result = Scheduler(1).run(graph(edges), edges, step)
    # a and e are ready at the start (name order); b and d become ready together when a is done.
    assert step.order == ["a", "e", "b", "d", "c"]
    assert result.done == step.order and result.failed == [] and result.not_started == []


@pytest.mark.parametrize("parallelism", [1, 3, 8])
def test_never_more_steps_in_flight_than_the_bound_and_the_bound_is_reached(parallelism: int) -> None:
    nodes = {f"n{i:02d}": () for i in range(parallelism * 4)}
    barrier = threading.Barrier(parallelism, timeout=WAIT)  # each wave proves `parallelism` overlap
    step = Recorder(lambda _node: barrier.wait())
    scheduler = Scheduler(parallelism)
    result = scheduler.run(graph(nodes), nodes, step)
    assert sorted(result.done) == sorted(nodes)
    assert step.peak == parallelism and scheduler.peak == parallelism
    print(f"\nscheduler: {len(nodes)} steps at --parallelism {parallelism}: at most {step.peak} in flight")


def test_a_failure_lets_ready_steps_finish_and_starts_nothing_that_becomes_ready_later() -> None:
    edges = {"a": (), "b": (), "c": ("b",), "d": ("a",)}

    def fail_a(node: str) -> None:
        if node == "a":
            raise RuntimeError("boom")

    result = Scheduler(1).run(graph(edges), edges, Recorder(fail_a))
    assert [(n, str(e)) for n, e in result.failed] == [("a", "boom")]
    assert result.done == ["b"]  # ready when a failed, and independent of it
    assert result.not_started == ["c", "d"]  # c became ready only after the failure
    assert not result.stopped and result.abandoned == []


@pytest.fixture
def held() -> Iterator[tuple[threading.Event, threading.Condition, list[str]]]:
    release = threading.Event()
    started: list[str] = []
    yield release, threading.Condition(), started
    release.set()  # never leave a worker blocked behind a failed test


def run_in_background(scheduler: Scheduler, edges: dict[str, tuple[str, ...]],
                      step: Callable[[str], None]) -> tuple[threading.Thread, list[WalkResult]]:
    out: list[WalkResult] = []
    thread = threading.Thread(target=lambda: out.append(scheduler.run(graph(edges), edges, step)))
    thread.start()
    return thread, out


def test_a_stop_starts_nothing_more_and_waits_for_the_steps_in_flight(held: tuple) -> None:
    release, cond, started = held
    edges = {f"n{i}": () for i in range(10)}

    def hold(node: str) -> None:
        with cond:
            started.append(node)
            cond.notify_all()
        assert release.wait(WAIT)

    stop = StopRequest()
    thread, out = run_in_background(Scheduler(2, stop=stop), edges, hold)
    with cond:
        assert cond.wait_for(lambda: len(started) == 2, timeout=WAIT)
    stop.request(signal.SIGTERM)
    release.set()  # the two steps in flight finish...
    thread.join(WAIT)
    result = out[0]
    assert sorted(result.done) == ["n0", "n1"] and result.stopped and result.abandoned == []
    assert result.not_started == [f"n{i}" for i in range(2, 10)]  # ...and nothing else starts
    assert started == ["n0", "n1"]
    assert stop.name == "SIGTERM"


@pytest.mark.parametrize("how", ["second signal", "grace over"])
def test_the_wait_for_steps_in_flight_is_bounded(held: tuple, how: str) -> None:
    release, cond, started = held
    edges = {f"n{i}": () for i in range(5)}

    def hold(node: str) -> None:
        with cond:
            started.append(node)
            cond.notify_all()
        assert release.wait(WAIT)

    stop = StopRequest(grace=WAIT if how == "second signal" else 0.0)
    thread, out = run_in_background(Scheduler(3, stop=stop), edges, hold)
    with cond:
        assert cond.wait_for(lambda: len(started) == 3, timeout=WAIT)
    stop.request(signal.SIGINT)
    if how == "second signal":
        stop.request(signal.SIGINT)
    thread.join(WAIT)
    assert not thread.is_alive()  # returned while the three steps were still held
    result = out[0]
    assert result.abandoned == ["n0", "n1", "n2"] and result.done == [] and result.stopped
    assert result.not_started == ["n3", "n4"]
    assert stop.count == (2 if how == "second signal" else 1) and stop.name == "SIGINT"


def test_a_signal_before_the_steps_begin_raises_and_one_in_a_shielded_block_waits_for_its_end() -> None:
    from kinde_iac.errors import Interrupted

    stop = StopRequest()
    with pytest.raises(Interrupted) as raised:
        stop.on_signal(signal.SIGHUP)
    assert raised.value.signum == signal.SIGHUP
    reached_end_of_block = False
    with pytest.raises(Interrupted), stop.shielded():
        stop.on_signal(signal.SIGTERM)
        reached_end_of_block = True
    assert reached_end_of_block
    stop.armed = True
    stop.on_signal(signal.SIGTERM)  # once armed, a signal only asks the scheduler to stop
    assert stop.requested and stop.name == "SIGTERM"


def test_cost_per_step_does_not_grow_with_the_number_of_steps(figures: dict) -> None:
    """Independent steps, all ready at once, each taking 1 ms as a request would: the case where
    waiting over every running future made apply quadratic in CPU (issue 19; the old walk measured
    158 us of CPU per step at 1,000 steps and 455 us at 8,000). A figure, never a timed assertion."""
    import time

    per_step = {}
    for n in (1_000, 8_000):
        nodes = {f"n{i:05d}": () for i in range(n)}
        ts = graph(nodes)
        scheduler = Scheduler(8)
        started = time.process_time()
        result = scheduler.run(ts, nodes, lambda _node: time.sleep(0.001))  # the request's latency
        per_step[n] = (time.process_time() - started) / n * 1e6
        assert len(result.done) == n and result.not_started == [] and scheduler.peak == 8
    figures["scheduler CPU per step of 1 ms, 1,000 vs 8,000 ready steps at --parallelism 8"] = \
        f"{per_step[1_000]:.0f} us vs {per_step[8_000]:.0f} us"
