"""One measured step: a CLI run in a child process, its wall time, peak RSS and the emulator's counts."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

#: Spawns and measures every child (``run_python``).
CHILD = Path(__file__).resolve().parent / "child.py"
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
    """``python -m MODULE ARGS`` as a child, measured as ``run_python`` says."""
    return run_python(["-m", module, *args], env, timeout_s)


def run_python(argv: Sequence[str], env: Mapping[str, str], timeout_s: float = CLI_TIMEOUT_S) -> CliRun:
    """This interpreter with ``argv``, spawned and measured by ``bench/child.py`` (see there why a
    process sits in between): peak RSS is the child's own, whole interpreter and imports included;
    wall time runs from the spawn to the child's exit, interpreter start-up included, as a user of
    the CLI waits for it too."""
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        proc = subprocess.Popen([sys.executable, "-S", str(CHILD), str(result), str(timeout_s), sys.executable,
                                 *argv], env=dict(env), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        proc.wait()
        if proc.returncode != 0 or not result.exists():
            out.seek(0)
            raise RuntimeError(f"bench/child.py failed (exit {proc.returncode}): {out.read()[-2000:]}")
        measured = json.loads(result.read_text(encoding="utf-8"))
        out.seek(0)
        text = out.read()
    return CliRun(exit_code=measured["exit_code"], wall_s=measured["wall_s"], rss_mb=measured["rss_mb"],
                  output=text, cpu_s=measured["cpu_s"])


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
