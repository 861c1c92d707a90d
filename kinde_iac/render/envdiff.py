"""``kinde-iac diff`` output: text (``-`` only in A, ``+`` only in B, ``~`` differs, A's value ->
B's value), a markdown table for a pull-request comment, and a JSON document. Everything shown
comes from the ``EnvDiff``, where a secret is already only "(sensitive value differs)"."""
from __future__ import annotations

import json
from typing import Any

from kinde_iac.engine.envdiff import EnvDiff, FieldDiff, ObjectDiff, SideInfo

FORMAT_VERSION = "1"
_CELL_CHARS = 80


def _value(value: Any) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _side(side: SideInfo) -> str:
    if not side.live:
        return f"{side.name} (config)"
    where = f"environment {side.environment or '(unknown)'}" + (f" at {side.domain}" if side.domain else "")
    return f"{side.name} (live: {where})"


def _by_variable(f: FieldDiff) -> str:
    names = ", ".join(f"`{v}`" for v in f.variables)
    return f"differs by variable {names}" if len(f.variables) == 1 else f"differs by variables {names}"


def _variable_count(diff: EnvDiff) -> int:
    return sum(1 for o in diff.objects for f in o.fields if f.variables)


def summary_line(diff: EnvDiff) -> str:
    a, b = diff.a.name, diff.b.name
    only_a, only_b = len(diff.of("only_a")), len(diff.of("only_b"))
    line = f"Diff: {only_a} only in {a}, {only_b} only in {b}, {len(diff.of('both'))} differ."
    if diff.hidden:
        line += f" {diff.hidden} attribute differences that come only from variables are hidden."
    elif count := _variable_count(diff):
        line += f" {count} of the attribute differences come only from variables (--ignore-variables hides them)."
    return line


# -- text ---------------------------------------------------------------------------------------------

def _field_lines(f: FieldDiff, width: int) -> list[str]:
    name = f.name.ljust(width)
    notes = [_by_variable(f)] if f.variables else []
    if f.business_wide:
        notes.append("business-wide")
    note = f"  ({'; '.join(notes)})" if notes else ""
    if f.sensitive:
        return [f"      ~ {name} = {f.a}{note}"]
    if f.is_set:
        lines = [f"      ~ {name} = [{note}"]
        lines += [f"          + {_value(v)}," for v in f.added]
        lines += [f"          - {_value(v)}," for v in f.removed]
        return [*lines, "        ]"]
    return [f"      ~ {name} = {_value(f.a)} -> {_value(f.b)}{note}"]


def _object_lines(o: ObjectDiff, fields: list[FieldDiff]) -> list[str]:
    width = max(len(f.name) for f in fields)
    lines = [f"  ~ {o.address}"]
    for f in fields:
        lines.extend(_field_lines(f, width))
    return lines


def render_text(diff: EnvDiff) -> str:
    a, b = diff.a.name, diff.b.name
    out = [f"Comparing {_side(diff.a)} with {_side(diff.b)}.", ""]
    if diff.same:
        out.append(f"No differences: {a} and {b} define the same objects.")
        if diff.hidden:
            out.append(f"({diff.hidden} attribute differences that come only from variables are hidden.)")
        out.extend(_not_compared(diff))
        return "\n".join(out) + "\n"
    out += [f"Symbols: - only in {a}, + only in {b}, ~ differs ({a} -> {b}).", ""]
    for o in diff.of("only_a"):
        out.append(f"  - {o.address}  (only in {a})")
    for o in diff.of("only_b"):
        out.append(f"  + {o.address}  (only in {b})")
    if diff.of("only_a") or diff.of("only_b"):
        out.append("")
    per_env = diff.environment_fields
    for o, fields in per_env:
        out.extend(_object_lines(o, fields))
    if per_env:
        out.append("")
    shared = diff.business_wide_fields
    if shared:
        out.append("Business-wide definitions (Kinde keeps one per business, shared by every environment):")
        for o, f in shared:
            shown = f.a if f.sensitive else f"{_value(f.a)} -> {_value(f.b)}"
            out.append(f"  ~ {o.address}: {f.name} = {shown}")
        out.append("")
    out.extend(_not_compared(diff))
    out.append(summary_line(diff))
    return "\n".join(out) + "\n"


