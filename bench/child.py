"""Runs one command as a child of this small process and writes that child's wall time, CPU time and
peak RSS as JSON: ``python -S bench/child.py RESULT_FILE TIMEOUT_S PROGRAM [ARG ...]``.

Why a process in between: on Linux a child's peak RSS (``ru_maxrss``) includes the memory of the
process it was forked from, as it was before the child's ``exec``. Spawned straight from the
benchmark, every child therefore "used" at least the benchmark's own RSS (35 MB and more), which
hid the CLI's real figure for anything smaller. Spawned from this process, which imports only a few
standard modules under ``-S``, the floor is this process's RSS (about 10 MB), below a bare
``python -c pass``. Standard library only, so ``-S`` (no site-packages) keeps it small."""
from __future__ import annotations

import json
import os
import signal
import sys
import time


def main() -> None:
    result_file, timeout_s, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ)
    # A stuck child is killed, not waited for: the benchmark must end by itself.
    signal.signal(signal.SIGALRM, lambda _sig, _frame: os.kill(pid, signal.SIGKILL))
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    # The blocking wait4 ends the measurement the moment the child exits (it is retried after the
    # alarm's handler runs, PEP 475).
    _, status, usage = os.wait4(pid, 0)
    wall_s = time.perf_counter() - started
    signal.setitimer(signal.ITIMER_REAL, 0)
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump({"exit_code": os.waitstatus_to_exitcode(status), "wall_s": wall_s,
                   "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024.0}, out)


if __name__ == "__main__":
    main()
