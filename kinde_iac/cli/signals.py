"""SIGINT, SIGTERM and SIGHUP during `apply`, all handled alike: Ctrl-C, a cancelled CI job, `docker
stop`, Kubernetes and a closed terminal each get a clean stop instead of a run killed mid-step with
its lock left behind. The handlers only feed the engine's ``StopRequest``; what a stop means is
decided there (``engine/stop.py``)."""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from kinde_iac.engine.stop import StopRequest

#: Handled alike; SIGHUP exists only on POSIX.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def stop_on_signals(stop: StopRequest) -> Iterator[StopRequest]:
    """Route the stop signals to ``stop`` for the duration of the block, then restore the previous
    handlers. Outside the main thread (where Python cannot install handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(signum: int, _frame: FrameType | None) -> None:
        stop.on_signal(signum)

    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
