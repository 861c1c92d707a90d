"""SARIF output of `check` and `lint` validates against the official SARIF 2.1.0 schema and says
what code scanning needs: rule ids and severities, file, line, suppressions."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
from checks_helpers import Cli, lines_with

from kinde_iac.cli.status import ExitCode


def _sarif(cli: Cli, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli(*args, "--format", "sarif")
    return result.exit_code, json.loads(result.stdout)


def test_check_sarif_validates_and_locates_results(cli: Cli, app: Path,
                                                   sarif_validator: jsonschema.Draft4Validator) -> None:
    code, doc = _sarif(cli, "check", "--config", "workspace.json", "app", "--unused")
    assert code == ExitCode.CHANGES
    assert list(sarif_validator.iter_errors(doc)) == []
    [run] = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:4] == ["undefined-permission", "undefined-role", "undefined-flag",
                                             "ungranted-permission"]
    assert run["automationDetails"]["id"] == "kinde-iac/check/"
    manage = [r for r in run["results"] if r["properties"].get("key") == "manage:users"]
    routes_line = lines_with(app / "src/routes/AppRoutes.tsx", '"manage:users"')[0]
    assert {"physicalLocation": {"artifactLocation": {"uri": "app/src/routes/AppRoutes.tsx"},
                                 "region": {"startLine": routes_line, "startColumn": 29}}} in [
        r["locations"][0] for r in manage]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == rules[result["ruleIndex"]]["defaultConfiguration"]["level"]
    assert {r["level"] for r in run["results"]} == {"error", "note"}


def test_lint_sarif_validates_and_carries_suppressions(cli: Cli, sarif_validator: jsonschema.Draft4Validator) -> None:
    cli.write("dev.json", {
        "applications": [{"key": "web", "name": "Web", "redirect_urls": ["https://*.example.com/cb"]}],
        "env_vars": [{"key": "API_TOKEN", "value": "literal-token", "is_secret": True}],
        "lint": {"ignore": [{"rule": "wildcard-url", "reason": "reviewed: preview hosts"}]},
    })
    code, doc = _sarif(cli, "lint", "--config", "dev.json")
    assert code == ExitCode.CHANGES
    assert list(sarif_validator.iter_errors(doc)) == []
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert results["wildcard-url"]["suppressions"] == [{
        "kind": "external", "justification": "reviewed: preview hosts",
        "location": {"physicalLocation": {"artifactLocation": {"uri": "dev.json"}}}}]
    assert "suppressions" not in results["secret-literal"]
    assert results["secret-literal"]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "dev.json"}
    assert "literal-token" not in json.dumps(doc)


def test_the_schema_check_is_not_vacuous(cli: Cli, sarif_validator: jsonschema.Draft4Validator) -> None:
    cli.write("dev.json", {"applications": [{"key": "web", "name": "Web", "redirect_urls": ["https://*.a.com/cb"]}]})
    _, doc = _sarif(cli, "lint", "--config", "dev.json")
    broken = copy.deepcopy(doc)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(broken))
    broken = copy.deepcopy(doc)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(sarif_validator.iter_errors(broken))
    broken = copy.deepcopy(doc)
    del broken["version"]
    assert list(sarif_validator.iter_errors(broken))


def test_paths_with_spaces_become_valid_uris(cli: Cli, sarif_validator: jsonschema.Draft4Validator) -> None:
    src = cli.root / "my app" / "page.tsx"
    src.parent.mkdir()
    src.write_text('getPermission("nope:missing")\n')
    cli.write("dev.json", {})
    _, doc = _sarif(cli, "check", "--config", "dev.json", "my app")
    [result] = doc["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20app/page.tsx"
    assert list(sarif_validator.iter_errors(doc)) == []
