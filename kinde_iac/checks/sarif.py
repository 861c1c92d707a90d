"""SARIF 2.1.0 rendering of a report, for GitHub code scanning (``upload-sarif``) and other viewers.

Each run carries every rule of its command (id, severity, doc), so a viewer can explain results;
``automationDetails.id`` keeps ``check`` and ``lint`` uploads in separate categories.
"""
from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from kinde_iac.checks.findings import Finding, Report
from kinde_iac.checks.output import tool_version

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _uri(file: str) -> str:
    path = PurePosixPath(file.replace("\\", "/"))
    if path.is_absolute():
        return "file://" + quote(str(path))
    return quote(str(path))


def _doc_link(command: str, rule: str) -> str:
    # lint documents each rule under its own heading; check documents its rules in one table
    return f"docs/lint.md#{rule}" if command == "lint" else "docs/check.md#findings"


def _result(f: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(f.line, 1)}
    if f.column:
        region["startColumn"] = f.column
    properties = {name: value for name, value in (
        ("key", f.key), ("keyKind", f.key_kind), ("pattern", f.pattern), ("address", f.address),
        ("workspaces", list(f.workspaces)),
    ) if value}
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index[f.rule],
        "level": f.level,
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}, "region": region}}],
        "properties": properties,
    }
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "external", "justification": f.suppressed.reason,
                                   "location": {"physicalLocation": {"artifactLocation": {
                                       "uri": _uri(f.suppressed.file)}}}}]
    return result


def sarif_document(report: Report) -> dict[str, Any]:
    rule_index = {r.id: i for i, r in enumerate(report.rules)}
    rules = [{
        "id": r.id,
        "name": "".join(part.capitalize() for part in r.id.split("-")),
        "shortDescription": {"text": r.doc},
        "fullDescription": {"text": r.doc},
        "help": {"text": f"{r.doc} See {_doc_link(report.command, r.id)} in kinde-iac."},
        "defaultConfiguration": {"level": r.level},
        "properties": {"tags": ["kinde", "identity", report.command]},
    } for r in report.rules]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kinde-iac", "version": tool_version(), "rules": rules}},
            "automationDetails": {"id": f"kinde-iac/{report.command}/"},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, rule_index) for f in report.findings],
            "properties": {"workspaces": list(report.workspaces)},
        }],
    }


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False)
