"""`kinde-iac diff A B` over the effective configs of two workspaces sharing common.json."""
from __future__ import annotations

import json

from envs_harness import PROD_SECRET, STAGING_SECRET, Project


def test_diff_lists_only_what_differs_and_exits_2(project: Project) -> None:
    result = project.run("diff", "staging", "prod")
    assert result.exit_code == 2, result.output + result.stderr
    out = result.output
    assert "  - role.support  (only in staging)" in out
    assert "  - permission.orders:refund  (only in staging)" in out
    # the admin role: staging renamed it and granted one more permission (a set: + is prod's, - staging's)
    assert '~ name        = "Administrators" -> "Admin"' in out
    assert '- "orders:refund",' in out
    # what both share through common.json is not listed
    for same in ("role.viewer", "permission.orders:read", "api.orders-api", "api_scope.", "description ="):
        assert same not in out, same
    assert "Diff: 2 only in staging, 0 only in prod, 5 differ." in out  # web, admin, flag, 2 env vars


def test_secrets_are_compared_but_never_shown(project: Project) -> None:
    outputs = [project.run("diff", "staging", "prod", "--format", fmt) for fmt in ("text", "json", "markdown")]
    text = outputs[0].output
    assert "~ env_var.STRIPE_KEY" in text and "value = (sensitive value differs)" in text
    for result in outputs:
        assert result.exit_code == 2
        assert STAGING_SECRET not in result.output and PROD_SECRET not in result.output
        assert "sk_" not in result.output
    doc = json.loads(outputs[1].output)
    stripe = next(o for o in doc["objects"] if o["address"] == "env_var.STRIPE_KEY")
    assert stripe["attributes"] == [{"name": "value", "sensitive": True, "business_wide": False,
                                     "variables": ["stripe_key"]}]
    # equal secrets are not a difference, whichever way they are written
    project.write("prod", {**json.loads(project.text("prod")),
                           "variables": {**project.read("prod")["variables"], "stripe_key": STAGING_SECRET}})
    again = project.run("diff", "staging", "prod", "env_var.*")
    assert "STRIPE_KEY" not in again.output and STAGING_SECRET not in again.output


def test_differences_by_variable_are_named_and_can_be_hidden(project: Project) -> None:
    shown = project.run("diff", "staging", "prod", "application.web", "env_var.PAYMENTS_GATEWAY")
    assert shown.exit_code == 2
    assert ('login_uri     = "https://staging.acme.example/login" -> "https://acme.example/login"  '
            "(differs by variable `app_url`)") in shown.output
    assert '"sandbox" -> "live"  (differs by variable `gateway`)' in shown.output
    hidden = project.run("diff", "staging", "prod", "application.web", "env_var.PAYMENTS_GATEWAY",
                         "--ignore-variables")
    assert hidden.exit_code == 0, hidden.output
    assert "No differences" in hidden.output and "3 attribute differences that come only from variables" in hidden.output
    # a value written differently is a real difference even where it also uses the variable
    staging = project.read("staging")
    staging["applications"] = [{"key": "web", "login_uri": "${var.app_url}/signin"}]
    project.write("staging", staging)
    real = project.run("diff", "staging", "prod", "application.web", "--ignore-variables")
    assert real.exit_code == 2
    assert '~ login_uri = "https://staging.acme.example/signin" -> "https://acme.example/login"' in real.output
    assert "differs by variable" not in real.output


def test_business_wide_definitions_are_shown_once_apart(project: Project) -> None:
    staging = project.read("staging")
    staging["feature_flags"] = [{"key": "new_checkout", "value": True, "default_value": True}]
    project.write("staging", staging)
    out = project.run("diff", "staging", "prod", "feature_flag.*").output
    section = out.split("Business-wide definitions")[1]
    assert '~ feature_flag.new_checkout: default_value = "true" -> "false"' in section
    assert out.count("default_value") == 1
    # the per-environment override stays with the environment's differences
    assert '~ value = "true" -> "false"' in out.split("Business-wide definitions")[0]


def test_same_configs_exit_0_and_formats(project: Project) -> None:
    same = project.run("diff", "staging", "prod", "role.viewer", "api.*")
    assert same.exit_code == 0 and "No differences" in same.output
    doc = json.loads(project.run("diff", "staging", "prod", "--format", "json").output)
    assert doc["same"] is False and doc["summary"]["only_in_a"] == 2
    admin = next(o for o in doc["objects"] if o["address"] == "role.admin")
    perms = next(a for a in admin["attributes"] if a["name"] == "permissions")
    assert perms["removed"] == ["orders:refund"] and perms["added"] == []
    md = project.run("diff", "staging", "prod", "--format", "markdown").output
    assert "| `role.support` | | defined | **missing** | only in `staging` |" in md
    assert "| `role.admin` | `permissions` | − `\"orders:refund\"` | — |  |" in md


def test_files_can_be_named_directly(project: Project) -> None:
    result = project.run("diff", "environments/staging.json", str(project.path("prod")), "role.viewer")
    assert result.exit_code == 0, result.output + result.stderr


def test_errors_are_one_line_and_exit_1(project: Project) -> None:
    cases = {
        ("diff", "staging", "qa"): "environments/qa.json: file not found",
        ("diff", "staging", "prod", "role.nope"): "no object matches 'role.nope' in staging or prod",
        ("diff", "staging"): "Missing argument",
        ("diff", "staging", "prod", "--format", "xml"): "Invalid value",
    }
    for args, message in cases.items():
        result = project.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
    project.path("prod").write_text('{"roles": [{"key": "admin", "nmae": "x"}]}')
    bad = project.run("diff", "staging", "prod")
    assert bad.exit_code == 1
    assert bad.stderr.strip().splitlines()[-1] == (
        'Error: environments/prod.json: $.roles[0].nmae: unknown key "nmae" (did you mean "name"?)')
