"""The refresh's read pool: every job gets a thread up to the bound (a blocked read never holds up
another), never more threads than the bound, and a block that ends in an error does not wait for
reads still in flight."""
from __future__ import annotations

import threading

import pytest

from kinde_iac.engine.read_pool import ReadPool


def test_blocked_jobs_each_get_a_thread_up_to_the_bound() -> None:
    n = 6
    all_in = threading.Barrier(n, timeout=10)  # breaks (and fails the test) if a job waits behind another
    with ReadPool(n) as pool:
        futures = [pool.submit(lambda i=i: (all_in.wait(), threading.current_thread().name)[1]) for i in range(n)]
        names = [f.result(timeout=10) for f in futures]
    assert len(set(names)) == n


def test_never_more_threads_than_the_bound() -> None:
    seen: set[str] = set()
    lock = threading.Lock()

    def job(i: int) -> int:
        with lock:
            seen.add(threading.current_thread().name)
        return i * i

    with ReadPool(3) as pool:
        assert list(pool.map(job, range(50))) == [i * i for i in range(50)]
    assert 1 <= len(seen) <= 3


def test_errors_reach_the_caller() -> None:
    def boom() -> None:
        raise ValueError("read failed")

    with ReadPool(2) as pool:
        future = pool.submit(boom)
        with pytest.raises(ValueError, match="read failed"):
            future.result(timeout=10)


def test_a_block_ending_in_an_error_abandons_reads_in_flight() -> None:
    release = threading.Event()
    started = threading.Event()

    def stuck() -> str:
        started.set()
        release.wait(30)
        return "late"

    pool = ReadPool(1)
    with pytest.raises(KeyboardInterrupt), pool:
        in_flight = pool.submit(stuck)
        queued = pool.submit(lambda: "never")
        assert started.wait(10)
        raise KeyboardInterrupt  # as a signal would, while a read is stuck
    # The block returned without waiting for the stuck read; the queued one was cancelled.
    assert not in_flight.done() and queued.cancelled()
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("read-"))
    release.set()
    assert in_flight.result(timeout=10) == "late"
