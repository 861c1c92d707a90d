"""Per-size tables from the measured results (markdown tables: they read in a terminal and paste
into docs/performance.md unchanged)."""
from __future__ import annotations

from bench.measure import Step
from bench.scenarios import (
    APPLY,
    CHANGE,
    DRIFT,
    NOOP,
    ONE_GET_BASELINE,
    PER_RESOURCE,
    RATE_LIMITED,
    SEQUENTIAL,
    TRANSPORT,
    SizeResult,
)

ORDER = (APPLY, TRANSPORT, SEQUENTIAL, NOOP, PER_RESOURCE, ONE_GET_BASELINE, CHANGE, DRIFT, RATE_LIMITED)


def failed_requests(step: Step) -> int:
    """Answers that were neither success nor a 429 (which the client waits out and retries)."""
    return sum(n for status, n in step.by_status.items() if int(status) >= 400 and status != "429")


def share_429(step: Step) -> float:
    return step.by_status.get("429", 0) / step.requests if step.requests else 0.0


def ratio(slow: Step | None, fast: Step | None) -> float | None:
    if slow is None or fast is None or fast.wall_s <= 0:
        return None
    return slow.wall_s / fast.wall_s


def per_request_ratio(slow: Step | None, fast: Step | None) -> float | None:
    """Wall per request of ``slow`` over ``fast``: for runs of different sizes at one parallelism."""
    if slow is None or fast is None or not slow.requests or not fast.requests or fast.wall_s <= 0:
        return None
    return (slow.wall_s / slow.requests) / (fast.wall_s / fast.requests)


def _label(name: str, r: SizeResult) -> str:
    if name == CHANGE:
        return f"{name} ({r.changed} renamed)"
    if name == RATE_LIMITED and r.rate_limit:
        return f"{name} at {r.rate_limit:g} req/s"
    return name


def _note(step: Step) -> str:
    notes = [step.note] if step.note else []
    if step.repeats:
        notes.append(f"median of {len(step.repeats)}, best {min(step.repeats):.2f} s")
    if step.name == RATE_LIMITED:
        notes.append(f"429s: {step.by_status.get('429', 0)} ({share_429(step):.1%}), "
                     f"failed: {failed_requests(step)}, exit {step.exit_code}")
    return "; ".join(notes)


def _num(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def parallelism_label(parallelism: int | None, apply_default: int, read_default: int) -> str:
    if parallelism:
        return f"--parallelism {parallelism}"
    return f"CLI default parallelism (apply {apply_default}, plan/drift {read_default})"


def size_table(r: SizeResult, latency_ms: float, parallelism: str) -> str:
    lines = [f"### {r.size}: {r.shape.total} objects, {latency_ms:g} ms latency, {parallelism}", "",
             "| scenario | requests | wall s | CPU s | CPU ms/request | peak RSS MB | note |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for name in ORDER:
        step = r.steps.get(name)
        if step is None:
            continue
        wall = f"{'~' if step.estimated else ''}{step.wall_s:.2f}"
        lines.append(f"| {_label(name, r)} | {step.requests} | {wall} | {_num(step.cpu_s, 2)} | "
                     f"{_num(step.cpu_ms_per_request, 2)} | {_num(step.rss_mb, 0)} | {_note(step)} |")
    if r.diff is not None:
        lines.append(f"| diffing alone (build_plan, median of {r.diff.repeats}) | 0 | {r.diff.median_s:.3f} | - | - "
                     f"| - | best {r.diff.best_s:.3f} s |")
    lines.append("")
    parts = []
    for baseline, label in ((PER_RESOURCE, "per-resource baseline"), (ONE_GET_BASELINE, "one GET per object")):
        x = ratio(r.steps.get(baseline), r.steps.get(NOOP))
        if x is not None:
            parts.append(f"no-op plan: {label} / kinde-iac = {x:.2f}x")
    x = ratio(r.steps.get(SEQUENTIAL), r.steps.get(APPLY))
    if x is not None:
        parts.append(f"apply: sequential / kinde-iac = {x:.1f}x")
    x = per_request_ratio(r.steps.get(APPLY), r.steps.get(TRANSPORT))
    if x is not None:
        parts.append(f"apply: kinde-iac / bare client creates, wall per request = {x:.2f}x")
    if parts:
        lines += ["Ratios (wall time): " + "; ".join(parts) + ".", ""]
    return "\n".join(lines)


def top_routes(step: Step, n: int = 6) -> str:
    top = sorted(step.by_route.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{route} {count}" for route, count in top)
