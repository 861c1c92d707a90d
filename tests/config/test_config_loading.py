"""Valid configs: the seed guide's example, the native format, $extends, variables and env refs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from config_testlib import NATIVE_ENV, NATIVE_EXAMPLE, SEED_EXAMPLE, write

from kinde_iac.config import IgnoreRule, KindeTarget, load_workspace
from kinde_iac.errors import ConfigError
from kinde_iac.resources.api import ApiScope
from kinde_iac.resources.application import Application
from kinde_iac.resources.base import slug as slugify
from kinde_iac.resources.env_var import EnvVar
from kinde_iac.resources.feature_flag import FeatureFlag
from kinde_iac.resources.permission import Permission


def test_seed_guide_example_loads_unchanged() -> None:
    ws = load_workspace(SEED_EXAMPLE, env={})
    assert ws.name == "seed_dev"
    assert ws.source == str(SEED_EXAMPLE)
    assert ws.section("applications") == (
        Application(
            key="my-kinde-app-created-with-script",
            name="My Kinde App, Created with Script",
            type="reg",
            redirect_urls=("http://localhost:3000/callback",),
            logout_urls=("http://localhost:3000/",),
        ),
    )
    (api,) = ws.section("apis")
    assert (api.key, api.name, api.audience) == ("orders-api", "Orders API", "orders")
    # The seed script sends description = key for every scope.
    assert api.scopes == (ApiScope("orders:read", "orders:read"), ApiScope("orders:write", "orders:write"))
    (role,) = ws.section("roles")
    assert (role.key, role.name, role.permissions) == ("admin", "Admin", ("orders:read", "orders:write"))
    assert ws.section("permissions") == (
        Permission("orders:read", "Read Orders"),
        Permission("orders:write", "Write Orders"),
    )
    assert ws.section("feature_flags") == (
        FeatureFlag(
            key="new_checkout",
            name="New Checkout",
            type="bool",
            default_value=True,
            allow_override_level="env",
        ),
    )
    assert [(v.key, v.value, v.is_secret) for v in ws.section("env_vars")] == [
        ("PAYMENTS_GATEWAY", "sandbox", False),
        ("SECRET_PAYMENTS_GATEWAY", "sandbox", True),
    ]
    src = str(SEED_EXAMPLE)
    assert ws.paths == {
        "application.my-kinde-app-created-with-script": (src, "$.application"),
        "api.orders-api": (src, "$.apis[0]"),
        "api_scope.orders-api/orders:read": (src, "$.apis[0].scopes[0]"),
        "api_scope.orders-api/orders:write": (src, "$.apis[0].scopes[1]"),
        "role.admin": (src, "$.roles[0]"),
        "permission.orders:read": (src, "$.roles[0].permissions[0]"),
        "permission.orders:write": (src, "$.roles[0].permissions[1]"),
        "feature_flag.new_checkout": (src, "$.featureFlags[0]"),
        "env_var.PAYMENTS_GATEWAY": (src, "$.envVars[0]"),
        "env_var.SECRET_PAYMENTS_GATEWAY": (src, "$.envVars[1]"),
    }


def test_native_example_loads() -> None:
    ws = load_workspace(NATIVE_EXAMPLE, name="staging", env=NATIVE_ENV)
    assert ws.name == "staging"
    assert ws.kinde == KindeTarget("acme-staging.kinde.com", "staging")
    web = ws.section("applications")[0]
    assert web.login_uri == "https://staging.acme.example/login"
    assert web.redirect_urls == ("https://staging.acme.example/callback",)
    assert web.protect is False  # "${var.protect_prod}" kept its boolean type
    assert ws.section("apis")[0].scopes[1] == ApiScope("orders:write", "Create and change orders")
    assert ws.section("apis")[0].applications == ("web", "worker")
    assert ws.section("roles")[0].scopes == ("orders-api/orders:read", "orders-api/orders:write")
    assert [f.value for f in ws.section("feature_flags")] == [True, None, "dark"]
    assert ws.section("env_vars")[1] == EnvVar("PAYMENTS_SECRET", "s3cret", is_secret=True, protect=True)
    assert ws.section("api_keys")[1].type == "organization" and ws.section("api_keys")[1].org_code == "org_123"
    assert ws.ignore == (IgnoreRule("application.legacy-*"), IgnoreRule("role.support", "2030-01-31"))
    assert ws.max_delete_fraction == 0.25
    assert set(ws.paths) >= {"application.web", "api_scope.orders-api/orders:write", "api_key.partner"}


def test_mixed_seed_and_native_keys(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "ws.json": {
                "application": {
                    "name": "Storefront",
                    "type": "spa",
                    "redirectUrls": ["https://shop.example/cb"],
                },
                "applications": [{"key": "worker", "name": "Worker", "type": "m2m"}],
                "apis": [
                    {
                        "name": "Billing",
                        "audience": "https://billing.example/api",
                        "scopes": ["invoices:read", {"key": "invoices:write", "description": "Write"}],
                        "applications": ["storefront", "worker"],
                    }
                ],
                "permissions": [{"key": "invoices:read", "name": "Read invoices"}],
                "roles": [
                    {
                        "key": "clerk",
                        "name": "Clerk",
                        "permissions": ["invoices:read", {"key": "invoices:write", "name": "Write invoices"}],
                        "scopes": ["https-billing-example-api/invoices:read"],
                    },
                    # Identical inline definitions merge silently.
                    {
                        "key": "auditor",
                        "name": "Auditor",
                        "permissions": [{"key": "invoices:read", "name": "Read invoices"}],
                    },
                ],
                "featureFlags": [{"key": "beta", "name": "Beta", "type": "int", "default_value": "3"}],
                "feature_flags": [{"key": "dark", "name": "Dark", "type": "str", "default_value": "no"}],
                "envVars": [{"key": "A", "value": "1", "sensitive": True}],
                "env_vars": [{"key": "B", "value": "2"}],
            }
        },
    )
    ws = load_workspace(tmp_path / "ws.json", env={})
    assert [a.key for a in ws.section("applications")] == ["storefront", "worker"]
    assert ws.section("apis")[0].key == "https-billing-example-api"  # slug of the audience
    assert [p.key for p in ws.section("permissions")] == ["invoices:read", "invoices:write"]
    assert ws.section("roles")[0].permissions == ("invoices:read", "invoices:write")
    assert [f.key for f in ws.section("feature_flags")] == ["beta", "dark"]
    assert [(v.key, v.is_secret) for v in ws.section("env_vars")] == [("A", True), ("B", False)]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("My Kinde App, Created with Script", "my-kinde-app-created-with-script"),
        ("  Ünïcode -- App!! ", "n-code-app"),
        ("API", "api"),
        ("x" * 70, "x" * 64),
        ("!!!", ""),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_extends_merges_by_key_with_field_override(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "_common.json": {
                "kinde": {"domain": "acme.kinde.com"},
                "variables": {"base_url": "https://app.example", "flag_default": False},
                "applications": [{"key": "web", "name": "Web", "redirect_urls": ["${var.base_url}/cb"]}],
                "roles": [
                    {"key": "admin", "name": "Admin", "description": "All"},
                    {"key": "viewer", "name": "Viewer"},
                ],
                "feature_flags": [
                    {
                        "key": "new_checkout",
                        "name": "New Checkout",
                        "type": "bool",
                        "default_value": "${var.flag_default}",
                    }
                ],
                "ignore": ["role.legacy-*"],
                "max_delete_fraction": 0.5,
            },
            "staging.json": {
                "$extends": "_common.json",
                "kinde": {"environment": "staging"},
                "variables": {"base_url": "https://staging.app.example"},
                "roles": [{"key": "admin", "name": "Administrators"}, {"key": "support", "name": "Support"}],
                "feature_flags": [{"key": "new_checkout", "value": True}],
                "ignore": ["role.legacy-*", "application.tmp-*"],
                "max_delete_fraction": 0.1,
            },
        },
    )
    ws = load_workspace(tmp_path / "staging.json", env={})
    assert ws.kinde == KindeTarget("acme.kinde.com", "staging")
    assert ws.section("applications")[0].redirect_urls == ("https://staging.app.example/cb",)
    assert [(r.key, r.name, r.description) for r in ws.section("roles")] == [
        ("admin", "Administrators", "All"),
        ("viewer", "Viewer", None),
        ("support", "Support", None),
    ]
    flag = ws.section("feature_flags")[0]
    assert (flag.default_value, flag.value) == (False, True)
    assert [r.address for r in ws.ignore] == ["role.legacy-*", "application.tmp-*"]
    assert ws.max_delete_fraction == 0.1
    common, staging = str(tmp_path / "_common.json"), str(tmp_path / "staging.json")
    # An entry is recorded where it was first defined.
    assert ws.paths["role.admin"] == (common, "$.roles[0]")
    assert ws.paths["role.support"] == (staging, "$.roles[1]")


def test_extends_list_chain_and_diamond(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "parts/_base.json": {"permissions": [{"key": "p", "name": "Base"}]},
            "parts/_left.json": {"$extends": "_base.json", "roles": [{"key": "r", "name": "Left"}]},
            "parts/_right.json": {
                "$extends": "_base.json",
                "permissions": [{"key": "p", "name": "Right"}],
                "roles": [{"key": "r", "name": "Right", "permissions": ["p"]}],
            },
            "env/dev.json": {
                "$extends": ["../parts/_left.json", "../parts/_right.json"],
                "permissions": [{"key": "q"}],
            },
        },
    )
    ws = load_workspace(tmp_path / "env" / "dev.json", env={})
    assert [(p.key, p.name) for p in ws.section("permissions")] == [("p", "Right"), ("q", None)]
    assert [(r.name, r.permissions) for r in ws.section("roles")] == [("Right", ("p",))]


def test_extends_seed_part_with_native_override(tmp_path: Path) -> None:
    seed = json.loads(SEED_EXAMPLE.read_text())
    write(
        tmp_path,
        {
            "_seed.json": seed,
            "prod.json": {
                "$extends": "_seed.json",
                "feature_flags": [{"key": "new_checkout", "value": False}],
                "env_vars": [{"key": "PAYMENTS_GATEWAY", "value": "live"}],
                "application": {
                    "key": "my-kinde-app-created-with-script",
                    "redirectUrls": ["https://shop.example/callback"],
                },
            },
        },
    )
    ws = load_workspace(tmp_path / "prod.json", env={})
    assert ws.section("feature_flags")[0].value is False and ws.section("feature_flags")[0].default_value is True
    assert ws.section("env_vars")[0].value == "live"
    assert ws.section("applications")[0].redirect_urls == ("https://shop.example/callback",)
    assert ws.section("applications")[0].name == "My Kinde App, Created with Script"


def test_override_of_an_error_field_is_reported_in_the_overriding_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "_common.json": {"applications": [{"key": "web", "name": "Web"}]},
            "dev.json": {
                "$extends": "_common.json",
                "applications": [{"key": "web", "logout_urls": ["not a url"]}],
            },
        },
    )
    with pytest.raises(ConfigError) as info:
        load_workspace(tmp_path / "dev.json", env={})
    assert info.value.file == str(tmp_path / "dev.json")
    assert info.value.path == "$.applications[0].logout_urls[0]"


def test_variables_and_env_substitution(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "ws.json": {
                "variables": {
                    "host": "${env:APP_HOST}",
                    "url": "https://${var.host}",
                    "frac": 0.2,
                    "secret": True,
                    "limit": 42,
                },
                "kinde": {"domain": "${env:KINDE_SUBDOMAIN}.kinde.com"},
                "applications": [{"key": "web", "name": "Web on ${var.host}", "homepage_uri": "${var.url}"}],
                "feature_flags": [
                    {
                        "key": "limit",
                        "name": "Limit ${var.limit}",
                        "type": "int",
                        "default_value": "${var.limit}",
                    },
                    {
                        "key": "tpl",
                        "name": "Template",
                        "type": "str",
                        "default_value": "$${var.kept} and $$x",
                    },
                ],
                "env_vars": [{"key": "API_TOKEN", "value": "${env:API_TOKEN}", "is_secret": "${var.secret}"}],
                "max_delete_fraction": "${var.frac}",
            }
        },
    )
    env = {"APP_HOST": "shop.example", "KINDE_SUBDOMAIN": "acme", "API_TOKEN": "t0k"}
    ws = load_workspace(tmp_path / "ws.json", env=env)
    assert ws.kinde.domain == "acme.kinde.com"
    assert ws.section("applications")[0].name == "Web on shop.example"
    assert ws.section("applications")[0].homepage_uri == "https://shop.example"
    assert ws.section("feature_flags")[0].name == "Limit 42"
    assert ws.section("feature_flags")[0].default_value == 42  # whole-string reference keeps the number
    assert ws.section("feature_flags")[1].default_value == "${var.kept} and $$x"
    assert ws.section("env_vars")[0].value == "t0k" and ws.section("env_vars")[0].is_secret is True
    assert ws.max_delete_fraction == 0.2


def test_env_defaults_to_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIAC_TEST_DOMAIN", "from-os.kinde.com")
    write(tmp_path, {"ws.json": {"kinde": {"domain": "${env:KIAC_TEST_DOMAIN}"}}})
    assert load_workspace(tmp_path / "ws.json").kinde.domain == "from-os.kinde.com"


def test_unused_missing_references_are_fine(tmp_path: Path) -> None:
    write(tmp_path, {"ws.json": {"variables": {"unused": "${env:NOT_SET_ANYWHERE}"}}})
    assert load_workspace(tmp_path / "ws.json", env={}).section("roles") == ()


def test_openapi_path_is_made_relative_to_the_working_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "environments/_common.json": {
                "apis": [{"key": "a", "name": "A", "audience": "a", "openapi": "../specs/a.yaml"}]
            },
            "environments/dev.json": {"$extends": "_common.json"},
            "specs/a.yaml": "openapi: 3.0.0\npaths: {}\n",  # loading reads it (issue 7)
        },
    )
    ws = load_workspace(tmp_path / "environments" / "dev.json", env={})
    assert ws.section("apis")[0].openapi == str(tmp_path / "specs" / "a.yaml")


def test_empty_workspace_defaults(tmp_path: Path) -> None:
    write(tmp_path, {"empty.json": {"$schema": "../schema.json"}})
    ws = load_workspace(tmp_path / "empty.json", env={})
    assert (ws.name, ws.kinde, ws.section("roles"), ws.max_delete_fraction, ws.paths) == (
        "empty",
        KindeTarget(),
        (),
        0.5,
        {},
    )
