"""Terraform-style text rendering of a Plan (colour on a TTY unless NO_COLOR or --no-color)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from kinde_iac.engine.plan_model import SENSITIVE, UNKNOWN, Action, Counts, Plan, ResourceChange, Verdict

if TYPE_CHECKING:
    from kinde_iac.engine.apply_flow import ApplySummary

Style = Callable[..., str]

_SYMBOL = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.REPLACE: "-/+", Action.NOOP: " ",
           Action.FORGET: " "}
_COLOUR = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red", Action.REPLACE: "red",
           Action.NOOP: None, Action.FORGET: None}
_HEADLINE = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in-place",
    Action.DELETE: "will be destroyed",
    Action.REPLACE: "must be replaced",
}


def _styler(color: bool) -> Style:
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color and (fg or bold) else text
    return style


#: One encoder for every value: ``json.dumps`` with a non-default option builds a new one per call,
#: which a plan of 20,000 objects calls 100,000 times.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def fmt(value: Any) -> str:
    if value in (SENSITIVE, UNKNOWN):
        return str(value)
    if value is None:
        return "null"
    return _ENCODE(value)


def summary_line(plan: Plan) -> str:
    c = plan.counts
    return f"Plan: {c.add} to add, {c.change} to change, {c.destroy} to destroy, {c.import_} to import."


def applied_line(counts: Counts) -> str:
    """The apply summary's counts, in the same numbers as the plan's line."""
    return f"{counts.add} added, {counts.change} changed, {counts.destroy} destroyed, {counts.import_} imported"


def apply_summary(summary: ApplySummary) -> str:
    """After an apply: the closing line, or each failed step, what was not attempted, and the counts."""
    r = summary.result
    cost = (f" ({summary.requests} API requests, {summary.retries} retried, {r.rechecked} creates re-checked "
            f"by natural key)")
    if r.ok:
        return f"\nApply complete! Resources: {applied_line(r.counts)}.{cost}"
    if r.interrupted is not None:
        return _interrupted_summary(summary, cost)
    lines = [f"Error: {address}: {message}" for address, message in r.failed]
    if r.skipped:
        lines.append(f"Not attempted: {len(r.skipped)} changes; the next apply resumes them.")
    lines.append(f"Apply failed after {applied_line(r.counts)}{cost}.")
    return "\n".join(lines)


#: Addresses named in the "Landed" line before it says how many more there are.
_LANDED_SHOWN = 20


def _interrupted_summary(summary: ApplySummary, cost: str) -> str:
    """After a signal stopped the apply: what landed, what failed, what never started, and the lock."""
    r = summary.result
    lines = [f"Apply interrupted by {r.interrupted}: {applied_line(r.counts)} before it stopped{cost}."]
    if r.applied:
        more = len(r.applied) - _LANDED_SHOWN
        lines.append("Landed: " + ", ".join(r.applied[:_LANDED_SHOWN]) + (f" and {more} more" if more > 0 else ""))
    lines.extend(f"Error: {address}: {message}" for address, message in r.failed)
    if r.skipped:
        lines.append(f"Not attempted: {len(r.skipped)} changes; the next apply resumes them.")
    if r.abandoned:
        lines.append(f"Still running when apply stopped waiting: {', '.join(r.abandoned)}; the next plan settles "
                     f"them by natural key.")
    if summary.kept_lock:
        lines.append(f"The state lock {summary.kept_lock} is kept, since those steps may still write. Once no "
                     f"kinde-iac process runs, release it with `kinde-iac force-unlock {summary.kept_lock}`.")
    return "\n".join(lines)


def render_drift(plan: Plan, style: Style) -> list[str]:
    """The "Objects changed outside kinde-iac" section: per field, last-applied and live values."""
    lines: list[str] = []
    for ch in plan.drifted:
        if ch.deleted_outside:
            lines.append(f"  # {style(ch.address, bold=True)} was deleted outside kinde-iac")
            continue
        lines.append(f"  # {style(ch.address, bold=True)} has changed outside kinde-iac")
        for c in ch.drift:
            label = "CONFLICT, also changed in config" if c.verdict == Verdict.CONFLICT else "drift"
            if c.unreadable:
                label += "; compared with the last apply only"
            lines.append(f"    ~ {c.name}: last applied {fmt(c.last_applied)}, now {fmt(c.before)}  ({label})")
    if not lines:
        return []
    return ["Objects changed outside kinde-iac:", "",
            *lines, "",
            "Applying this plan reverts them to the configuration.", ""]


def _attribute_lines(ch: ResourceChange, style: Style) -> list[str]:
    out: list[str] = []
    changed = {c.name: c for c in ch.changes}
    attrs = ch.after if ch.action != Action.DELETE else ch.before
    attrs = attrs or {}
    width = max((len(k) for k in attrs), default=0)
    # Every line of a created or destroyed object carries the same mark: styled once per object.
    mark = (style("+", fg="green") if ch.action == Action.CREATE
            else style("-", fg="red") if ch.action == Action.DELETE else None)
    for name in attrs:
        pad = name.ljust(width)
        value = attrs[name]
        if mark is not None:
            if isinstance(value, list) and value:
                out.append(f"      {mark} {pad} = [")
                out.extend(f"          {mark} {fmt(v)}," for v in value)
                out.append("        ]")
            else:
                out.append(f"      {mark} {pad} = {fmt(value)}")
            continue
        if ch.action == Action.REPLACE and name not in changed:
            out.append(f"        {pad} = {fmt(value)}")
            continue
        c = changed.get(name)
        if c is None:
            continue
        suffix = style(" # forces replacement", fg="red") if c.forces_replacement else ""
        notes = []
        if c.verdict == Verdict.DRIFT:
            notes.append("reverts a change made outside kinde-iac")
        elif c.verdict == Verdict.CONFLICT:
            notes.append("conflict: changed in config and outside kinde-iac")
        if c.business_wide:
            notes.append("business-wide")
        if c.unreadable and not c.sensitive:
            notes.append("Kinde cannot return it: compared with the last apply")
        note = f"  ({'; '.join(notes)})" if notes else ""
        if c.is_set and not c.sensitive:
            out.append(f"      {style('~', fg='yellow')} {pad} = [{suffix}{note}")
            out.extend(f"          {style('+', fg='green')} {fmt(v)}," for v in c.added)
            out.extend(f"          {style('-', fg='red')} {fmt(v)}," for v in c.removed)
            out.append("        ]")
        else:
            out.append(f"      {style('~', fg='yellow')} {pad} = {fmt(c.before)} -> {fmt(c.after)}{suffix}{note}")
    if ch.kinde_id and ch.action not in (Action.CREATE,):
        out.append(f"        {'id'.ljust(width)} = {fmt(ch.kinde_id)}")
    return out


def render_change(ch: ResourceChange, style: Style) -> list[str]:
    lines: list[str] = []
    if ch.moved_from is not None and ch.action == Action.NOOP and not ch.imported:
        # As Terraform shows a moved block that changes nothing else.
        lines.append(f"  # {style(ch.moved_from, bold=True)} has moved to {style(ch.address, bold=True)}")
        lines.append(f"    resource {fmt(ch.kind)} {fmt(ch.key)} {{")
        if ch.kinde_id:
            lines.append(f"        id = {fmt(ch.kinde_id)}")
        lines.extend(["    }", ""])
        return lines
    if ch.imported and ch.action in (Action.NOOP, Action.UPDATE, Action.REPLACE):
        lines.append(f"  # {style(ch.address, bold=True)} will be imported (adopted from Kinde"
                     f"{', id ' + ch.kinde_id if ch.kinde_id else ''})")
        if ch.action == Action.NOOP:
            lines.append("")
            return lines
    if ch.action == Action.FORGET:
        return lines
    headline = _HEADLINE[ch.action]
    lines.append(f"  # {style(ch.address, bold=True)} {headline}")
    if ch.moved_from is not None:
        lines.append(f"  # (moved from {ch.moved_from})")
    for note in ch.notes:
        lines.append(f"  # ({note})")
    sym = _SYMBOL[ch.action]
    lines.append(f"{style(sym.rjust(3), fg=_COLOUR[ch.action])} resource {fmt(ch.kind)} {fmt(ch.key)} {{")
    lines.extend(_attribute_lines(ch, style))
    lines.append("    }")
    lines.append("")
    return lines


def render_plan(plan: Plan, *, color: bool = False) -> str:
    style = _styler(color)
    out: list[str] = [
        f"Workspace {plan.workspace!r}: Kinde environment {plan.environment or '(unknown)'} at {plan.domain}",
        "",
    ]
    out.extend(render_drift(plan, style))
    for w in plan.warnings:
        out.append(style(f"Warning: {w}", fg="yellow"))
    if plan.warnings:
        out.append("")
    changes = [ch for ch in plan.changes if ch.is_change]
    if not changes:
        out.append(style("No changes.", fg="green", bold=True)
                   + " Your Kinde environment matches the configuration.")
        return "\n".join(out) + "\n"
    out += [
        "kinde-iac used the selected workspace to generate the following execution plan.",
        "Resource actions are indicated with the following symbols:",
    ]
    used = {ch.action for ch in changes}
    for action, label in ((Action.CREATE, "create"), (Action.UPDATE, "update in-place"), (Action.DELETE, "destroy"),
                          (Action.REPLACE, "destroy and then create replacement")):
        if action in used:
            out.append(f"  {style(_SYMBOL[action].rjust(3), fg=_COLOUR[action])} {label}")
    if any(ch.imported for ch in changes):
        out.append(f"  {style(' <=', fg='cyan')} import (adopt an existing Kinde object)")
    out += ["", "kinde-iac will perform the following actions:", ""]
    for ch in changes:
        out.extend(render_change(ch, style))
    out.append(style(summary_line(plan), bold=True))
    return "\n".join(out) + "\n"
