"""The scenarios of one workspace size, in the order that lets each reuse the previous one's state."""
from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from bench.baselines import ONE_GET, PROVIDER, TERRAFORM_PARALLELISM, BaselineRun
from bench.diffing import DiffTiming, time_diffing
from bench.emulator import CLIENT_ID, CLIENT_SECRET, Emulator
from bench.measure import Step, cli_step, run_cli
from bench.transport import post_sample
from bench.workspaces import REPO, Shape, changed_config, config_for, shape_of
from kinde_iac.cli.options import APPLY_PARALLELISM

APPLY = "apply from empty"
SEQUENTIAL = "apply, sequential baseline"
NOOP = "no-op plan"
CHANGE = "plan after 1% change"
DRIFT = "drift"
PER_RESOURCE = "no-op refresh, per-resource baseline (Terraform provider)"
ONE_GET_BASELINE = "no-op refresh, one GET per object"
RATE_LIMITED = "apply from empty, rate limited"
TRANSPORT = "bare client creates at the apply's parallelism (sample)"
BASELINE_NAMES = {PROVIDER: PER_RESOURCE, ONE_GET: ONE_GET_BASELINE}


@attrs.frozen
class Options:
    parallelism: int | None  # None: the CLI's own defaults
    sequential: bool
    per_resource: bool
    one_get: bool = True
    baseline_parallelism: int = TERRAFORM_PARALLELISM
    baseline_budget_s: float = 120.0
    rate_limit: float | None = None  # the rate-limited apply scenario; None skips it
    diff_repeats: int = 5
    #: Runs of each read-only scenario (no-op plan, both baselines), interleaved; the median is kept.
    repeats: int = 1
    #: Creates in the transport sample taken just before the apply (0 skips it).
    transport_sample: int = 0


@attrs.define
class SizeResult:
    size: str
    shape: Shape
    changed: int
    steps: dict[str, Step] = attrs.Factory(dict)
    diff: DiffTiming | None = None
    rate_limit: float | None = None


def write_config(path: Path, config: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=1))
    return path