def _not_compared(diff: EnvDiff) -> list[str]:
    if not diff.not_compared:
        return []
    by_address: dict[str, list[str]] = {}
    for address, name in diff.not_compared:
        by_address.setdefault(address, []).append(name)
    lines = ["Not compared (Kinde does not return these values and no apply of the workspace recorded them,",
             "or both sides hold only salted hashes of a secret):"]
    lines += [f"  {address}: {', '.join(names)}" for address, names in by_address.items()]
    return [*lines, ""]


# -- markdown -------------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _CELL_CHARS:
        text = text[: _CELL_CHARS - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return f"`{_cell(text).replace('`', chr(39))}`"


def _md_values(f: FieldDiff) -> tuple[str, str]:
    if f.sensitive:
        return "(sensitive)", "(sensitive value differs)"
    if f.is_set:
        removed = ", ".join(f"− {_code(_value(v))}" for v in f.removed) or "—"
        added = ", ".join(f"+ {_code(_value(v))}" for v in f.added) or "—"
        return removed, added
    return _code(_value(f.a)), _code(_value(f.b))


def render_markdown(diff: EnvDiff) -> str:
    a, b = diff.a, diff.b
    out = [f"### kinde-iac diff: {_code(a.label)} → {_code(b.label)}", ""]
    if diff.same:
        out.append(f"No differences: {_code(a.name)} and {_code(b.name)} define the same objects.")
        return "\n".join(out) + "\n"
    out += [f"| object | attribute | {_code(a.name)} | {_code(b.name)} | note |", "|---|---|---|---|---|"]
    for o in diff.of("only_a"):
        out.append(f"| {_code(o.address)} | | defined | **missing** | only in {_code(a.name)} |")
    for o in diff.of("only_b"):
        out.append(f"| {_code(o.address)} | | **missing** | defined | only in {_code(b.name)} |")
    for o in diff.of("both"):
        for f in o.fields:
            left, right = _md_values(f)
            notes = [_by_variable(f)] if f.variables else []
            if f.business_wide:
                notes.append("business-wide: one definition for every environment")
            out.append(f"| {_code(o.address)} | {_code(f.name)} | {left} | {right} | {'; '.join(notes)} |")
    out += ["", f"**{summary_line(diff)}**"]
    if diff.not_compared:
        pairs = ", ".join(_code(f"{address}.{name}") for address, name in diff.not_compared)
        out += ["", f"Not compared (not returned by Kinde, no last apply): {pairs}"]
    return "\n".join(out) + "\n"


# -- JSON ---------------------------------------------------------------------------------------------------

def _field_document(f: FieldDiff) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": f.name, "sensitive": f.sensitive, "business_wide": f.business_wide,
                           "variables": list(f.variables)}
    if not f.sensitive:
        doc.update(a=f.a, b=f.b)
        if f.is_set:
            doc.update(added=list(f.added), removed=list(f.removed))
    return doc


def diff_document(diff: EnvDiff) -> dict[str, Any]:
    """The JSON document of ``diff --format json`` (docs/promotion.md describes it)."""
    def side(s: SideInfo) -> dict[str, Any]:
        return {"workspace": s.name, "live": s.live, "environment": s.environment, "domain": s.domain}

    return {
        "format_version": FORMAT_VERSION,
        "a": side(diff.a),
        "b": side(diff.b),
        "same": diff.same,
        "summary": {"only_in_a": len(diff.of("only_a")), "only_in_b": len(diff.of("only_b")),
                    "differ": len(diff.of("both")), "hidden_by_variables": diff.hidden},
        "objects": [{"address": o.address, "kind": o.kind, "presence": o.presence,
                     "attributes": [_field_document(f) for f in o.fields]} for o in diff.objects],
        "not_compared": [{"address": address, "attribute": name} for address, name in diff.not_compared],
    }


def render_json(diff: EnvDiff) -> str:
    return json.dumps(diff_document(diff), indent=2, ensure_ascii=False) + "\n"
