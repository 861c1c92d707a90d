"""Pull-request comment body (``plan --format markdown``), in the manner of tfcmt and Atlantis.

Reviewers read the top first, so destroys come before everything else, and when GitHub's size
limit bites, detail goes before summaries: diffs first, then per-resource lists, never the
headline, the counts or the addresses about to be destroyed. Every value shown comes from the
Plan, which is already masked; nothing here looks anywhere else.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import attrs

from kinde_iac.engine.plan_model import Action, Plan, ResourceChange, Verdict, WorkspaceResult
from kinde_iac.render.markers import MARKER_PREFIX, find_marker, marker
from kinde_iac.render.text import fmt, render_plan, summary_line

__all__ = ["MARKER_PREFIX", "MAX_COMMENT_CHARS", "WorkspaceResult", "diff_lines", "find_marker", "marker",
           "render_markdown", "summary"]

MAX_COMMENT_CHARS = 60_000

_VALUE_CHARS = 80
_ERROR_CHARS = 1_000
#: The per-kind table breaks the plan line down by action, so a replacement has a column of its own.
_COLUMNS = (("create", (Action.CREATE,)), ("update", (Action.UPDATE,)), ("replace", (Action.REPLACE,)),
            ("destroy", (Action.DELETE,)), ("import", ()))


# -- small formatting helpers ---------------------------------------------------------------------

def _code(text: str) -> str:
    text = " ".join(str(text).split())
    ticks = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if ticks != "`" or text.startswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _text(text: str) -> str:
    """Free text (notes, warnings, errors) with HTML neutralised, so it cannot open tags or close ours."""
    return " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _value(value: object) -> str:
    shown = fmt(value)
    return _code(shown if len(shown) <= _VALUE_CHARS else shown[: _VALUE_CHARS - 1] + "…")


def _fence(text: str, lang: str = "") -> str:
    ticks = "`" * max(3, max((len(r) for r in re.findall(r"`{3,}", text)), default=0) + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


_SYMBOL = re.compile(r"^(\s*)(-/\+|[-+~])(?= )")
_DIFF_MARK = {"+": "+", "-": "-", "~": "!"}


def diff_lines(text: str) -> list[str]:
    """Terraform-style text with each change symbol moved to column 0, where GitHub's ``diff``
    highlighting looks for it (as tfcmt does): ``+`` green, ``-`` red, ``!`` (for ``~``) orange."""
    out = []
    for line in text.splitlines():
        m = _SYMBOL.match(line)
        # "-/+" at column 0 already reads as a removal; indented, it is only the legend.
        if m and m.group(1) and m.group(2) != "-/+":
            indent, sym = m.groups()
            line = _DIFF_MARK[sym] + indent + line[len(indent) + 1:]
        out.append(line)
    return out


# -- shrinkable pieces ----------------------------------------------------------------------------

@attrs.define
class _Block:
    """A run of items the size limit may cut; ``render(items, left_out)`` draws the kept ones."""

    #: 0: diffs, 1: per-resource lists, 2: destroyed addresses (cut in this order).
    priority: int
    items: list[str]
    render: Callable[[list[str], int], str]
    #: A shorter form of the items (destroyed addresses without notes), used before cutting any.
    compact: list[str] | None = None
    #: How many items survive the size limit; None keeps them all.
    keep: int | None = None
    use_compact: bool = False

    def text(self, keep: int | None = None) -> str:
        items = self.compact if self.use_compact and self.compact is not None else self.items
        k = next(n for n in (keep, self.keep, len(items)) if n is not None)
        return self.render(items[:k], len(items) - k)

    def count(self) -> int:
        return len(self.items)


def _length(pieces: list[str | _Block]) -> int:
    return sum(len(p) if isinstance(p, str) else len(p.text()) for p in pieces)


def _cut(block: _Block, allowed: int) -> None:
    """Keep as many items as fit in ``allowed`` characters (binary search: length grows with items)."""
    lo, hi = 0, block.count()
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(block.text(mid)) <= allowed:
            lo = mid
        else:
            hi = mid - 1
    block.keep = lo


def _fit(pieces: list[str | _Block], budget: int) -> bool:
    """Shrink blocks, least important and largest first, until the pieces fit; True if any was cut."""
    if _length(pieces) <= budget:
        return False
    blocks = [p for p in pieces if isinstance(p, _Block)]
    for priority in (0, 1, 2):
        for block in sorted((b for b in blocks if b.priority == priority), key=lambda b: -len(b.text())):
            total = _length(pieces)
            if total <= budget:
                return True
            if block.compact is not None and not block.use_compact:
                block.use_compact = True
                total = _length(pieces)
                if total <= budget:
                    return True
            _cut(block, budget - (total - len(block.text())))
    return True


# -- one workspace --------------------------------------------------------------------------------

def _headline(result: WorkspaceResult) -> tuple[str, str]:
    """(category, headline) for a workspace."""
    name = _code(result.workspace)
    plan = result.plan
    if plan is None or result.error is not None:
        return "failed", f"### ❌ {name}: plan failed"
    if plan.counts.destroy:
        return "destroys", f"### ⚠️ {name}: changes with destroys"
    if plan.has_changes:
        return "changes", f"### 📝 {name}: changes"
    return "clean", f"### ✅ {name}: no changes"


def _count_table(plan: Plan) -> str:
    rows: dict[str, list[int]] = {}
    for ch in plan.changes:
        counts = rows.setdefault(ch.kind, [0] * len(_COLUMNS))
        for i, (_, actions) in enumerate(_COLUMNS):
            if ch.action in actions or (not actions and ch.imported):
                counts[i] += 1
    rows = {k: v for k, v in rows.items() if any(v)}
    if not rows:
        return ""
    head = "| kind | " + " | ".join(name for name, _ in _COLUMNS) + " |"
    rule = "|:--|" + "--:|" * len(_COLUMNS)
    body = [f"| {_code(kind)} | " + " | ".join(str(n) if n else "·" for n in v) + " |" for kind, v in rows.items()]
    return "\n".join([head, rule, *body]) + "\n\n"


def _business_wide(ch: ResourceChange) -> bool:
    # Deletes carry no field changes, only the kind's notes, so both are consulted.
    return any(c.business_wide for c in ch.changes) or any("business-wide" in n for n in ch.notes)


def _destroy_item(ch: ResourceChange) -> str:
    if ch.action == Action.REPLACE:
        forced = [_code(c.name) for c in ch.changes if c.forces_replacement]
        what = "♻️ " + _code(ch.address) + " replaced (destroyed, then created again)"
        if forced:
            what += ": forced by " + ", ".join(forced)
    else:
        what = "🗑️ " + _code(ch.address) + " destroyed"
    if _business_wide(ch):
        what += " — **business-wide**"
    notes = "; ".join(_text(n) for n in ch.notes)
    return f"- {what}" + (f" ({notes})" if notes else "")


def _list(title: str, noun: str, footer: str = "") -> Callable[[list[str], int], str]:
    def render(items: list[str], left_out: int) -> str:
        if not items and not left_out:
            return ""
        lines = [f"**{title}**", "", *items]
        if left_out:
            lines.append(f"- … and {left_out} more {noun} (see the full plan)" if items else
                         f"_{left_out} {noun} not listed here, to fit GitHub's comment size limit; "
                         f"see the full plan._")
        if footer:
            lines += ["", footer]
        return "\n".join(lines) + "\n\n"
    return render


def _drift_items(plan: Plan) -> list[str]:
    items = []
    for ch in plan.drifted:
        if ch.deleted_outside:
            again = "created again" if ch.action == Action.CREATE else "forgotten from state"
            items.append(f"- {_code(ch.address)} was deleted outside kinde-iac ({again})")
            continue
        for c in ch.drift:
            label = "conflict: also changed in config" if c.verdict == Verdict.CONFLICT else "drift"
            if c.unreadable:
                label += "; compared with the last apply only"
            items.append(f"- {_code(ch.address)}: {_code(c.name)} last applied {_value(c.last_applied)}, "
                         f"now {_value(c.before)} ({label})")
    return items


def _change_item(ch: ResourceChange) -> str:
    fields = ", ".join(_code(c.name) for c in ch.changes)
    if ch.action == Action.CREATE:
        what = "create"
    elif ch.action == Action.UPDATE:
        what = f"update {fields}"
    else:
        what = ""
    if ch.imported:
        adopt = f"import (adopt id {_code(ch.kinde_id)})" if ch.kinde_id else "import (adopt by natural key)"
        what = f"{adopt}, then {what}" if what else adopt
    if ch.moved_from is not None:
        moved = f"moved from {_code(ch.moved_from)}"
        what = f"{moved}, then {what}" if what else moved
    if any(c.business_wide for c in ch.changes):
        what += " — **business-wide**"
    notes = "; ".join(_text(n) for n in ch.notes)
    return f"- {_code(ch.address)}: {what}" + (f" ({notes})" if notes else "")


def _diff(workspace: str, plan: Plan) -> _Block:
    lines = diff_lines(render_plan(plan, color=False))

    def render(items: list[str], left_out: int) -> str:
        if not items:
            return (f"_The full plan text for {_code(workspace)} was left out to fit GitHub's comment size "
                    f"limit._\n\n")
        text = "\n".join(items)
        if left_out:
            text += f"\n... {left_out} more lines not shown (comment size limit)"
        return (f"<details><summary>Full plan for <code>{_text(workspace)}</code></summary>\n\n"
                f"{_fence(text, 'diff')}\n\n</details>\n\n")
    return _Block(priority=0, items=lines, render=render)


def _section(result: WorkspaceResult) -> list[str | _Block]:
    _, headline = _headline(result)
    plan = result.plan
    if plan is None or result.error is not None:
        error = (result.error or "no plan was produced").strip().splitlines() or ["no plan was produced"]
        line = error[0] if len(error[0]) <= _ERROR_CHARS else error[0][: _ERROR_CHARS - 1] + "…"
        return [f"{headline}\n\n{_fence(line)}\n\n"]
    where = f"Kinde environment {_code(plan.environment or '(unknown)')} at {_code(plan.domain)}"
    pieces: list[str | _Block] = [f"{headline}\n\n**{summary_line(plan)}**\n{where}\n\n", _count_table(plan)]
    if plan.blocked:
        pieces.append(f"> [!CAUTION]\n> **apply will refuse this plan:** {_text(plan.blocked)}\n\n")

    destroyed = [ch for ch in plan.changes if ch.action in (Action.DELETE, Action.REPLACE)]
    if destroyed:
        replaced = sum(1 for ch in destroyed if ch.action == Action.REPLACE)
        wide = sum(1 for ch in destroyed if _business_wide(ch))
        callout = [f"> [!WARNING]\n> **{len(destroyed)} object{'s' if len(destroyed) != 1 else ''} will be "
                   f"destroyed**" + (f" ({replaced} of them replaced: destroyed, then created again)" if replaced
                                     else "") + ". Check that this is intended before approving."]
        if wide:
            callout.append(f"> **{wide} of them {'is' if wide == 1 else 'are'} business-wide**: destroying "
                           f"{'it' if wide == 1 else 'them'} affects every Kinde environment, not only "
                           f"{_code(plan.workspace)}.")
        pieces.append("\n".join(callout) + "\n\n")
        pieces.append(_Block(priority=2, items=[_destroy_item(ch) for ch in destroyed],
                             compact=[f"- {_code(ch.address)}" for ch in destroyed],
                             render=_list("To destroy", "to destroy")))

    drift = _drift_items(plan)
    if drift:
        pieces.append(_Block(priority=1, items=drift, render=_list(
            "Objects changed outside kinde-iac", "drifted fields",
            "_Applying this plan reverts them to the configuration._")))
    others = [_change_item(ch) for ch in plan.changes
              if ch.is_change and ch.action not in (Action.DELETE, Action.REPLACE)]
    if others:
        pieces.append(_Block(priority=1, items=others, render=_list("Other changes", "changes")))
    if plan.warnings:
        pieces.append(_Block(priority=1, items=[f"- {_text(w)}" for w in plan.warnings],
                             render=_list("Warnings", "warnings")))
    if plan.unmanaged:
        n = len(plan.unmanaged)
        pieces.append(f"ℹ️ {n} live object{'s are' if n != 1 else ' is'} not managed by kinde-iac and will not be "
                      f"touched (`kinde-iac drift --workspace {_text(plan.workspace)}` lists them).\n\n")
    if plan.has_changes or plan.drifted or plan.warnings:
        pieces.append(_diff(result.workspace, plan))
    return pieces


# -- the whole body -------------------------------------------------------------------------------

def summary(sections: Sequence[WorkspaceResult]) -> str:
    """"3 workspaces: 1 with changes, 1 with destroys, 1 failed"."""
    cats = [_headline(r)[0] for r in sections]
    parts = [f"{cats.count(c)} {label}" for c, label in (("changes", "with changes"), ("destroys", "with destroys"),
                                                          ("clean", "with no changes"), ("failed", "failed"))
             if cats.count(c)]
    return f"{len(sections)} workspaces: {', '.join(parts)}"


def render_markdown(sections: Sequence[WorkspaceResult], *, full_plan_hint: str | None = None,
                    max_chars: int = MAX_COMMENT_CHARS, project: str | None = None) -> str:
    """One comment body for all workspaces, in the order given, at most ``max_chars`` long. With a
    ``project`` the marker and the title name it, so each project in a repository keeps its own comment."""
    title = "## kinde-iac plan" + (f" for {_code(project)}" if project else "")
    head = marker([r.workspace for r in sections], project) + f"\n{title}\n\n"
    if len(sections) > 1:
        head += f"**{summary(sections)}**\n\n"
        destroying = [f"{_code(r.workspace)} ({r.plan.counts.destroy})" for r in sections
                      if r.plan is not None and r.error is None and r.plan.counts.destroy]
        if destroying:
            head += f"⚠️ Destroys in {', '.join(destroying)}: see each workspace below.\n\n"
    pieces: list[str | _Block] = []
    for result in sections:
        pieces.extend(_section(result))
    tail = f"{_text(full_plan_hint)}\n" if full_plan_hint else ""
    notice = ("> [!NOTE]\n> Shortened to fit GitHub's comment size limit: some detail is left out. "
              + (_text(full_plan_hint) if full_plan_hint else "Run `kinde-iac show PLAN_FILE` for the full plan.")
              + "\n\n")
    cut = _fit(pieces, max_chars - len(head) - len(tail) - len(notice))
    body = head + (notice if cut else "") + "".join(p if isinstance(p, str) else p.text() for p in pieces) + tail
    if len(body) > max_chars:
        # Only when the unshrinkable parts alone are too long (hundreds of workspaces): a hard cut.
        end = "\n\n… (cut at the comment size limit)\n"
        body = body[: max_chars - len(end)] + end
    return body
