"""``--sweep 4,8,16``: the figures the ``--parallelism`` defaults are chosen from. For each value,
one workspace (M by default) is applied from empty, planned with no changes, and applied from empty
again under the emulator's rate limit (Kinde publishes none; 20 req/s by default), where the AIMD
window and rate ceiling must keep 429s rare and no request may fail."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from bench.emulator import Emulator
from bench.measure import Step, cli_step
from bench.report import failed_requests, share_429
from bench.workspaces import config_for


@attrs.define
class SweepRow:
    parallelism: int
    apply: Step
    plan: Step
    limited: Step | None = None


def run_sweep(size: str, emulator: Emulator, workdir: Path, parallelisms: Sequence[int], rate_limit: float,
              log: Any = print) -> tuple[Step, list[SweepRow]]:
    cfg = workdir / "sweep" / f"{size}.json"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(json.dumps(config_for(size)))
    env = emulator.env()

    def args(state: str, parallelism: int) -> list[str]:
        return ["--config", str(cfg), "--state", str(workdir / "sweep" / state), "--parallelism", str(parallelism)]

    emulator.reset()
    sequential = cli_step("sequential apply", ["apply", *args("seq.db", 1), "--auto-approve"], env, emulator)
    log(f"  sweep {size}: sequential apply {sequential.wall_s:.1f} s")
    rows = []
    for p in parallelisms:
        emulator.reset()
        row = SweepRow(p, cli_step("apply", ["apply", *args(f"p{p}.db", p), "--auto-approve"], env, emulator),
                       cli_step("no-op plan", ["plan", *args(f"p{p}.db", p), "--detailed-exitcode"], env, emulator))
        if rate_limit:
            emulator.reset()
            emulator.set_rate_limit(rate_limit)
            try:
                row.limited = cli_step("rate limited", ["apply", *args(f"r{p}.db", p), "--auto-approve"], env,
                                       emulator)
            finally:
                emulator.set_rate_limit(emulator.base_rate_limit)
        log(f"  sweep {size}: --parallelism {p}: apply {row.apply.wall_s:.1f} s, plan {row.plan.wall_s:.2f} s"
            + (f", rate limited {row.limited.wall_s:.1f} s" if row.limited else ""))
        rows.append(row)
    return sequential, rows


def sweep_table(size: str, latency_ms: float, rate_limit: float, sequential: Step, rows: Sequence[SweepRow]) -> str:
    lines = [(f"### --parallelism sweep: {size}, {latency_ms:g} ms latency; sequential apply {sequential.wall_s:.1f} s "
             f"({sequential.requests} requests)"), "",
             ("| --parallelism | apply s | apply CPU s | vs sequential | no-op plan s | no-op plan requests "
             f"| apply at {rate_limit:g} req/s s | 429s | failed | exit |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lim = row.limited
        limited = ("| - | - | - | -" if lim is None else
                   f"| {lim.wall_s:.1f} | {lim.by_status.get('429', 0)} ({share_429(lim):.1%}) | "
                   f"{failed_requests(lim)} | {lim.exit_code}")
        lines.append(f"| {row.parallelism} | {row.apply.wall_s:.1f} | {row.apply.cpu_s or 0:.1f} | "
                     f"{sequential.wall_s / row.apply.wall_s:.1f}x | {row.plan.wall_s:.2f} | {row.plan.requests} "
                     f"{limited} |")
    lines.append("")
    return "\n".join(lines)
