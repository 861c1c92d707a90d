"""One measured step: a CLI run in a child process, its wall time, peak RSS and the emulator's counts."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

#: A CLI run that takes longer than this is stuck, not slow; the bench must end by itself.
CLI_TIMEOUT_S = 1800.0


@attrs.define
class Step:
    """What one scenario cost. ``estimated`` marks a wall time extrapolated from a partial run."""

    name: str
    requests: int
    wall_s: float
    rss_mb: float | None = None
    #: User + system CPU of the child (interpreter start-up included); None when not measured.
    cpu_s: float | None = None
    exit_code: int | None = None
    by_status: dict[str, int] = attrs.Factory(dict)
    by_route: dict[str, int] = attrs.Factory(dict)
    estimated: bool = False
    note: str = ""
    output: str = ""
    #: Wall times of every repeat when the step ran more than once (``wall_s`` is their median).
    repeats: tuple[float, ...] = ()

    @property
    def cpu_ms_per_request(self) -> float | None:
        return self.cpu_s * 1000.0 / self.requests if self.cpu_s is not None and self.requests else None


@attrs.frozen
class CliRun:
    exit_code: int
    wall_s: float
    rss_mb: float
    output: str
    cpu_s: float = 0.0


def run_cli(args: Sequence[str], env: Mapping[str, str], timeout_s: float = CLI_TIMEOUT_S,
            module: str = "kinde_iac") -> CliRun:
    """``python -m MODULE ARGS`` as a child; peak RSS comes from wait4 on that child alone (the
    whole interpreter, imports included), not from RUSAGE_CHILDREN, which is the max over every child.
    Wall time includes interpreter start-up, as a user of the CLI waits for it too; the blocking
    wait4 ends the measurement the moment the child exits (a polling wait would add up to its
    interval, which matters for the 0.1 s start-up figures)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", module, *args], env=dict(env), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        stuck = threading.Timer(timeout_s, proc.kill)
        stuck.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            stuck.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
        out.seek(0)
        text = out.read()
    return CliRun(exit_code=proc.returncode, wall_s=wall, rss_mb=usage.ru_maxrss / 1024.0, output=text,
                  cpu_s=usage.ru_utime + usage.ru_stime)


def cli_step(name: str, args: Sequence[str], env: Mapping[str, str], emulator: Any,
             expect: Sequence[int] = (0,)) -> Step:
    """Run the CLI with the emulator's counters zeroed first; a run that exits unexpectedly is
    recorded (exit code and output tail), not raised, so one failure still prints a table."""
    emulator.clear_stats()
    run = run_cli(args, env)
    stats = emulator.stats()
    note = "" if run.exit_code in expect else f"exit {run.exit_code} (expected {'/'.join(map(str, expect))})"
    return Step(name=name, requests=int(stats["total"]), wall_s=run.wall_s, rss_mb=run.rss_mb, cpu_s=run.cpu_s,
                exit_code=run.exit_code, by_status=stats["by_status"], by_route=stats["by_route"], note=note,
                output=run.output[-3000:])
