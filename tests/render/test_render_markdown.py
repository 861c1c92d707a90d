"""The pull-request comment body: marker, headlines, destroys first, drift, the diff, and the size limit."""
from __future__ import annotations

import re

import attrs
from render_helpers import SENTINEL, big_plan, clean_plan, full_plan, updates_only_plan

from kinde_iac.engine import plan_model as pm
from kinde_iac.render.markdown import (
    MARKER_PREFIX,
    MAX_COMMENT_CHARS,
    WorkspaceResult,
    diff_lines,
    find_marker,
    marker,
    render_markdown,
)
from kinde_iac.render.text import summary_line

HINT = "Full plan: CI artifact `plan-dev.json`"


def md(*results: WorkspaceResult, **kw: object) -> str:
    return render_markdown(list(results), **kw)  # type: ignore[arg-type]


def test_marker_is_hidden_first_and_stable() -> None:
    assert marker(["staging", "dev"]) == "<!-- kinde-iac plan: dev,staging -->"
    assert marker(["dev", "dev"]) == marker(["dev"]) == "<!-- kinde-iac plan: dev -->"
    assert marker(["a-->b"]).count("-->") == 1
    body = md(WorkspaceResult("staging", clean_plan("staging")), WorkspaceResult("dev", clean_plan("dev")))
    assert body.startswith(marker(["dev", "staging"]) + "\n")
    assert find_marker(body) == marker(["dev", "staging"]) and body.startswith(MARKER_PREFIX)
    assert find_marker("> " + body) is None


def test_headline_per_case() -> None:
    assert "### ✅ `prod`: no changes" in md(WorkspaceResult("prod", clean_plan()))
    assert "### 📝 `staging`: changes" in md(WorkspaceResult("staging", updates_only_plan()))
    assert "### ⚠️ `dev`: changes with destroys" in md(WorkspaceResult("dev", full_plan()))
    failed = md(WorkspaceResult("qa", error="Kinde API error: HTTP 403 SCOPE_MISSING\ntraceback line"))
    assert "### ❌ `qa`: plan failed" in failed
    assert "Kinde API error: HTTP 403 SCOPE_MISSING" in failed and "traceback line" not in failed


def test_plan_line_and_count_table() -> None:
    plan = full_plan()
    body = md(WorkspaceResult("dev", plan))
    assert f"**{summary_line(plan)}**" in body
    assert "| kind | create | update | replace | destroy | import |" in body
    assert "| `role` | 2 | 4 | · | 1 | 2 |" in body
    assert "| `env_var` | · | · | 2 | · | · |" in body
    assert "| kind |" not in md(WorkspaceResult("prod", clean_plan()))


def test_destroys_come_first_with_a_warning() -> None:
    body = md(WorkspaceResult("dev", full_plan()))
    warning = body.index("> [!WARNING]")
    destroys = body.index("**To destroy**")
    others = body.index("**Other changes**")
    assert warning < destroys < others
    assert "**4 objects will be destroyed** (2 of them replaced" in body
    assert "- 🗑️ `role.obsolete` destroyed" in body
    assert "- ♻️ `env_var.API_KEY` replaced (destroyed, then created again): forced by `value`" in body
    assert body.index("`role.obsolete` destroyed") < body.index("- `role.renamed`: update `name`, `permissions`")


def test_business_wide_flag_deletion_is_called_out() -> None:
    body = md(WorkspaceResult("dev", full_plan()))
    assert "**1 of them is business-wide**: destroying it affects every Kinde environment, not only `dev`" in body
    line = next(ln for ln in body.splitlines() if "`feature_flag.old_flag`" in ln and ln.startswith("- "))
    assert "**business-wide**" in line


