"""``kinde-iac promote`` output: the change to the target's file as a unified diff, then what was
promoted, what needed nothing and why, and what ``--all`` left alone."""
from __future__ import annotations

from kinde_iac.engine.promote import Promotion


def render_promotion(p: Promotion, *, dry_run: bool) -> str:
    out: list[str] = []
    if p.changed:
        out.append(p.unified_diff().rstrip("\n"))
        out.append("")
    for address in p.promoted:
        out.append(f"{address}: promoted from {p.source}")
    for address in p.removed:
        out.append(f"{address}: removed (not defined in {p.source})")
    for address, why in p.unchanged:
        out.append(f"{address}: nothing to promote ({why})")
    for address in p.kept:
        out.append(f"{address}: only in {p.target}, kept (name it to remove it)")
    if not p.changed:
        out.append(f"{p.file} is unchanged.")
    elif dry_run:
        out.append(f"Dry run: {p.file} was not written.")
    else:
        out.append(f"Wrote {p.file}. Review it with `kinde-iac plan -w {p.target}` and open a pull request.")
    return "\n".join(out) + "\n"
