"""What ``check`` and ``lint`` report: rules, findings and the report that holds them."""
from __future__ import annotations

from typing import Literal

import attrs

Level = Literal["error", "warning", "note"]
LEVELS: tuple[Level, ...] = ("error", "warning", "note")


@attrs.frozen
class RuleInfo:
    """One rule as documented: its id, severity and one line saying what it finds."""

    id: str
    level: Level
    doc: str


@attrs.frozen
class Suppression:
    """Why a finding is not counted: the ``lint.ignore`` entry that matched it."""

    reason: str
    #: Where the ignore entry is written: file and JSON path (``$.lint.ignore[0]``).
    file: str
    path: str


@attrs.frozen
class Finding:
    rule: str
    level: Level
    message: str
    #: Path of the file the finding points at, as given on the command line or in the config.
    file: str
    line: int
    column: int | None = None
    #: The Kinde key in question (``manage:users``) and what it is (permission, role, flag).
    key: str | None = None
    key_kind: str | None = None
    #: The SDK pattern that found a key in code (``has({ permissions })``).
    pattern: str | None = None
    #: The config object concerned (``role.admin``).
    address: str | None = None
    #: Workspaces the finding holds for (``lint --all`` merges identical findings of shared parts).
    workspaces: tuple[str, ...] = ()
    suppressed: Suppression | None = None


@attrs.frozen
class Report:
    #: ``check`` or ``lint``.
    command: str
    rules: tuple[RuleInfo, ...]
    findings: tuple[Finding, ...]
    workspaces: tuple[str, ...]
    #: Source files read (``check`` only).
    files_scanned: int | None = None
    #: Key uses found in code (``check`` only).
    uses_found: int | None = None

    def counts(self) -> dict[str, int]:
        """Findings per level, suppressed ones apart."""
        out: dict[str, int] = {level: 0 for level in LEVELS}
        out["suppressed"] = 0
        for f in self.findings:
            out["suppressed" if f.suppressed else f.level] += 1
        return out

    @property
    def failed(self) -> bool:
        """Whether the run should exit 2: any unsuppressed error or warning (notes only inform)."""
        return any(f.level in ("error", "warning") and f.suppressed is None for f in self.findings)
