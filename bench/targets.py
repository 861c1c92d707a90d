"""The acceptance targets, as PASS/FAIL/SKIP lines. Issue 19's five figures come first, side by side;
then the earlier targets (request bound, per-resource ratio, rate limit, diffing, memory)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from bench.measure import Step
from bench.report import failed_requests, ratio, share_429
from bench.scenarios import (
    APPLY,
    NOOP,
    ONE_GET_BASELINE,
    PER_RESOURCE,
    RATE_LIMITED,
    SEQUENTIAL,
    TRANSPORT,
    SizeResult,
)
from bench.startup import HELP, VALIDATE, reference_note
from bench.transport import cycle_s

CPU_SPREAD = 1.3  # apply CPU per request: largest / smallest of M, L, XL
FLOOR_RATIO = 1.2  # XL apply wall / (requests x latency / parallelism)
SEQUENTIAL_SPEEDUP = 6.0  # M apply: sequential wall / default wall
START_S = 0.12  # --help and validate, median wall


@attrs.frozen
class Check:
    ok: bool | None  # None: not measured in this run
    text: str

    def line(self) -> str:
        return f"{'SKIP' if self.ok is None else 'PASS' if self.ok else 'FAIL'}  {self.text}"


@attrs.frozen
class Setting:
    """What the targets are measured against: the emulator's latency and the apply parallelism."""

    latency_ms: float
    apply_parallelism: int


def _step(by_size: Mapping[str, SizeResult], size: str, name: str) -> Step | None:
    r = by_size.get(size)
    return r.steps.get(name) if r is not None else None


def _transport_note(by_size: Mapping[str, SizeResult], setting: Setting) -> str:
    """How close to the floor the bare client gets on this machine (bench/transport.py)."""
    sample = _step(by_size, "XL", TRANSPORT)
    if sample is None or not sample.requests or sample.note or not setting.latency_ms:
        return ""
    cycle_ms = cycle_s(sample.wall_s, sample.requests, setting.apply_parallelism) * 1000.0
    return (f"; bare client creates at the same parallelism: {cycle_ms:.1f} ms per request, "
            f"{cycle_ms / setting.latency_ms:.2f}x of the floor on their own")


def issue_targets(results: Sequence[SizeResult], start: Mapping[str, Step] | None, setting: Setting) -> list[Check]:
    by_size = {r.size: r for r in results}
    out = []
    per_request = {s: st.cpu_ms_per_request for s in ("M", "L", "XL")
                   if (st := _step(by_size, s, APPLY)) is not None and st.cpu_ms_per_request}
    figures = ", ".join(f"{s} {v:.2f} ms" for s, v in per_request.items())
    if len(per_request) == 3:
        spread = max(per_request.values()) / min(per_request.values())
        out.append(Check(spread <= CPU_SPREAD, f"apply CPU per request {figures}: largest/smallest {spread:.2f} "
                                               f"(<= {CPU_SPREAD})"))
    else:
        out.append(Check(None, f"apply CPU per request at M, L and XL: only {figures or 'none'} measured"))
    xl = _step(by_size, "XL", APPLY)
    if xl is None:
        out.append(Check(None, "XL apply within 1.2x of its floor: XL was not run"))
    else:
        floor = xl.requests * setting.latency_ms / 1000.0 / setting.apply_parallelism
        out.append(Check(xl.wall_s <= FLOOR_RATIO * floor and not xl.note,
                         f"XL apply at {setting.latency_ms:g} ms: {xl.wall_s:.1f} s vs floor {floor:.1f} s "
                         f"({xl.requests} requests x {setting.latency_ms:g} ms / {setting.apply_parallelism}): "
                         f"{xl.wall_s / floor:.2f}x (<= {FLOOR_RATIO}){_transport_note(by_size, setting)}"))
    sequential, apply_m = _step(by_size, "M", SEQUENTIAL), _step(by_size, "M", APPLY)
    label = f"M apply at --parallelism {setting.apply_parallelism} vs sequential"
    if sequential is None or apply_m is None:
        out.append(Check(None, f"{label}: not measured"))
    else:
        speedup = sequential.wall_s / apply_m.wall_s
        out.append(Check(speedup >= SEQUENTIAL_SPEEDUP, f"{label}: {apply_m.wall_s:.1f} s vs {sequential.wall_s:.1f} s "
                                                        f"= {speedup:.1f}x (>= {SEQUENTIAL_SPEEDUP:g}x)"))
    plan_s, one_get = _step(by_size, "S", NOOP), _step(by_size, "S", ONE_GET_BASELINE)
    if plan_s is None or one_get is None:
        out.append(Check(None, "S no-op plan <= one GET per object: S was not run"))
    else:
        out.append(Check(plan_s.wall_s <= one_get.wall_s and not plan_s.note,
                         f"S no-op plan {plan_s.wall_s:.3f} s <= one GET per object {one_get.wall_s:.3f} s "
                         f"(medians of {len(plan_s.repeats) or 1}; {plan_s.requests} vs {one_get.requests} requests)"))
    if start is None:
        out.append(Check(None, "start-up: not measured"))
    else:
        for name in (HELP, VALIDATE):
            st = start[name]
            out.append(Check(st.wall_s < START_S and not st.note,
                             f"`{name}` start: {st.wall_s:.3f} s median of {len(st.repeats)} "
                             f"(best {min(st.repeats):.3f} s) < {START_S} s{reference_note(start)}"))
    return out


def earlier_targets(results: Sequence[SizeResult]) -> list[Check]:
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
        limited = m.steps.get(RATE_LIMITED)
        if limited is None:
            out.append(Check(None, "M apply under a rate limit: not run"))
        else:
            ok = limited.exit_code == 0 and failed_requests(limited) == 0 and share_429(limited) < 0.05
            out.append(Check(ok, f"M apply at {m.rate_limit:g} req/s: exit {limited.exit_code}, "
                                 f"{failed_requests(limited)} failed requests, "
                                 f"{share_429(limited):.1%} 429s (< 5%)"))
    for size in ("L", "XL"):
        big = by_size.get(size)
        if big is None:
            continue
        if big.diff is not None and size == "L":
            out.append(Check(big.diff.median_s < 1.0, f"L diffing alone: {big.diff.median_s:.3f} s < 1 s"))
        noop = big.steps.get(NOOP)
        if noop is not None and noop.rss_mb is not None and size == "L":
            out.append(Check(noop.rss_mb < 250, f"L no-op plan peak RSS: {noop.rss_mb:.0f} MB < 250 MB"))
    if "L" not in by_size:
        out.append(Check(None, "L targets: size L was not run (--quick or --sizes)"))
    for r in results:
        for step in r.steps.values():
            if step.note and not step.estimated:
                out.append(Check(False, f"{r.size} {step.name}: {step.note}"))
    return out
