"""How cost grows with size: wall time and CPU of each scenario at M, L and XL, and the log-log slope
from M to XL (1.0 grows linearly with the number of objects, 2.0 quadratically, 0 not at all)."""
from __future__ import annotations

import math
from collections.abc import Sequence

from bench.measure import Step
from bench.scenarios import APPLY, CHANGE, DRIFT, NOOP, ONE_GET_BASELINE, PER_RESOURCE, SizeResult

GROWTH_SIZES = ("M", "L", "XL")
GROWTH_SCENARIOS = (APPLY, NOOP, CHANGE, DRIFT, PER_RESOURCE, ONE_GET_BASELINE)


def slope(small: float | None, big: float | None, n_small: int, n_big: int) -> float | None:
    """Exponent k of cost ~ objects^k between two sizes."""
    if not small or not big or small <= 0 or big <= 0 or n_big == n_small:
        return None
    return math.log(big / small) / math.log(n_big / n_small)


def _fmt(value: float | None, digits: int, estimated: bool = False) -> str:
    return "-" if value is None else f"{'~' if estimated else ''}{value:.{digits}f}"


def growth_table(results: Sequence[SizeResult]) -> str | None:
    """The table, or None when fewer than two of M, L and XL ran."""
    by_size = {r.size: r for r in results if r.size in GROWTH_SIZES}
    sizes = [s for s in GROWTH_SIZES if s in by_size]
    if len(sizes) < 2:
        return None
    first, last = by_size[sizes[0]], by_size[sizes[-1]]
    n0, n1 = first.shape.total, last.shape.total
    head = " | ".join(f"{s} wall s" for s in sizes)
    cpu_head = " | ".join(f"{s} CPU ms/req" for s in sizes)
    lines = [f"### Growth from {sizes[0]} ({n0} objects) to {sizes[-1]} ({n1} objects)", "",
             f"| scenario | {head} | slope wall | {cpu_head} | slope CPU s |",
             "|---|" + "---:|" * (2 * len(sizes) + 2)]
    for name in GROWTH_SCENARIOS:
        steps: list[Step | None] = [by_size[s].steps.get(name) for s in sizes]
        if all(s is None for s in steps):
            continue
        walls = " | ".join(_fmt(s.wall_s if s else None, 2, bool(s and s.estimated)) for s in steps)
        cpus = " | ".join(_fmt(s.cpu_ms_per_request if s else None, 2) for s in steps)
        a, b = steps[0], steps[-1]
        wall_k = slope(a.wall_s if a else None, b.wall_s if b else None, n0, n1)
        cpu_k = slope(a.cpu_s if a else None, b.cpu_s if b else None, n0, n1)
        lines.append(f"| {name} | {walls} | {_fmt(wall_k, 2)} | {cpus} | {_fmt(cpu_k, 2)} |")
    lines.append("")
    return "\n".join(lines)
