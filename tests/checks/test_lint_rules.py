"""Every lint rule: a config that breaks it and one that does not (token lifetimes: hand-built
objects, as the config has no token settings yet)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kinde_iac.checks.json_lines import ConfigLines
from kinde_iac.checks.lint import BY_ID, RULES, LintContext
from kinde_iac.checks.lint.runner import lint_workspace
from kinde_iac.checks.workspace import load
from kinde_iac.resources import Resource


def app(**fields: Any) -> dict[str, Any]:
    return {"key": "web", "name": "Web", "type": "reg", **fields}


def findings(tmp_path: Path, doc: dict[str, Any], name: str = "dev") -> list[tuple[str, str | None, str]]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2))
    return [(f.rule, f.address, f.message) for f in lint_workspace(load(path), ConfigLines())]


def rules_hit(tmp_path: Path, doc: dict[str, Any], name: str = "dev") -> set[str]:
    return {rule for rule, _, _ in findings(tmp_path, doc, name)}


PERMS = [{"key": "read:todos"}, {"key": "create:todos"}]

#: rule id -> (workspace name, a config breaking it, a config keeping it)
EXAMPLES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "wildcard-url": (
        "dev",
        {"applications": [app(redirect_urls=["https://*.vercel.app/api/auth/kinde_callback"])]},
        {"applications": [app(redirect_urls=["https://todo.vercel.app/api/auth/kinde_callback"])]},
    ),
    "insecure-production-url": (
        "prod",
        {"applications": [app(redirect_urls=["http://localhost:3000/callback"])]},
        {"applications": [app(redirect_urls=["https://todo.example.com/callback"])]},
    ),
    "logout-url-origin": (
        "dev",
        {"applications": [app(redirect_urls=["https://todo.example.com/cb"], logout_urls=["https://evil.example.net"])]},
        {"applications": [app(redirect_urls=["https://todo.example.com/cb"], logout_urls=["https://todo.example.com/"])]},
    ),
    "role-grants-all-permissions": (
        "dev",
        {"permissions": PERMS, "roles": [{"key": "admin", "name": "Admin", "permissions": ["read:todos", "create:todos"]}]},
        {"permissions": PERMS, "roles": [{"key": "admin", "name": "Admin", "permissions": ["read:todos"]},
                                         {"key": "editor", "name": "Editor", "permissions": ["create:todos"]}]},
    ),
    "default-role-writes": (
        "dev",
        {"permissions": PERMS, "roles": [{"key": "member", "name": "Member", "is_default_role": True,
                                          "permissions": ["create:todos"]},
                                         {"key": "reader", "name": "Reader", "permissions": ["read:todos"]}]},
        {"permissions": PERMS, "roles": [{"key": "member", "name": "Member", "is_default_role": True,
                                          "permissions": ["read:todos"]},
                                         {"key": "writer", "name": "Writer", "permissions": ["create:todos"]}]},
    ),
    "permission-not-granted": (
        "dev",
        {"permissions": PERMS, "roles": [{"key": "reader", "name": "Reader", "permissions": ["read:todos"]}]},
        {"permissions": PERMS, "roles": [{"key": "reader", "name": "Reader", "permissions": ["read:todos"]},
                                         {"key": "writer", "name": "Writer", "permissions": ["create:todos"]}]},
    ),
    "scope-unused": (
        "dev",
        {"apis": [{"key": "orders", "name": "Orders", "audience": "https://orders.example.com",
                   "scopes": ["orders:read", "orders:write"]}],
         "roles": [{"key": "reader", "name": "Reader", "scopes": ["orders/orders:read"]}]},
        {"apis": [{"key": "orders", "name": "Orders", "audience": "https://orders.example.com",
                   "scopes": ["orders:read", "orders:write"]}],
         "roles": [{"key": "reader", "name": "Reader", "scopes": ["orders/orders:read"]}],
         "api_keys": [{"key": "sync", "name": "Sync", "api": "orders", "scopes": ["orders:write"]}]},
    ),
    "secret-literal": (
        "dev",
        {"env_vars": [{"key": "STRIPE_KEY", "value": "sk_live_0123456789", "is_secret": True}]},
        {"env_vars": [{"key": "STRIPE_KEY", "value": "${env:STRIPE_KEY}", "is_secret": True},
                      {"key": "REGION", "value": "eu-west-1"}]},
    ),
}


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_failing_example_is_found_and_passing_example_is_not(tmp_path: Path, rule: str) -> None:
    name, failing, passing = EXAMPLES[rule]
    assert rule in rules_hit(tmp_path, failing, name)
    assert rule not in rules_hit(tmp_path, passing, name)


def test_every_registered_rule_has_examples_an_id_a_severity_and_a_doc() -> None:
    assert set(BY_ID) == {*EXAMPLES, "token-lifetime"}
    for rule in RULES:
        assert rule.level in ("error", "warning", "note")
        assert rule.doc.endswith(".") and len(rule.doc) > 30
    assert len(BY_ID) == len(RULES)


def test_messages_name_the_object_and_value(tmp_path: Path) -> None:
    name, failing, _ = EXAMPLES["wildcard-url"]
    assert findings(tmp_path, failing, name) == [(
        "wildcard-url", "application.web",
        'application.web: redirect URL "https://*.vercel.app/api/auth/kinde_callback" contains a wildcard')]
    got = findings(tmp_path, EXAMPLES["insecure-production-url"][1], "prod")
    assert got == [("insecure-production-url", "application.web",
                    ('application.web: redirect URL "http://localhost:3000/callback" uses plain http:// and the '
                    'local host localhost in production workspace "prod"'))]


def test_production_comes_from_the_flag_or_the_name(tmp_path: Path) -> None:
    local = {"applications": [app(homepage_uri="http://127.0.0.1:3000")]}
    assert "insecure-production-url" not in rules_hit(tmp_path, local, "staging")
    assert "insecure-production-url" in rules_hit(tmp_path, local, "production")
    assert "insecure-production-url" in rules_hit(tmp_path, local, "prod-eu")
    marked = {**local, "kinde": {"production": True}}
    assert "insecure-production-url" in rules_hit(tmp_path, marked, "live")
    unmarked = {**local, "kinde": {"production": False}}
    assert "insecure-production-url" not in rules_hit(tmp_path, unmarked, "prod")


def test_https_non_local_urls_pass_in_production_and_env_urls_are_not_judged(tmp_path: Path) -> None:
    doc = {"applications": [app(redirect_urls=["https://app.example.com/cb", "${env:APP_URL}/cb"],
                                logout_urls=["${env:LOGOUT_URL}"])]}
    assert rules_hit(tmp_path, doc, "prod") == set()


def test_wildcard_redirect_host_allows_matching_logout_hosts(tmp_path: Path) -> None:
    doc = {"applications": [app(redirect_urls=["https://*.example.com/cb"],
                                logout_urls=["https://a.example.com", "https://a.example.org"])]}
    got = [(r, m) for r, _, m in findings(tmp_path, doc) if r == "logout-url-origin"]
    assert got == [("logout-url-origin", ('application.web: logout URL "https://a.example.org" is not on a '
                    "redirect URL's origin (https://*.example.com:443)"))]


def test_one_permission_is_not_every_permission(tmp_path: Path) -> None:
    doc = {"permissions": [{"key": "read:todos"}],
           "roles": [{"key": "admin", "name": "Admin", "permissions": ["read:todos"]}]}
    assert "role-grants-all-permissions" not in rules_hit(tmp_path, doc)


@pytest.mark.parametrize(("permission", "write"), [
    ("create:todos", True), ("todos:write", True), ("orders.delete", True), ("manage-users", True),
    ("read:todos", False), ("view:reports", False), ("read:deleted-items", False),
])
def test_write_permissions(permission: str, write: bool) -> None:
    from kinde_iac.checks.lint.default_role_writes import is_write

    assert is_write(permission) is write


def test_secret_literal_never_prints_the_secret(tmp_path: Path) -> None:
    got = findings(tmp_path, EXAMPLES["secret-literal"][1])
    assert got == [("secret-literal", "env_var.STRIPE_KEY",
                    'env_var.STRIPE_KEY: secret "value" is written in the config; use "${env:NAME}"')]
    assert "sk_live" not in repr(got)


def test_secret_from_a_variable_is_still_a_literal(tmp_path: Path) -> None:
    doc = {"variables": {"stripe": "sk_live_0123456789"},
           "env_vars": [{"key": "STRIPE_KEY", "value": "${var.stripe}", "is_secret": True}]}
    assert "secret-literal" in rules_hit(tmp_path, doc)
    via_env = {"variables": {"stripe": "${env:STRIPE_KEY}"},
               "env_vars": [{"key": "STRIPE_KEY", "value": "${var.stripe}", "is_secret": True}]}
    assert "secret-literal" not in rules_hit(tmp_path, via_env)


# --------------------------------------------------------------------------- token lifetimes

def _tokens_context(tokens: dict[str, Any] | None) -> LintContext:
    attributes: dict[str, Any] = {"name": "Web", "type": "reg", "redirect_urls": [], "logout_urls": []}
    if tokens is not None:
        attributes["tokens"] = tokens
    return LintContext(workspace="dev", production=False,
                       resources=[Resource(kind="application", key="web", natural=("Web",), attributes=attributes)])


def test_token_lifetime_above_its_bound_is_found() -> None:
    rule = BY_ID["token-lifetime"]
    got = [v.message for v in rule.check(_tokens_context({"access_token_lifetime": 7 * 86_400,
                                                          "refresh_token_lifetime": 90 * 86_400}))]
    assert got == ["application.web: tokens.access_token_lifetime is 7 days, above 1 day",
                   "application.web: tokens.refresh_token_lifetime is 90 days, above 30 days"]


def test_token_lifetimes_within_bounds_or_unset_pass() -> None:
    rule = BY_ID["token-lifetime"]
    within = {"access_token_lifetime": 3600, "id_token_lifetime": 86_400, "refresh_token_lifetime": 30 * 86_400,
              "authenticated_session_lifetime": 86_400}
    assert list(rule.check(_tokens_context(within))) == []
    assert list(rule.check(_tokens_context(None))) == []


def test_docs_describe_every_rule_with_its_severity() -> None:
    from kinde_iac.checks.check import RULES as CHECK_RULES

    docs = Path(__file__).parents[2] / "docs"
    lint_md = (docs / "lint.md").read_text()
    for rule in RULES:
        assert f"### `{rule.id}`\n**{rule.level}.**" in lint_md
        assert f"| [`{rule.id}`](#{rule.id}) | {rule.level} |" in lint_md
    check_md = (docs / "check.md").read_text()
    for info in CHECK_RULES:
        assert f"| `{info.id}` | {info.level} | {info.doc.replace('--unused', '`--unused`')} |" in check_md
