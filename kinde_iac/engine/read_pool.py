"""The worker pool of reads (the refresh and the environment guard beside it).

A read in flight can block for a whole client timeout. ``concurrent.futures.ThreadPoolExecutor``
joins its threads both when its ``with`` block ends and when the interpreter exits, so a signal that
stops a run during a refresh would wait for every read in flight first (and, on a stalled server,
for each one's timeout). Reads change nothing, so the threads here are daemons: a stopped run leaves
at once, and reads still in flight die with the process.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class ReadPool(Executor):
    """At most ``max_workers`` daemon threads, started as work arrives. Used as a context manager,
    it waits for its work when the block ends normally and abandons it when the block ends with an
    exception (a signal, a failed read)."""

    def __init__(self, max_workers: int, *, thread_name_prefix: str = "read") -> None:
        self._max = max(1, max_workers)
        self._prefix = thread_name_prefix
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a read pool that is shut down")
            self._jobs.put((future, fn, args, kwargs))
            # Each job is promised a thread: one waiting for work (whose promise it takes) or a new one,
            # up to the bound. A job that could block indefinitely never waits behind another.
            if self._idle:
                self._idle -= 1
            elif len(self._threads) < self._max:
                thread = threading.Thread(target=self._work, name=f"{self._prefix}-{len(self._threads)}",
                                          daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args, kwargs = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as err:  # noqa: BLE001 - the caller of result() re-raises it
                    future.set_exception(err)
            with self._lock:
                self._idle += 1  # waiting for work again: the next job may take this thread

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job[0].cancel()
        for _ in threads:
            self._jobs.put(None)
        if wait:
            for thread in threads:
                thread.join()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        # On the way out of an error nobody waits for reads whose answers no one will use.
        self.shutdown(wait=exc_type is None, cancel_futures=exc_type is not None)
