"""Terraform-style text rendering of a Plan (colour on a TTY unless NO_COLOR or --no-color)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from kinde_iac.engine import plan_model as pm

Style = Callable[..., str]

_SYMBOL = {pm.CREATE: "+", pm.UPDATE: "~", pm.DELETE: "-", pm.REPLACE: "-/+", pm.NOOP: " ", pm.FORGET: " "}
_COLOUR = {pm.CREATE: "green", pm.UPDATE: "yellow", pm.DELETE: "red", pm.REPLACE: "red", pm.NOOP: None,
           pm.FORGET: None}
_HEADLINE = {
    pm.CREATE: "will be created",
    pm.UPDATE: "will be updated in-place",
    pm.DELETE: "will be destroyed",
    pm.REPLACE: "must be replaced",
}


def _styler(color: bool) -> Style:
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color and (fg or bold) else text
    return style


def fmt(value: Any) -> str:
    if value == pm.SENSITIVE:
        return pm.SENSITIVE
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


def summary_line(plan: pm.Plan) -> str:
    c = plan.count()
    return (f"Plan: {c['add']} to add, {c['change']} to change, {c['destroy']} to destroy, "
            f"{c['import']} to import.")


def render_drift(plan: pm.Plan, style: Style) -> list[str]:
    """The "Objects changed outside kinde-iac" section: per field, last-applied and live values."""
    lines: list[str] = []
    for ch in plan.drifted:
        if ch.deleted_outside:
            lines.append(f"  # {style(ch.address, bold=True)} was deleted outside kinde-iac")
            continue
        lines.append(f"  # {style(ch.address, bold=True)} has changed outside kinde-iac")
        for c in ch.drift:
            label = "CONFLICT, also changed in config" if c.verdict == pm.CONFLICT else "drift"
            if c.unreadable:
                label += "; compared with the last apply only"
            lines.append(f"    ~ {c.name}: last applied {fmt(c.last_applied)}, now {fmt(c.before)}  ({label})")
    if not lines:
        return []
    return ["Objects changed outside kinde-iac:", "",
            *lines, "",
            "Applying this plan reverts them to the configuration.", ""]


def _attribute_lines(ch: pm.ResourceChange, style: Style) -> list[str]:
    out: list[str] = []
    changed = {c.name: c for c in ch.changes}
    attrs = ch.after if ch.action != pm.DELETE else ch.before
    attrs = attrs or {}
    width = max((len(k) for k in attrs), default=0)
    for name in attrs:
        pad = name.ljust(width)
        value = attrs[name]
        if ch.action in (pm.CREATE, pm.DELETE) or (ch.action == pm.REPLACE and name not in changed):
            if ch.action == pm.REPLACE:
                out.append(f"        {pad} = {fmt(value)}")
                continue
            sym = "+" if ch.action == pm.CREATE else "-"
            colour = "green" if sym == "+" else "red"
            if isinstance(value, list) and value:
                out.append(f"      {style(sym, fg=colour)} {pad} = [")
                out.extend(f"          {style(sym, fg=colour)} {fmt(v)}," for v in value)
                out.append("        ]")
            else:
                out.append(f"      {style(sym, fg=colour)} {pad} = {fmt(value)}")
            continue
        c = changed.get(name)
        if c is None:
            continue
        suffix = style(" # forces replacement", fg="red") if c.forces_replacement else ""
        notes = []
        if c.verdict == pm.DRIFT:
            notes.append("reverts a change made outside kinde-iac")
        elif c.verdict == pm.CONFLICT:
            notes.append("conflict: changed in config and outside kinde-iac")
        if c.business_wide:
            notes.append("business-wide")
        note = f"  ({'; '.join(notes)})" if notes else ""
        if c.is_set and not c.sensitive:
            out.append(f"      {style('~', fg='yellow')} {pad} = [{suffix}{note}")
            out.extend(f"          {style('+', fg='green')} {fmt(v)}," for v in c.added)
            out.extend(f"          {style('-', fg='red')} {fmt(v)}," for v in c.removed)
            out.append("        ]")
        else:
            out.append(f"      {style('~', fg='yellow')} {pad} = {fmt(c.before)} -> {fmt(c.after)}{suffix}{note}")
    if ch.kinde_id and ch.action not in (pm.CREATE,):
        out.append(f"        {'id'.ljust(width)} = {fmt(ch.kinde_id)}")
    return out


def render_change(ch: pm.ResourceChange, style: Style) -> list[str]:
    lines: list[str] = []
    if ch.imported and ch.action in (pm.NOOP, pm.UPDATE, pm.REPLACE):
        lines.append(f"  # {style(ch.address, bold=True)} will be imported (adopted from Kinde"
                     f"{', id ' + ch.kinde_id if ch.kinde_id else ''})")
        if ch.action == pm.NOOP:
            lines.append("")
            return lines
    if ch.action == pm.FORGET:
        return lines
    headline = _HEADLINE[ch.action]
    lines.append(f"  # {style(ch.address, bold=True)} {headline}")
    for note in ch.notes:
        lines.append(f"  # ({note})")
    sym = _SYMBOL[ch.action]
    lines.append(f"{style(sym.rjust(3), fg=_COLOUR[ch.action])} resource {fmt(ch.kind)} {fmt(ch.key)} {{")
    lines.extend(_attribute_lines(ch, style))
    lines.append("    }")
    lines.append("")
    return lines


def render_plan(plan: pm.Plan, *, color: bool = False) -> str:
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
    for action, label in ((pm.CREATE, "create"), (pm.UPDATE, "update in-place"), (pm.DELETE, "destroy"),
                          (pm.REPLACE, "destroy and then create replacement")):
        if action in used:
            out.append(f"  {style(_SYMBOL[action].rjust(3), fg=_COLOUR[action])} {label}")
    if any(ch.imported for ch in changes):
        out.append(f"  {style(' <=', fg='cyan')} import (adopt an existing Kinde object)")
    out += ["", "kinde-iac will perform the following actions:", ""]
    for ch in changes:
        out.extend(render_change(ch, style))
    out.append(style(summary_line(plan), bold=True))
    return "\n".join(out) + "\n"
