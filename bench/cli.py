"""Command line of the benchmark: parse options, start the emulator, run each size, print tables."""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.emulator import Emulator
from bench.report import checks, size_table, top_routes
from bench.scenarios import APPLY, NOOP, Options, SizeResult, run_size
from bench.workspaces import SIZES


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description="kinde-iac benchmarks against the emulator.")
    p.add_argument("--sizes", default="seed,M,L", help="comma-separated, from: " + ", ".join(SIZES))
    p.add_argument("--quick", action="store_true",
                   help="skip L (its targets print SKIP) and the per-resource baseline on L")
    p.add_argument("--latency-ms", type=float, default=30.0, help="latency the emulator adds to every request")
    p.add_argument("--rate-limit", type=float, default=20.0, metavar="RPS",
                   help="limit of the rate-limited apply scenario on M (0 skips it)")
    p.add_argument("--base-rate-limit", type=float, default=0.0, metavar="RPS",
                   help="an emulator rate limit for every other scenario too (default off)")
    p.add_argument("--parallelism", type=int, default=None,
                   help="kinde-iac --parallelism (default: the CLI's own, apply 4 and plan/drift 8)")
    p.add_argument("--baseline-parallelism", type=int, default=10,
                   help="requests in flight for the per-resource baseline (Terraform's default 10)")
    p.add_argument("--baseline-budget", type=float, default=120.0, metavar="SECONDS",
                   help="per-resource baseline time budget; beyond it the wall time is extrapolated")
    p.add_argument("--no-sequential", action="store_true", help="skip the sequential-apply baseline")
    p.add_argument("--routes", action="store_true", help="print the busiest routes of apply and no-op plan")
    p.add_argument("--workdir", type=Path, default=None, help="keep configs and state here (default: a temp dir)")
    args = p.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        p.error(f"unknown sizes: {', '.join(unknown)}")
    if args.quick:
        sizes = [s for s in sizes if s != "L"]
    args.size_list = sizes
    return args


def machine() -> str:
    return (f"{platform.platform()}, {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, "
            f"emulator in its own process on 127.0.0.1")


def run(args: argparse.Namespace, workdir: Path) -> int:
    print(f"Machine: {machine()}")
    results: list[SizeResult] = []
    started = time.monotonic()
    with Emulator(latency_ms=args.latency_ms, rate_limit=args.base_rate_limit or None) as emulator:
        print(f"Emulator: {emulator.url}, latency {args.latency_ms:g} ms"
              + (f", rate limit {args.base_rate_limit:g} req/s" if args.base_rate_limit else ""))
        for size in args.size_list:
            opts = Options(
                parallelism=args.parallelism,
                sequential=not args.no_sequential,
                per_resource=not (args.quick and size == "L"),
                baseline_parallelism=args.baseline_parallelism,
                baseline_budget_s=args.baseline_budget,
                rate_limit=args.rate_limit if size == "M" and args.rate_limit > 0 else None,
            )
            t0 = time.monotonic()
            results.append(run_size(size, emulator, workdir, opts))
            print(f"  {size}: done in {time.monotonic() - t0:.0f} s", flush=True)
    print()
    for r in results:
        print(size_table(r, args.latency_ms, args.parallelism))
        if args.routes:
            for name in (APPLY, NOOP):
                if name in r.steps:
                    print(f"busiest routes, {name}: {top_routes(r.steps[name])}")
            print()
    lines = checks(results)
    print("Acceptance targets:")
    for c in lines:
        print("  " + c.line())
    print(f"\nTotal bench time: {time.monotonic() - started:.0f} s")
    return 1 if any(c.ok is False for c in lines) else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return run(args, args.workdir)
    with tempfile.TemporaryDirectory(prefix="kinde-iac-bench-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
