"""Run every registered rule over workspaces: place violations in the config, apply
``lint.ignore``, and merge what shared parts make every workspace report."""
from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Sequence

import attrs

from kinde_iac.checks.findings import Finding, Report, Suppression
from kinde_iac.checks.json_lines import ConfigLines
from kinde_iac.checks.lint import BY_ID, RULES, LintContext, Rule
from kinde_iac.checks.workspace import Loaded
from kinde_iac.errors import ConfigError


def context_for(loaded: Loaded) -> LintContext:
    return LintContext(workspace=loaded.name, production=loaded.production, resources=loaded.resources)


def check_ignores(loaded: Loaded) -> None:
    """An ignore entry naming no rule would silently ignore nothing; say so, with its place."""
    for i, entry in enumerate(loaded.ignore):
        if entry.rule not in BY_ID:
            match = difflib.get_close_matches(entry.rule, list(BY_ID), n=1)
            hint = f' (did you mean "{match[0]}"?)' if match else f" (rules: {', '.join(BY_ID)})"
            file, where = loaded.workspace.locate(("lint", "ignore", i, "rule"))
            raise ConfigError(f'unknown lint rule "{entry.rule}"{hint}', file=file, path=where)
        if not entry.reason.strip():
            file, where = loaded.workspace.locate(("lint", "ignore", i, "reason"))
            raise ConfigError("an ignored lint rule needs a reason", file=file, path=where)


def suppression(loaded: Loaded, rule: str, address: str) -> Suppression | None:
    for i, entry in enumerate(loaded.ignore):
        if entry.rule == rule and (entry.address is None or fnmatch.fnmatchcase(address, entry.address)):
            file, where = loaded.workspace.locate(("lint", "ignore", i))
            return Suppression(reason=entry.reason, file=file, path=where)
    return None


def lint_workspace(loaded: Loaded, lines: ConfigLines, rules: Sequence[Rule] = RULES) -> list[Finding]:
    check_ignores(loaded)
    ctx = context_for(loaded)
    out = []
    for rule in rules:
        for v in rule.check(ctx):
            file, line = loaded.location(v.address, lines, v.value)
            out.append(Finding(rule=rule.id, level=rule.level, message=v.message, file=file, line=line,
                               address=v.address, workspaces=(loaded.name,),
                               suppressed=suppression(loaded, rule.id, v.address)))
    return out


def merge(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per place and message, naming every workspace it holds for (a shared part's
    problem is reported once, not once per workspace that extends it)."""
    merged: dict[tuple[object, ...], Finding] = {}
    for f in findings:
        key = (f.rule, f.file, f.line, f.message, f.address, f.suppressed)
        if key in merged:
            seen = merged[key]
            merged[key] = attrs.evolve(seen, workspaces=(*seen.workspaces, *f.workspaces))
        else:
            merged[key] = f
    return sorted(merged.values(), key=lambda f: (f.file, f.line, f.rule, f.message))


def run_lint(workspaces: Sequence[Loaded]) -> Report:
    lines = ConfigLines()
    findings = [f for loaded in workspaces for f in lint_workspace(loaded, lines)]
    return Report(command="lint", rules=tuple(r.info for r in RULES), findings=tuple(merge(findings)),
                  workspaces=tuple(w.name for w in workspaces))
