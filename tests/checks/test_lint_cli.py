"""`kinde-iac lint` through the real CLI: exit codes, lint.ignore, --all, locations, formats."""
from __future__ import annotations

from typing import Any

from checks_helpers import Cli, lines_with

from kinde_iac.cli.status import ExitCode

WILDCARD_APP = {"key": "web", "name": "Web", "redirect_urls": ["https://*.vercel.app/cb"]}
ADMIN = {"permissions": [{"key": "read:x"}, {"key": "write:x"}],
         "roles": [{"key": "admin", "name": "Admin", "permissions": ["read:x", "write:x"]}]}


def test_clean_config_exits_zero(cli: Cli) -> None:
    cli.write("dev.json", {"applications": [{"key": "web", "name": "Web", "redirect_urls": ["https://a.example.com/cb"]}]})
    result = cli("lint", "--config", "dev.json")
    assert result.exit_code == ExitCode.SUCCESS, result.output
    assert result.stdout.strip() == '0 errors in 1 workspace: "dev".'


def test_findings_exit_2_and_point_at_the_line(cli: Cli) -> None:
    path = cli.write("dev.json", {"applications": [WILDCARD_APP]})
    result = cli("lint", "--config", "dev.json")
    assert result.exit_code == ExitCode.CHANGES
    line = lines_with(path, "vercel.app")[0]
    assert result.stdout.splitlines()[0] == (
        f'dev.json:{line}: error: application.web: redirect URL "https://*.vercel.app/cb" contains a wildcard '
        f"[wildcard-url]")


def test_warnings_alone_exit_2_too(cli: Cli) -> None:
    cli.write("dev.json", ADMIN)
    result = cli("lint", "--config", "dev.json")
    assert result.exit_code == ExitCode.CHANGES
    assert "0 errors, 1 warning" in result.stdout


def test_ignore_with_reason_suppresses_matching_addresses_only(cli: Cli) -> None:
    doc: dict[str, Any] = {
        "applications": [WILDCARD_APP, {"key": "docs", "name": "Docs", "redirect_urls": ["https://*.example.com/cb"]}],
        "lint": {"ignore": [{"rule": "wildcard-url", "address": "application.web",
                             "reason": "preview deployments sign in through the wildcard"}]},
    }
    cli.write("dev.json", doc)
    code, report = cli.json("lint", "--config", "dev.json", "--format", "json")
    assert code == ExitCode.CHANGES
    by_address = {f["address"]: f for f in report["findings"]}
    assert by_address["application.web"]["suppressed"] == {
        "reason": "preview deployments sign in through the wildcard", "file": "dev.json", "path": "$.lint.ignore[0]"}
    assert by_address["application.docs"]["suppressed"] is None
    assert report["summary"]["suppressed"] == 1 and report["summary"]["error"] == 1

    doc["lint"]["ignore"][0]["address"] = "application.*"
    cli.write("dev.json", doc)
    result = cli("lint", "--config", "dev.json")
    assert result.exit_code == ExitCode.SUCCESS, result.output
    assert "(2 ignored by lint.ignore)" in result.stdout


def test_ignore_without_address_covers_the_whole_rule(cli: Cli) -> None:
    cli.write("dev.json", {**ADMIN, "lint": {"ignore": [{"rule": "role-grants-all-permissions",
                                                          "reason": "admin is meant to hold everything"}]}})
    assert cli("lint", "--config", "dev.json").exit_code == ExitCode.SUCCESS


def test_bad_ignore_entries_are_config_errors(cli: Cli) -> None:
    cli.write("dev.json", {"lint": {"ignore": [{"rule": "wildcard-urls", "reason": "x"}]}})
    result = cli("lint", "--config", "dev.json")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.strip() == ('Error: dev.json: $.lint.ignore[0].rule: unknown lint rule "wildcard-urls" '
                                     '(did you mean "wildcard-url"?)')
    cli.write("dev.json", {"lint": {"ignore": [{"rule": "wildcard-url"}]}})
    result = cli("lint", "--config", "dev.json")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.strip() == "Error: dev.json: $.lint.ignore[0].reason: required key is missing"
    cli.write("dev.json", {"lint": {"ignore": [{"rule": "wildcard-url", "reason": "  "}]}})
    result = cli("lint", "--config", "dev.json")
    assert result.stderr.strip() == "Error: dev.json: $.lint.ignore[0].reason: an ignored lint rule needs a reason"


def test_all_reports_a_shared_part_once_naming_every_workspace(cli: Cli) -> None:
    common = cli.write("environments/common.json", ADMIN)
    for name in ("dev", "prod"):
        cli.write(f"environments/{name}.json", {"$extends": "common.json"})
    cli.write("environments/staging.json", {
        "$extends": "common.json",
        "lint": {"ignore": [{"rule": "role-grants-all-permissions", "reason": "staging mirrors an old setup"}]}})
    code, report = cli.json("lint", "--all", "--format", "json")
    assert code == ExitCode.CHANGES
    assert report["workspaces"] == ["dev", "prod", "staging"]
    active = [f for f in report["findings"] if f["suppressed"] is None]
    assert [(f["rule"], f["file"], f["line"], f["workspaces"]) for f in active] == [
        ("role-grants-all-permissions", "environments/common.json", lines_with(common, '"key": "admin"')[0],
         ["dev", "prod"])]
    assert [f["workspaces"] for f in report["findings"] if f["suppressed"]] == [["staging"]]
    text = cli("lint", "--all").stdout
    assert "[role-grants-all-permissions] (dev, prod)" in text


def test_production_urls_in_a_production_workspace(cli: Cli) -> None:
    cli.write("environments/prod.json", {"applications": [{"key": "web", "name": "Web",
                                                            "logout_urls": ["http://app.example.com"]}]})
    code, report = cli.json("lint", "-w", "prod", "--format", "json")
    assert code == ExitCode.CHANGES
    assert [f["rule"] for f in report["findings"]] == ["insecure-production-url"]


def test_lint_needs_no_secrets_and_no_network(cli: Cli, no_network: list[Any]) -> None:
    cli.write("dev.json", {"env_vars": [{"key": "TOKEN", "value": "${env:NOT_SET_ANYWHERE}", "is_secret": True}],
                           "kinde": {"domain": "${env:KINDE_DOMAIN_NOT_SET}"}})
    result = cli("lint", "--config", "dev.json", env={"NOT_SET_ANYWHERE": None})  # type: ignore[dict-item]
    assert result.exit_code == ExitCode.SUCCESS, result.output
    assert no_network == []


def test_json_suits_policy_engines(cli: Cli) -> None:
    cli.write("dev.json", {"applications": [WILDCARD_APP]})
    _, report = cli.json("lint", "--config", "dev.json", "--format", "json")
    assert report["format_version"] == 1 and report["command"] == "lint"
    assert report["summary"] == {"error": 1, "warning": 0, "note": 0, "suppressed": 0, "failed": True}
    assert {r["id"] for r in report["rules"]} >= {"wildcard-url", "token-lifetime"}
    [finding] = report["findings"]
    assert finding["rule"] == "wildcard-url" and finding["level"] == "error"
    assert finding["address"] == "application.web" and finding["workspaces"] == ["dev"]


def test_usage_errors_exit_1_not_2(cli: Cli) -> None:
    for args in (["lint", "--format", "xml", "-w", "dev"], ["lint", "--bogus"], ["lint", "--all", "-w", "dev"],
                 ["lint"], ["check", "-w", "dev"]):
        result = cli(*args)
        assert result.exit_code == ExitCode.ERROR, (args, result.output)