def median_step(runs: list[Step]) -> Step:
    """The run with the median wall time (the lower one of an even count), carrying every run's wall
    time; CPU is the median too. One run is returned as it is."""
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs, key=lambda s: s.wall_s)
    chosen = ordered[(len(ordered) - 1) // 2]
    cpus = [s.cpu_s for s in runs if s.cpu_s is not None]
    return attrs.evolve(chosen, repeats=tuple(s.wall_s for s in runs),
                        cpu_s=statistics.median(cpus) if cpus else None)


def baseline_step(emulator: Emulator, state: Path, workspace: str, opts: Options, style: str) -> Step:
    """A per-object baseline in a child process (``python -m bench.baselines``)."""
    name = BASELINE_NAMES[style]
    emulator.clear_stats()
    env = {**emulator.env(), "PYTHONPATH": str(REPO)}
    child = run_cli(["--url", emulator.url, "--client-id", CLIENT_ID, "--state", str(state), "--workspace", workspace,
                     "--parallelism", str(opts.baseline_parallelism), "--budget", str(opts.baseline_budget_s),
                     "--style", style], env, module="bench.baselines")
    stats = emulator.stats()
    if child.exit_code != 0:
        return Step(name=name, requests=stats["total"], wall_s=child.wall_s, rss_mb=child.rss_mb, cpu_s=child.cpu_s,
                    exit_code=child.exit_code, note=f"baseline exit {child.exit_code}", output=child.output[-3000:])
    run = BaselineRun(**json.loads(child.output.strip().splitlines()[-1]))
    wall = child.wall_s
    note = ""
    if run.estimated:
        # Start-up as measured, the reads scaled from the share of requests that ran.
        wall = child.wall_s - run.measured_s + run.wall_s
        note = f"extrapolated from {run.done_tasks} of {run.tasks} objects ({run.done_requests} requests)"
    elif stats["total"] != run.requests:
        note = f"emulator counted {stats['total']}, expected {run.requests}"
    return Step(name=name, requests=run.requests, wall_s=wall, rss_mb=child.rss_mb,
                cpu_s=None if run.estimated else child.cpu_s, exit_code=0, by_status=stats["by_status"],
                by_route=stats["by_route"], estimated=run.estimated, note=note)


def transport_step(emulator: Emulator, opts: Options) -> Step:
    """The transport sample (see bench/transport.py) against a freshly reset emulator, taken right
    before the apply so both meet the machine in the same state."""
    emulator.reset()
    parallelism = opts.parallelism or APPLY_PARALLELISM
    run = post_sample(emulator.url, CLIENT_ID, CLIENT_SECRET, parallelism=parallelism,
                      requests=opts.transport_sample)
    stats = emulator.stats()
    note = "" if stats["by_status"].get("201") == run.requests else f"emulator counted {stats['by_status']}"
    return Step(name=TRANSPORT, requests=run.requests, wall_s=run.wall_s, exit_code=0, by_status=stats["by_status"],
                note=note)


def run_size(size: str, emulator: Emulator, workdir: Path, opts: Options, log: Any = print) -> SizeResult:
    """Every scenario of one size against ``emulator``, which this resets first."""
    config = config_for(size)
    # The workspace name is the config file's stem, so the changed config keeps it in a folder of its own.
    cfg = write_config(workdir / size / "base" / f"{size}.json", config)
    shape = shape_of(cfg)
    changed, n_changed = changed_config(config, shape.total)
    changed_cfg = write_config(workdir / size / "changed" / f"{size}.json", changed)
    result = SizeResult(size=size, shape=shape, changed=n_changed)
    env = emulator.env()
    par = ["--parallelism", str(opts.parallelism)] if opts.parallelism else []

    def ws(config_path: Path, state: str) -> list[str]:
        return ["--config", str(config_path), "--state", str(workdir / size / state)]

    def record(step: Step) -> None:
        result.steps[step.name] = step
        extra = f" [{step.note}]" if step.note else ""
        runs = f" (median of {len(step.repeats)})" if step.repeats else ""
        log(f"  {size}: {step.name}: {step.requests} requests, {step.wall_s:.2f} s{runs}{extra}")
        if step.note and step.output:
            log("    output tail: " + step.output[-600:].replace("\n", "\n    "))

    log(f"{size}: {shape.total} objects ({', '.join(f'{k} {v}' for k, v in sorted(shape.by_kind.items()))})")
    if opts.sequential:
        emulator.reset()
        record(cli_step(SEQUENTIAL, ["apply", *ws(cfg, "sequential.db"), "--auto-approve", "--parallelism", "1"],
                        env, emulator))
    if opts.transport_sample:
        record(transport_step(emulator, opts))
    emulator.reset()
    record(cli_step(APPLY, ["apply", *ws(cfg, "state.db"), "--auto-approve", *par], env, emulator))

    def noop() -> Step:
        step = cli_step(NOOP, ["plan", *ws(cfg, "state.db"), "--detailed-exitcode", *par], env, emulator)
        if step.exit_code == 0 and "No changes." not in step.output:
            step.note = "plan did not say 'No changes.'"
        return step

    reads: list[Callable[[], Step]] = [noop]
    state = workdir / size / "state.db"
    if opts.per_resource:
        reads.append(lambda: baseline_step(emulator, state, size, opts, PROVIDER))
    if opts.one_get:
        reads.append(lambda: baseline_step(emulator, state, size, opts, ONE_GET))
    # Interleaved, so a burst of load on the machine spreads over every contender alike.
    runs: list[list[Step]] = [[] for _ in reads]
    for _ in range(max(1, opts.repeats)):
        for read, done in zip(reads, runs):
            done.append(read())
    for done in runs:
        record(median_step(done))
    result.diff = time_diffing(cfg, state, env, repeats=opts.diff_repeats)
    log(f"  {size}: diffing alone: median {result.diff.median_s * 1000:.1f} ms of {result.diff.repeats}")
    record(cli_step(CHANGE, ["plan", *ws(changed_cfg, "state.db"), "--detailed-exitcode", *par], env, emulator,
                    expect=(2,)))
    record(cli_step(DRIFT, ["drift", *ws(cfg, "state.db"), *par], env, emulator))
    if opts.rate_limit:
        emulator.reset()
        emulator.set_rate_limit(opts.rate_limit)
        try:
            record(cli_step(RATE_LIMITED, ["apply", *ws(cfg, "rate-limited.db"), "--auto-approve", *par], env,
                            emulator))
        finally:
            emulator.set_rate_limit(emulator.base_rate_limit)
        result.rate_limit = opts.rate_limit
    return result
