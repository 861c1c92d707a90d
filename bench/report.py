"""Tables and PASS/FAIL lines from the measured results (markdown tables: they read in a terminal
and paste into docs/performance.md unchanged)."""
from __future__ import annotations

from collections.abc import Sequence

import attrs

from bench.measure import Step
from bench.scenarios import APPLY, CHANGE, DRIFT, NOOP, PER_RESOURCE, RATE_LIMITED, SEQUENTIAL, SizeResult

ORDER = (APPLY, SEQUENTIAL, NOOP, PER_RESOURCE, CHANGE, DRIFT, RATE_LIMITED)


@attrs.frozen
class Check:
    ok: bool | None  # None: not measured in this run
    text: str

    def line(self) -> str:
        return f"{'SKIP' if self.ok is None else 'PASS' if self.ok else 'FAIL'}  {self.text}"


def failed_requests(step: Step) -> int:
    """Answers that were neither success nor a 429 (which the client waits out and retries)."""
    return sum(n for status, n in step.by_status.items() if int(status) >= 400 and status != "429")


def share_429(step: Step) -> float:
    return step.by_status.get("429", 0) / step.requests if step.requests else 0.0


def ratio(slow: Step | None, fast: Step | None) -> float | None:
    if slow is None or fast is None or fast.wall_s <= 0:
        return None
    return slow.wall_s / fast.wall_s


def _label(name: str, r: SizeResult) -> str:
    if name == CHANGE:
        return f"{name} ({r.changed} renamed)"
    if name == RATE_LIMITED and r.rate_limit:
        return f"{name} at {r.rate_limit:g} req/s"
    return name


def _note(step: Step) -> str:
    notes = [step.note] if step.note else []
    if step.name == RATE_LIMITED:
        notes.append(f"429s: {step.by_status.get('429', 0)} ({share_429(step):.1%}), "
                     f"failed: {failed_requests(step)}, exit {step.exit_code}")
    return "; ".join(notes)


def size_table(r: SizeResult, latency_ms: float, parallelism: int | None) -> str:
    par = f"--parallelism {parallelism}" if parallelism else "CLI default parallelism (apply 4, plan/drift 8)"
    lines = [f"### {r.size}: {r.shape.total} objects, {latency_ms:g} ms latency, {par}", "",
             "| scenario | requests | wall s | peak RSS MB | note |", "|---|---:|---:|---:|---|"]
    for name in ORDER:
        step = r.steps.get(name)
        if step is None:
            continue
        wall = f"{'~' if step.estimated else ''}{step.wall_s:.2f}"
        rss = f"{step.rss_mb:.0f}" if step.rss_mb is not None else "-"
        lines.append(f"| {_label(name, r)} | {step.requests} | {wall} | {rss} | {_note(step)} |")
    if r.diff is not None:
        lines.append(f"| diffing alone (build_plan, median of {r.diff.repeats}) | 0 | {r.diff.median_s:.3f} | - | "
                     f"best {r.diff.best_s:.3f} s |")
    lines.append("")
    noop_ratio = ratio(r.steps.get(PER_RESOURCE), r.steps.get(NOOP))
    apply_ratio = ratio(r.steps.get(SEQUENTIAL), r.steps.get(APPLY))
    parts = []
    if noop_ratio is not None:
        parts.append(f"no-op plan: per-resource baseline / kinde-iac = {noop_ratio:.1f}x")
    if apply_ratio is not None:
        parts.append(f"apply: sequential / kinde-iac = {apply_ratio:.1f}x")
    if parts:
        lines += ["Ratios (wall time): " + "; ".join(parts) + ".", ""]
    return "\n".join(lines)


def top_routes(step: Step, n: int = 6) -> str:
    top = sorted(step.by_route.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{route} {count}" for route, count in top)


def checks(results: Sequence[SizeResult]) -> list[Check]:
    by_size = {r.size: r for r in results}
    out: list[Check] = []
    m = by_size.get("M")
    if m is None:
        out.append(Check(None, "M targets: size M was not run"))
    else:
        noop = m.steps.get(NOOP)
        bound, how = m.shape.noop_plan_bound()
        if noop is not None:
            out.append(Check(noop.requests <= bound and not noop.note,
                             f"M no-op plan: {noop.requests} requests <= bound {bound} ({how})"))
        r = ratio(m.steps.get(PER_RESOURCE), noop)
        out.append(Check(None if r is None else r >= 5,
                         f"M no-op plan >= 5x faster than per-resource refresh: "
                         f"{'not measured' if r is None else f'{r:.1f}x'}"))
        r = ratio(m.steps.get(SEQUENTIAL), m.steps.get(APPLY))
        out.append(Check(None if r is None else r >= 3,
                         f"M apply from empty >= 3x faster than sequential: "
                         f"{'not measured' if r is None else f'{r:.1f}x'}"))
        limited = m.steps.get(RATE_LIMITED)
        if limited is None:
            out.append(Check(None, "M apply under a rate limit: not run"))
        else:
            ok = limited.exit_code == 0 and failed_requests(limited) == 0 and share_429(limited) < 0.05
            out.append(Check(ok, f"M apply at {m.rate_limit:g} req/s: exit {limited.exit_code}, "
                                 f"{failed_requests(limited)} failed requests, "
                                 f"{share_429(limited):.1%} 429s (< 5%)"))
    big = by_size.get("L")
    if big is None:
        out.append(Check(None, "L targets: size L was not run (--quick or --sizes)"))
    else:
        if big.diff is not None:
            out.append(Check(big.diff.median_s < 1.0, f"L diffing alone: {big.diff.median_s:.3f} s < 1 s"))
        noop = big.steps.get(NOOP)
        if noop is not None and noop.rss_mb is not None:
            out.append(Check(noop.rss_mb < 250, f"L no-op plan peak RSS: {noop.rss_mb:.0f} MB < 250 MB"))
    for r in results:
        for step in r.steps.values():
            if step.note and not step.estimated:
                out.append(Check(False, f"{r.size} {step.name}: {step.note}"))
    return out
