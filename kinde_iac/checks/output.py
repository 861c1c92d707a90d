"""Text and JSON renderings of a ``check`` or ``lint`` report (SARIF lives in ``sarif``)."""
from __future__ import annotations

import json
from importlib import metadata
from typing import Any

import cattrs

from kinde_iac.checks.findings import Finding, Report

#: Bumped when the JSON document changes incompatibly (policies written against it rely on it).
JSON_FORMAT_VERSION = 1

_CONVERTER = cattrs.Converter()


def tool_version() -> str:
    try:
        return metadata.version("kinde-iac")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _line(f: Finding, several_workspaces: bool) -> str:
    where = f"{f.file}:{f.line}" + (f":{f.column}" if f.column else "")
    text = f"{where}: {f.level}: {f.message} [{f.rule}]"
    if several_workspaces and f.workspaces:
        text += f" ({', '.join(f.workspaces)})"
    return text


def render_text(report: Report) -> str:
    several = len(report.workspaces) > 1
    shown = [f for f in report.findings if f.suppressed is None]
    lines = [_line(f, several) for f in shown]
    counts = report.counts()
    parts = [_plural(counts[level], level) for level in ("error", "warning", "note")
             if counts[level] or level == "error"]
    summary = ", ".join(parts)
    if counts["suppressed"]:
        summary += f" ({counts['suppressed']} ignored by lint.ignore)"
    names = ", ".join(f'"{w}"' for w in report.workspaces)
    if report.command == "check":
        summary += (f": {_plural(report.uses_found or 0, 'key use')} in {_plural(report.files_scanned or 0, 'file')} "
                    f"checked against workspace {names}.")
    else:
        summary += f" in {_plural(len(report.workspaces), 'workspace')}: {names}."
    if lines:
        lines.append("")
    lines.append(summary)
    return "\n".join(lines)


def report_document(report: Report) -> dict[str, Any]:
    """The JSON document: stable keys, every finding (suppressed ones marked), for scripts and
    policy engines (OPA/conftest read ``findings``)."""
    doc: dict[str, Any] = {
        "format_version": JSON_FORMAT_VERSION,
        "tool": "kinde-iac",
        "tool_version": tool_version(),
        "command": report.command,
        "workspaces": list(report.workspaces),
        "summary": {**report.counts(), "failed": report.failed},
        "rules": _CONVERTER.unstructure(list(report.rules)),
        "findings": _CONVERTER.unstructure(list(report.findings)),
    }
    if report.command == "check":
        doc["summary"].update(files_scanned=report.files_scanned, uses_found=report.uses_found)
    return doc


def render_json(report: Report) -> str:
    return json.dumps(report_document(report), indent=2, ensure_ascii=False)
