"""How kinde-iac's bulk phases treat Python's cyclic garbage collector.

Loading a big workspace allocates hundreds of thousands of containers that all outlive the phase
(JSON trees, source maps, attrs objects) and form no reference cycles. The collector does not know
that: as the heap grows it runs full collections that walk every one of them again, a third of the
time an XL (19,890 objects) config load takes. ``bulk`` pauses it for such a phase; anything cyclic
the phase drops is still collected afterwards.

The console script's process ends with its command, so there (``console_process``) what a phase
built is also frozen into the permanent generation when the phase ends, and everything else at
exit: no later collection walks it again, nor the interpreter's own collections at shutdown, which
took 0.1 s of a 15-object plan here. It also collects the young generation every
``CONSOLE_YOUNG_THRESHOLD`` allocations instead of every 700: start-up imports a few hundred
thousand objects that all live as long as the process, and at 700 the collector walked them over and
over (50 ms of a 15-object plan). A process that lives on (a test run, a caller's program) keeps
the defaults, where garbage that existed before a phase stays collectable.
"""
from __future__ import annotations

import atexit
import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_resume = False
_freeze = False

#: Allocations between two collections of the young generation in the console script's process;
#: cyclic garbage still goes, and a young collection walks at most this many objects.
CONSOLE_YOUNG_THRESHOLD = 100_000


def console_process() -> None:
    """Called once by the console script, before its command runs."""
    global _freeze
    _freeze = True
    gc.set_threshold(CONSOLE_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    atexit.register(gc.freeze)


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """No cyclic collection while the block runs (in any thread: the collector is process-wide);
    the collector is back as it was once the last of overlapping blocks ends, even on an error."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                if _freeze:
                    gc.freeze()
                gc.enable()
