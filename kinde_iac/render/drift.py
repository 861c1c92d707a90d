"""Renders a DriftReport as text, JSON or markdown. Secret values never reach it (state holds
hashes, the report masks them)."""
from __future__ import annotations

import json
from typing import Any

from kinde_iac.engine.drift import DriftReport
from kinde_iac.engine.plan_model import AttributeChange
from kinde_iac.render.markers import DRIFT_PREFIX, drift_marker
from kinde_iac.render.text import fmt


def _field_lines(c: AttributeChange) -> list[str]:
    if c.sensitive:
        return [f"~ {c.name}: (sensitive value) changed"]
    if c.is_set:
        before, last = set(c.before or ()), set(c.last_applied or ())
        return ([f"+ {c.name}: {fmt(v)} added outside kinde-iac" for v in sorted(before - last)]
                + [f"- {c.name}: {fmt(v)} removed outside kinde-iac" for v in sorted(last - before)])
    return [f"~ {c.name}: last applied {fmt(c.last_applied)}, now {fmt(c.before)}"]


def headline(report: DriftReport) -> str:
    duplicates = f", {len(report.duplicates)} duplicated" if report.duplicates else ""
    return (f"Drift: {len(report.changed)} changed, {len(report.deleted)} deleted, "
            f"{len(report.recreated)} re-created{duplicates} outside kinde-iac; {len(report.unmanaged)} unmanaged.")


def coverage_line(report: DriftReport) -> str:
    managed, total = report.total_coverage()
    pct = f"{100 * managed / total:.0f}%" if total else "n/a"
    per_kind = ", ".join(f"{k} {m}/{t}" for k, (m, t) in sorted(report.coverage.items()))
    line = f"Coverage: {managed}/{total} live objects managed ({pct}): {per_kind}"
    # Every live object that is not managed is listed somewhere, so the numbers add up.
    others = [(len(report.unmanaged), "unmanaged"), (len(report.duplicates), "duplicate"),
              (len(report.adoptable), "to adopt"), (len(report.ignored), "ignored")]
    shown = ", ".join(f"{n} {what}" for n, what in others if n)
    return f"{line} (not managed: {shown})" if shown else line


def render_text(report: DriftReport) -> str:
    title = (f"Drift report for workspace {report.workspace!r}: Kinde environment "
             f"{report.environment or '(unknown)'} at {report.domain}")
    out = [title, ""]
    if report.changed:
        out.append("Changed outside kinde-iac:")
        for ch in report.changed:
            out.append(f"  # {ch.address}")
            out.extend(f"    {line}" for c in ch.drift for line in _field_lines(c))
        out.append("")
    if report.deleted:
        out.append("Deleted outside kinde-iac:")
        out.extend(f"  - {ch.address}" + (f" (id {ch.kinde_id})" if ch.kinde_id else "") for ch in report.deleted)
        out.append("")
    if report.recreated:
        out.append("Deleted and re-created outside kinde-iac (same natural key, new id):")
        out.extend(f"  ~ {ch.address} (now id {ch.kinde_id})" for ch in report.recreated)
        out.append("")
    if report.duplicates:
        out.append("Duplicates (in Kinde under the natural key of a managed object; adopting by it is ambiguous now):")
        out.extend(f"  ! {u.address}" + (f" (id {u.kinde_id})" if u.kinde_id else "")
                   + f": same natural key {fmt('/'.join(u.natural))} as {u.duplicate_of}, which kinde-iac manages"
                   for u in report.duplicates)
        out.append("")
    if report.adoptable:
        out.append("In the configuration but not yet managed (the next apply adopts them):")
        out.extend(f"  + {u.address}" + (f" (id {u.kinde_id})" if u.kinde_id else "") for u in report.adoptable)
        out.append("")
    if report.unmanaged:
        out.append("Unmanaged (in Kinde, in no config and no state):")
        out.extend(f"  ? {u.address}" + (f" (id {u.kinde_id})" if u.kinde_id else "") for u in report.unmanaged)
        out.append("")
    if report.ignored:
        out.append(f"Ignored by rules: {len(report.ignored)} unmanaged objects "
                   f"({', '.join(sorted({rule for _, rule in report.ignored}))})")
        out.append("")
    for rule in report.expired_rules:
        out.append(f"Warning: ignore rule {rule.address!r} expired on {rule.until}; its objects are reported again.")
    if report.expired_rules:
        out.append("")
    out.append(coverage_line(report))
    out.append("No drift: Kinde matches the last apply." if report.in_sync else headline(report))
    return "\n".join(out) + "\n"


def to_dict(report: DriftReport) -> dict[str, Any]:
    managed, total = report.total_coverage()
    return {
        "workspace": report.workspace, "domain": report.domain, "environment": report.environment,
        "in_sync": report.in_sync,
        "changed": [{"address": ch.address, "kinde_id": ch.kinde_id, "fields": [
            {"name": c.name, "last_applied": c.last_applied, "live": c.before, "sensitive": c.sensitive}
            for c in ch.drift]} for ch in report.changed],
        "deleted": [{"address": ch.address, "kinde_id": ch.kinde_id} for ch in report.deleted],
        "recreated": [{"address": ch.address, "kinde_id": ch.kinde_id} for ch in report.recreated],
        "unmanaged": [{"address": u.address, "kind": u.kind, "kinde_id": u.kinde_id} for u in report.unmanaged],
        "duplicates": [{"address": u.address, "kind": u.kind, "kinde_id": u.kinde_id, "verdict": "duplicate",
                        "natural": list(u.natural), "duplicate_of": u.duplicate_of} for u in report.duplicates],
        "adoptable": [{"address": u.address, "kind": u.kind, "kinde_id": u.kinde_id} for u in report.adoptable],
        "ignored": [{"address": u.address, "rule": rule} for u, rule in report.ignored],
        "expired_rules": [{"address": r.address, "until": r.until} for r in report.expired_rules],
        "coverage": {"total": {"managed": managed, "live": total},
                     **{k: {"managed": m, "live": t} for k, (m, t) in sorted(report.coverage.items())}},
    }


def render_json(report: DriftReport) -> str:
    return json.dumps(to_dict(report), indent=2, sort_keys=True) + "\n"


def render_markdown(report: DriftReport, project: str | None = None) -> str:
    """The drift report for a step summary or an issue; with a ``project`` its marker names project and
    workspace (how the drift issue is found again)."""
    status = "✅ No drift" if report.in_sync else "⚠️ Drift found"
    mark = drift_marker(project, report.workspace) if project else f"{DRIFT_PREFIX}: {report.workspace} -->"
    out = [mark, f"## {status} in `{report.workspace}`", "",
           headline(report), "", coverage_line(report), ""]
    if not report.in_sync or report.unmanaged:
        out += ["<details><summary>Details</summary>", "", "```diff", render_text(report).rstrip(), "```",
                "", "</details>", ""]
    return "\n".join(out)