def test_drift_has_its_own_section() -> None:
    body = md(WorkspaceResult("dev", full_plan()))
    section = body[body.index("**Objects changed outside kinde-iac**"):body.index("**Other changes**")]
    assert '- `role.drifted`: `name` last applied `"Drifted"`, now `"Changed In Dashboard"` (drift)' in section
    assert "`role.conflicted`" in section and "conflict" in section
    assert "- `role.recreated` was deleted outside kinde-iac (created again)" in section
    assert "reverts them to the configuration" in section
    assert "Objects changed outside" not in md(WorkspaceResult("staging", updates_only_plan()))


def test_imports_and_unmanaged_are_mentioned() -> None:
    body = md(WorkspaceResult("dev", full_plan()))
    assert "- `role.adopted`: import (adopt id `r-adopted`)" in body
    assert "- `role.adopted-changed`: import (adopt id `r-adopted-changed`), then update `name`" in body
    assert "1 live object is not managed by kinde-iac" in body


def test_full_diff_in_details_block() -> None:
    body = md(WorkspaceResult("dev", full_plan()))
    details = body[body.index("<details><summary>Full plan for <code>dev</code></summary>"):]
    diff = details[details.index("```diff\n") + 8:details.index("\n```\n")]
    assert "</details>" in details
    lines = diff.splitlines()
    assert '+       name            = "Created"' in lines
    assert '-       name            = "Obsolete"' in lines
    assert '!       name            = "Renamed" -> "Administrators"' in lines
    assert '+           "orders:write",' in lines and '-           "legacy",' in lines
    assert any(ln.startswith('-/+ resource "env_var" "API_KEY"') for ln in lines)
    assert "\x1b[" not in body
    assert "<details>" not in md(WorkspaceResult("prod", clean_plan()))


def test_diff_lines_moves_symbols_to_column_zero() -> None:
    assert diff_lines("      + a = 1\n  ~ resource\n-/+ resource\n  -/+ legend\n  # note") == \
        ["+       a = 1", "!   resource", "-/+ resource", "  -/+ legend", "  # note"]


def test_several_workspaces_one_body() -> None:
    body = md(WorkspaceResult("dev", full_plan()), WorkspaceResult("staging", updates_only_plan()),
              WorkspaceResult("prod", clean_plan()), WorkspaceResult("qa", error="boom"))
    assert body.count("<!-- kinde-iac plan") == 1
    assert "**4 workspaces: 1 with changes, 1 with destroys, 1 with no changes, 1 failed**" in body
    heads = [ln for ln in body.splitlines() if ln.startswith("### ")]
    assert heads == ["### ⚠️ `dev`: changes with destroys", "### 📝 `staging`: changes",
                     "### ✅ `prod`: no changes", "### ❌ `qa`: plan failed"]
    assert body.index("4 workspaces") < body.index("### ⚠️ `dev`")
    assert "⚠️ Destroys in `dev` (4): see each workspace below." in body
    single = md(WorkspaceResult("dev", full_plan()))
    assert "workspaces:" not in single


def test_failed_workspace_shows_its_error_safely() -> None:
    body = md(WorkspaceResult("qa", error="```\n</details> <b>bad</b>"), WorkspaceResult("dev", clean_plan()))
    section = body[body.index("### ❌ `qa`"):body.index("### ✅")]
    assert "````\n```\n````" in section
    missing = md(WorkspaceResult("qa"))
    assert "plan failed" in missing and "no plan was produced" in missing


def test_no_secret_in_the_body() -> None:
    body = md(WorkspaceResult("dev", full_plan()), full_plan_hint=HINT)
    assert SENTINEL not in body and pm.SENSITIVE in body


def test_small_plan_is_not_shortened_and_keeps_the_hint() -> None:
    body = md(WorkspaceResult("dev", full_plan()), full_plan_hint=HINT)
    assert "Shortened to fit" not in body and body.rstrip().endswith(HINT)


