"""Command line of the benchmark: parse options, start the emulator, run each size, print tables."""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.emulator import Emulator
from bench.growth import growth_table
from bench.measure import Step
from bench.report import parallelism_label, size_table, top_routes
from bench.scenarios import APPLY, NOOP, Options, SizeResult, run_size, write_config
from bench.startup import compile_bytecode, start_table, start_times
from bench.sweep import run_sweep, sweep_table
from bench.targets import Setting, earlier_targets, issue_targets
from bench.transport import SAMPLE_REQUESTS
from bench.workspaces import SIZES, config_for
from kinde_iac.cli.options import APPLY_PARALLELISM, READ_PARALLELISM

DEFAULT_SIZES = "S,M,L,XL"
QUICK_SIZES = ("S", "M")
#: The sequential apply of L and XL would take 5 and 15 minutes, and no target needs it.
SEQUENTIAL_SIZES = ("S", "seed", "M")
#: Sizes whose apply is compared with the transport sample (bench/transport.py): the XL target's
#: and the CPU-per-request sizes.
TRANSPORT_SIZES = ("M", "L", "XL")
#: Short read scenarios are repeated (interleaved) and their median kept: one 0.3 s run is noise.
REPEATS = {"S": 7, "seed": 7}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description="kinde-iac benchmarks against the emulator.")
    p.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated, from: " + ", ".join(SIZES))
    p.add_argument("--quick", action="store_true", help=f"only {' and '.join(QUICK_SIZES)} (L and XL targets SKIP)")
    p.add_argument("--latency-ms", type=float, default=30.0, help="latency the emulator adds to every request")
    p.add_argument("--rate-limit", type=float, default=20.0, metavar="RPS",
                   help="limit of the rate-limited apply scenario on M (0 skips it)")
    p.add_argument("--base-rate-limit", type=float, default=0.0, metavar="RPS",
                   help="an emulator rate limit for every other scenario too (default off)")
    p.add_argument("--parallelism", type=int, default=None,
                   help=f"kinde-iac --parallelism (default: the CLI's own, apply {APPLY_PARALLELISM} and plan/drift "
                        f"{READ_PARALLELISM})")
    p.add_argument("--baseline-parallelism", type=int, default=10,
                   help="requests in flight for the per-object baselines (Terraform's default 10)")
    p.add_argument("--baseline-budget", type=float, default=120.0, metavar="SECONDS",
                   help="per-object baseline time budget; beyond it the wall time is extrapolated")
    p.add_argument("--no-sequential", action="store_true", help="skip the sequential-apply baseline")
    p.add_argument("--transport-sample", type=int, default=SAMPLE_REQUESTS, metavar="N",
                   help="creates in the bare-client sample before the M, L and XL applies (0 skips it)")
    p.add_argument("--no-start", action="store_true", help="skip the start-up times of --help and validate")
    p.add_argument("--routes", action="store_true", help="print the busiest routes of apply and no-op plan")
    p.add_argument("--sweep", default="", metavar="P1,P2,...",
                   help="instead of the sizes: apply, plan and rate-limited apply of --sweep-size at each parallelism")
    p.add_argument("--sweep-size", default="M", choices=SIZES)
    p.add_argument("--workdir", type=Path, default=None, help="keep configs and state here (default: a temp dir)")
    args = p.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        p.error(f"unknown sizes: {', '.join(unknown)}")
    if args.quick:
        sizes = [s for s in sizes if s in QUICK_SIZES]
    args.size_list = sizes
    try:
        args.sweep_list = [int(x) for x in args.sweep.split(",") if x.strip()]
    except ValueError:
        p.error("--sweep takes whole numbers separated by commas")
    return args


def machine() -> str:
    return (f"{platform.platform()}, {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, "
            f"emulator in its own process on 127.0.0.1")


def options_for(size: str, args: argparse.Namespace) -> Options:
    return Options(
        parallelism=args.parallelism,
        sequential=not args.no_sequential and size in SEQUENTIAL_SIZES,
        per_resource=True,
        baseline_parallelism=args.baseline_parallelism,
        baseline_budget_s=args.baseline_budget,
        rate_limit=args.rate_limit if size == "M" and args.rate_limit > 0 else None,
        repeats=REPEATS.get(size, 1),
        transport_sample=args.transport_sample if size in TRANSPORT_SIZES else 0,
    )


def run(args: argparse.Namespace, workdir: Path) -> int:
    print(f"Machine: {machine()}")
    compile_bytecode()
    results: list[SizeResult] = []
    start: dict[str, Step] | None = None
    started = time.monotonic()
    with Emulator(latency_ms=args.latency_ms, rate_limit=args.base_rate_limit or None) as emulator:
        print(f"Emulator: {emulator.url}, latency {args.latency_ms:g} ms"
              + (f", rate limit {args.base_rate_limit:g} req/s" if args.base_rate_limit else ""), flush=True)
        if args.sweep_list:
            sequential, rows = run_sweep(args.sweep_size, emulator, workdir, args.sweep_list, args.rate_limit)
            print()
            print(sweep_table(args.sweep_size, args.latency_ms, args.rate_limit, sequential, rows))
            print(f"Total bench time: {time.monotonic() - started:.0f} s")
            return 0
        if not args.no_start:
            start = start_times(write_config(workdir / "start" / "S.json", config_for("S")), emulator.env())
            print(f"  start-up: --help {start['--help'].wall_s:.3f} s, validate {start['validate'].wall_s:.3f} s",
                  flush=True)
        for size in args.size_list:
            t0 = time.monotonic()
            results.append(run_size(size, emulator, workdir, options_for(size, args)))
            print(f"  {size}: done in {time.monotonic() - t0:.0f} s", flush=True)
    print()
    label = parallelism_label(args.parallelism, APPLY_PARALLELISM, READ_PARALLELISM)
    if start is not None:
        print(start_table(start))
    for r in results:
        print(size_table(r, args.latency_ms, label))
        if args.routes:
            for name in (APPLY, NOOP):
                if name in r.steps:
                    print(f"busiest routes, {name}: {top_routes(r.steps[name])}")
            print()
    growth = growth_table(results)
    if growth:
        print(growth)
    setting = Setting(latency_ms=args.latency_ms, apply_parallelism=args.parallelism or APPLY_PARALLELISM)
    lines = issue_targets(results, start, setting)
    print("Issue 19 targets, side by side:")
    for c in lines:
        print("  " + c.line())
    earlier = earlier_targets(results)
    print("Earlier targets:")
    for c in earlier:
        print("  " + c.line())
    print(f"\nTotal bench time: {time.monotonic() - started:.0f} s")
    return 1 if any(c.ok is False for c in lines + earlier) else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return run(args, args.workdir)
    with tempfile.TemporaryDirectory(prefix="kinde-iac-bench-") as tmp:
        return run(args, Path(tmp))
