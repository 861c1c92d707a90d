"""``kinde-iac check``: keys the code relies on, compared with what a workspace defines.

Kinde fails closed on a key it does not know: the button never shows, the route always redirects.
So a key used in code but missing from the workspace, or a permission no role grants (no user can
ever hold it), is an error; a key defined but used nowhere in the scanned code is a note.
"""
from __future__ import annotations

from collections.abc import Sequence

from kinde_iac.checks.findings import Finding, Report, RuleInfo
from kinde_iac.checks.json_lines import ConfigLines
from kinde_iac.checks.source.patterns import FLAG, PERMISSION, ROLE
from kinde_iac.checks.source.scan import CodeUse, ScanResult
from kinde_iac.checks.workspace import Loaded

#: The resource kind that defines each kind of key, and how messages name it.
DEFINED_BY = {PERMISSION: "permission", ROLE: "role", FLAG: "feature_flag"}
NOUN = {PERMISSION: "permission", ROLE: "role", FLAG: "feature flag"}

RULES = (
    RuleInfo("undefined-permission", "error", "A permission key used in code is not defined in the workspace."),
    RuleInfo("undefined-role", "error", "A role key used in code is not defined in the workspace."),
    RuleInfo("undefined-flag", "error", "A feature flag key used in code is not defined in the workspace."),
    RuleInfo("ungranted-permission", "error",
             "A permission used in code is defined but no role grants it, so no user can hold it."),
    RuleInfo("unused-permission", "note", "A permission is defined but no scanned code uses it (--unused)."),
    RuleInfo("unused-role", "note", "A role is defined but no scanned code checks it (--unused)."),
    RuleInfo("unused-flag", "note", "A feature flag is defined but no scanned code reads it (--unused)."),
)
RULE_IDS = {r.id: r for r in RULES}


def _rule(kind: str, what: str) -> str:
    return f"{what}-{'flag' if kind == FLAG else kind}"


def _defined(loaded: Loaded) -> dict[str, set[str]]:
    return {kind: {r.key for r in loaded.by_kind(resource_kind)} for kind, resource_kind in DEFINED_BY.items()}


def _granted(loaded: Loaded) -> set[str]:
    return {p for role in loaded.by_kind("role") for p in role.attributes.get("permissions") or ()}


def _use_finding(use: CodeUse, rule: str, message: str, workspace: str) -> Finding:
    return Finding(rule=rule, level=RULE_IDS[rule].level, message=message, file=use.file, line=use.line,
                   column=use.column, key=use.key, key_kind=use.kind, pattern=use.pattern, workspaces=(workspace,))


def compare(loaded: Loaded, uses: Sequence[CodeUse]) -> list[Finding]:
    """Errors for keys the code uses that the workspace cannot satisfy, one per use."""
    defined = _defined(loaded)
    granted = _granted(loaded)
    out = []
    for use in uses:
        noun = NOUN[use.kind]
        if use.key not in defined[use.kind]:
            out.append(_use_finding(
                use, _rule(use.kind, "undefined"),
                f'{noun} "{use.key}" is used in code ({use.pattern}) but not defined in workspace '
                f'"{loaded.name}"', loaded.name))
        elif use.kind == PERMISSION and use.key not in granted:
            out.append(_use_finding(
                use, "ungranted-permission",
                f'permission "{use.key}" is used in code ({use.pattern}) but no role in workspace '
                f'"{loaded.name}" grants it', loaded.name))
    return out


def unused(loaded: Loaded, uses: Sequence[CodeUse], lines: ConfigLines) -> list[Finding]:
    """Notes for keys the workspace defines that no scanned code uses, at their config entries."""
    used = {(u.kind, u.key) for u in uses}
    out = []
    for kind, resource_kind in DEFINED_BY.items():
        for resource in loaded.by_kind(resource_kind):
            if (kind, resource.key) in used:
                continue
            file, line = loaded.location(resource.address, lines, resource.key)
            rule = _rule(kind, "unused")
            out.append(Finding(rule=rule, level="note", file=file, line=line, key=resource.key, key_kind=kind,
                               address=resource.address, workspaces=(loaded.name,),
                               message=f'{NOUN[kind]} "{resource.key}" is defined but no scanned code uses it'))
    return out


def run_check(loaded: Loaded, scanned: ScanResult, *, with_unused: bool) -> Report:
    findings = compare(loaded, scanned.uses)
    if with_unused:
        findings += unused(loaded, scanned.uses, ConfigLines())
    return Report(command="check", rules=RULES, findings=tuple(findings), workspaces=(loaded.name,),
                  files_scanned=scanned.files, uses_found=len(scanned.uses))
