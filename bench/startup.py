"""Start-up: how long ``kinde-iac --help`` and ``kinde-iac validate`` take from a cold process to
exit, as a user waits for them. Run several times, interleaved; the median is the figure.

The package's bytecode is compiled first, as ``pip install`` does for an installed package: with
``PYTHONDONTWRITEBYTECODE`` set (CI images often set it) an editable checkout would otherwise
compile every module from source on every run, and that is not what users wait for."""
from __future__ import annotations

import statistics
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from bench.measure import Step, run_python
from bench.workspaces import REPO

HELP = "--help"
VALIDATE = "validate"
INTERPRETER = "interpreter"
LIBRARIES = "libraries"
REFERENCE_CODE = {INTERPRETER: "pass", LIBRARIES: "import attrs, cattrs, click"}
START_RUNS = 15


def compile_bytecode() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "kinde_iac")], check=True,
                   stdout=subprocess.DEVNULL)


def start_times(config: Path, env: Mapping[str, str], runs: int = START_RUNS) -> dict[str, Step]:
    """Median wall time of ``--help`` and ``validate --config CONFIG`` over ``runs`` runs each, and of
    the two reference processes."""
    commands = {HELP: ["-m", "kinde_iac", "--help"], VALIDATE: ["-m", "kinde_iac", "validate", "--config", str(config)],
                **{name: ["-c", code] for name, code in REFERENCE_CODE.items()}}
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, float] = {}
    failed: dict[str, str] = {}
    for _ in range(runs):
        for name, args in commands.items():
            run = run_python(args, env, timeout_s=60)
            if run.exit_code != 0:
                failed[name] = run.output[-600:]
            walls[name].append(run.wall_s)
            cpus[name].append(run.cpu_s)
            rss[name] = run.rss_mb
    return {name: Step(name=name, requests=0, wall_s=statistics.median(walls[name]), rss_mb=rss[name],
                       cpu_s=statistics.median(cpus[name]), exit_code=1 if name in failed else 0,
                       repeats=tuple(walls[name]), note="failed: " + failed[name] if name in failed else "")
            for name in commands}


def start_table(steps: Mapping[str, Step]) -> str:
    lines = ["### Start-up (no network)", "", "| command | median wall s | best wall s | median CPU s | peak RSS MB |",
             "|---|---:|---:|---:|---:|"]
    for name, step in steps.items():
        command = label(name)
        lines.append(f"| `{command}` | {step.wall_s:.3f} | {min(step.repeats):.3f} | {step.cpu_s or 0:.3f} | "
                     f"{step.rss_mb or 0:.0f} |")
    lines.append("")
    return "\n".join(lines)


def label(name: str) -> str:
    if name in REFERENCE_CODE:
        return f'python -c "{REFERENCE_CODE[name]}"'
    return f"kinde-iac {name}" if name == HELP else f"kinde-iac {name} --config S.json"


def reference_note(steps: Mapping[str, Step]) -> str:
    """The reference processes' medians, for the start-up targets' lines."""
    if not all(name in steps for name in REFERENCE_CODE):
        return ""
    return (f"; here the interpreter alone takes {steps[INTERPRETER].wall_s:.3f} s and importing attrs, "
            f"cattrs and click alone {steps[LIBRARIES].wall_s:.3f} s")