def test_three_thousand_changes_fit_with_every_destroy_named() -> None:
    plan = big_plan(1_000)
    body = md(WorkspaceResult("dev", plan), full_plan_hint=HINT)
    assert len(body) <= MAX_COMMENT_CHARS
    for ch in plan.changes:
        if ch.action == pm.Action.DELETE:
            assert f"`{ch.address}`" in body
    assert HINT in body and "Shortened to fit GitHub's comment size limit" in body
    assert "**Plan: 1000 to add, 1000 to change, 1000 to destroy, 0 to import.**" in body
    assert "| `role` | 1000 | · | · | 1000 | · |" in body
    assert "### ⚠️ `dev`: changes with destroys" in body
    assert "<details>" not in body  # the diff went first
    assert re.search(r"… and \d+ more changes \(see the full plan\)", body)


def test_the_diff_is_truncated_before_the_lists() -> None:
    plan = big_plan(40)
    full = md(WorkspaceResult("dev", plan))
    limit = len(full) - 2_000
    body = md(WorkspaceResult("dev", plan), max_chars=limit)
    assert len(body) <= limit
    assert "<details>" in body and "more lines not shown (comment size limit)" in body
    assert "more changes" not in body  # the per-resource list is complete


def test_largest_diff_is_cut_first() -> None:
    small, large = updates_only_plan("small"), big_plan(30, "large")
    full = md(WorkspaceResult("small", small), WorkspaceResult("large", large))
    body = md(WorkspaceResult("small", small), WorkspaceResult("large", large), max_chars=len(full) - 1_000)
    small_section = body[body.index("### 📝 `small`"):body.index("### ⚠️ `large`")]
    assert "more lines not shown" not in small_section and "```diff" in small_section
    assert "more lines not shown" in body[body.index("### ⚠️ `large`"):]


def test_too_many_destroys_keeps_as_many_addresses_as_fit() -> None:
    plan = big_plan(3_000)
    body = md(WorkspaceResult("dev", plan), full_plan_hint=HINT, max_chars=20_000)
    assert len(body) <= 20_000
    assert "**Plan: 3000 to add, 3000 to change, 3000 to destroy, 0 to import.**" in body
    assert "**3000 objects will be destroyed**" in body
    shown = re.findall(r"^- `role\.gone-\d+`$", body, flags=re.MULTILINE)
    assert len(shown) > 100
    assert f"- … and {3_000 - len(shown)} more to destroy (see the full plan)" in body
    assert HINT in body


def test_drift_without_changes_still_reported() -> None:
    plan = full_plan()
    forget_only = attrs.evolve(plan, changes=tuple(c for c in plan.changes if not c.is_change))
    body = md(WorkspaceResult("dev", forget_only))
    assert "### ✅ `dev`: no changes" in body
    assert "`role.vanished` was deleted outside kinde-iac (forgotten from state)" in body


def test_blocked_plan_is_called_out() -> None:
    plan = attrs.evolve(full_plan(), blocked="this plan destroys 4 of 10 managed objects (more than 20%)")
    body = md(WorkspaceResult("dev", plan))
    assert ("> [!CAUTION]\n> **apply will refuse this plan:** this plan destroys 4 of 10 managed objects "
            "(more than 20%)") in body


def test_many_failed_workspaces_still_fit() -> None:
    results = [WorkspaceResult(f"ws{i}", error="x" * 5_000) for i in range(80)]
    body = render_markdown(results, max_chars=20_000)
    assert len(body) <= 20_000 and body.startswith("<!-- kinde-iac plan: ")
    assert "**80 workspaces: 80 failed**" in body


def test_markdown_and_html_in_names_cannot_break_out() -> None:
    plan = attrs.evolve(clean_plan(), warnings=("<img src=x onerror=alert(1)> </details>",))
    body = md(WorkspaceResult("dev", plan))
    outside_code = re.sub(r"```diff\n.*?\n```", "", body, flags=re.DOTALL)
    assert "<img" not in outside_code and "&lt;img src=x" in outside_code
    assert outside_code.count("</details>") == 1
