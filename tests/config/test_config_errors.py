"""Malformed configs: each must raise one ConfigError naming the right file and JSON path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from config_testlib import write

from kinde_iac.config import Workspace, load_workspace, validate_workspace
from kinde_iac.errors import ConfigError
from kinde_iac.resources.role import Role

ROLE = {"key": "admin", "name": "Admin"}
API = {"key": "orders-api", "name": "Orders API", "audience": "orders", "scopes": ["orders:read"]}
APP = {"key": "web", "name": "Web"}


HOOK = {"key": "orders", "name": "Orders", "endpoint": "https://hooks.example/orders", "event_types": ["user.created"]}


def connection(**extra: Any) -> dict[str, Any]:
    return {"key": "github", "name": "github-corp", "display_name": "GitHub", "strategy": "oauth2:github",
            "options": {"client_id": "Iv1.abc", "client_secret": "${env:GH_SECRET}"}, **extra}


def flag(**extra: Any) -> dict[str, Any]:
    return {"key": "new_checkout", "name": "New Checkout", "type": "bool", "default_value": True, **extra}


# (id, files, expected file, expected JSON path (None: no path), message fragment[, env])
CASES: list[tuple[Any, ...]] = [
    (
        "broken-json",
        {"ws.json": '{\n  "roles": [\n    {"key": "a",}\n  ]\n}'},
        "ws.json",
        None,
        "invalid JSON at line 3, column 17",
    ),
    ("empty-file", {"ws.json": ""}, "ws.json", None, "invalid JSON at line 1, column 1"),
    (
        "trailing-garbage",
        {"ws.json": '{"roles": []} x'},
        "ws.json",
        None,
        "invalid JSON at line 1, column 15",
    ),
    ("nan", {"ws.json": '{"max_delete_fraction": NaN}'}, "ws.json", None, "NaN is not valid JSON"),
    (
        "top-level-list",
        {"ws.json": "[]"},
        "ws.json",
        "$",
        "expected a JSON object at the top level, got a list",
    ),
    ("top-level-string", {"ws.json": '"hello"'}, "ws.json", "$", "got a string"),
    (
        "json-duplicate-key",
        {"ws.json": '{"roles": [{"key": "a", "name": "A", "key": "b"}]}'},
        "ws.json",
        "$.roles[0].key",
        'key "key" is written twice',
    ),
    (
        "unknown-top-level-key",
        {"ws.json": {"feature_flag": []}},
        "ws.json",
        "$.feature_flag",
        'unknown key "feature_flag" (did you mean "feature_flags"?)',
    ),
    ("internal-field-name", {"ws.json": {"paths": {}}}, "ws.json", "$.paths", 'unknown key "paths"'),
    (
        "unknown-nested-key",
        {"ws.json": {"roles": [{"key": "admin", "nmae": "Admin", "name": "A"}]}},
        "ws.json",
        "$.roles[0].nmae",
        'unknown key "nmae" (did you mean "name"?)',
    ),
    (
        "unknown-kinde-key",
        {"ws.json": {"kinde": {"domian": "x.kinde.com"}}},
        "ws.json",
        "$.kinde.domian",
        'did you mean "domain"?',
    ),
    (
        "seed-spelling-in-native",
        {"ws.json": {"env_vars": [{"key": "A", "value": "x", "sensitive": True}]}},
        "ws.json",
        "$.env_vars[0].sensitive",
        'did you mean "is_secret"?',
    ),
    (
        "string-for-number-field",
        {"ws.json": {"roles": [{"key": "admin", "name": 5}]}},
        "ws.json",
        "$.roles[0].name",
        "expected a string, got a number",
    ),
    (
        "number-for-bool",
        {"ws.json": {"roles": [dict(ROLE, protect=1)]}},
        "ws.json",
        "$.roles[0].protect",
        "expected a boolean, got a number",
    ),
    (
        "string-for-list",
        {"ws.json": {"applications": [dict(APP, redirect_urls="https://a.example/cb")]}},
        "ws.json",
        "$.applications[0].redirect_urls",
        "expected a list, got a string",
    ),
    (
        "resource-list-not-list",
        {"ws.json": {"roles": {"admin": ROLE}}},
        "ws.json",
        "$.roles",
        "expected a list, got an object",
    ),
    (
        "entry-not-object",
        {"ws.json": {"roles": [ROLE, "viewer"]}},
        "ws.json",
        "$.roles[1]",
        "expected an object, got a string",
    ),
    (
        "missing-required",
        {"ws.json": {"roles": [{"key": "admin"}]}},
        "ws.json",
        "$.roles[0].name",
        "required key is missing",
    ),
    (
        "bad-literal",
        {"ws.json": {"applications": [dict(APP, type="web")]}},
        "ws.json",
        "$.applications[0].type",
        'expected one of "reg", "spa", "m2m", "device", got "web"',
    ),
    (
        "bad-override-level",
        {"ws.json": {"feature_flags": [flag(allow_override_level="user")]}},
        "ws.json",
        "$.feature_flags[0].allow_override_level",
        'expected one of "env", "org", "usr"',
    ),
    (
        "max-delete-fraction-type",
        {"ws.json": {"max_delete_fraction": "half"}},
        "ws.json",
        "$.max_delete_fraction",
        "expected a number, got a string",
    ),
    (
        "max-delete-fraction-range",
        {"ws.json": {"max_delete_fraction": 1.5}},
        "ws.json",
        "$.max_delete_fraction",
        "between 0 and 1",
    ),
    (
        "first-problem-in-document-order",
        {"ws.json": {"roles": [ROLE, {"key": "viewer", "name": 1}], "applications": [dict(APP, type=3)]}},
        "ws.json",
        "$.roles[1].name",
        "expected a string",
    ),
    (
        "dangling-role-permission",
        {"ws.json": {"roles": [dict(ROLE, permissions=["orders:read"])]}},
        "ws.json",
        "$.roles[0].permissions[0]",
        'permission "orders:read" is not defined',
    ),
    (
        "dangling-role-scope-api",
        {"ws.json": {"roles": [dict(ROLE, scopes=["billing-api/x"])]}},
        "ws.json",
        "$.roles[0].scopes[0]",
        'api "billing-api" is not defined',
    ),
    (
        "dangling-role-scope-scope",
        {"ws.json": {"apis": [API], "roles": [dict(ROLE, scopes=["orders-api/x"])]}},
        "ws.json",
        "$.roles[0].scopes[0]",
        'scope "x" is not defined in api "orders-api"',
    ),
    (
        "malformed-role-scope",
        {"ws.json": {"apis": [API], "roles": [dict(ROLE, scopes=["orders:read"])]}},
        "ws.json",
        "$.roles[0].scopes[0]",
        'expected "<api key>/<scope key>"',
    ),
    (
        "dangling-api-application",
        {"ws.json": {"apis": [dict(API, applications=["mobile"])]}},
        "ws.json",
        "$.apis[0].applications[0]",
        'application "mobile" is not defined',
    ),
    (
        "dangling-api-key-api",
        {"ws.json": {"apis": [API], "api_keys": [{"key": "k", "name": "K", "api": "billing-api"}]}},
        "ws.json",
        "$.api_keys[0].api",
        'api "billing-api" is not defined',
    ),
    (
        "dangling-api-key-scope",
        {
            "ws.json": {
                "apis": [API],
                "api_keys": [{"key": "k", "name": "K", "api": "orders-api", "scopes": ["x"]}],
            }
        },
        "ws.json",
        "$.api_keys[0].scopes[0]",
        'scope "x" is not defined in api "orders-api"',
    ),
    (
        "org-api-key-without-org",
        {
            "ws.json": {
                "apis": [API],
                "api_keys": [{"key": "k", "name": "K", "api": "orders-api", "type": "organization"}],
            }
        },
        "ws.json",
        "$.api_keys[0].org_code",
        'needs an "org_code"',
    ),
    (
        "duplicate-role-key",
        {"ws.json": {"roles": [ROLE, ROLE]}},
        "ws.json",
        "$.roles[1]",
        'duplicate role key "admin" (first defined at ws.json: $.roles[0])',
    ),
    (
        "duplicate-scope-key",
        {"ws.json": {"apis": [dict(API, scopes=["a", {"key": "a"}])]}},
        "ws.json",
        "$.apis[0].scopes[1]",
        'duplicate scope key "a" in api "orders-api"',
    ),
    (
        "duplicate-audience",
        {"ws.json": {"apis": [API, dict(API, key="orders-2")]}},
        "ws.json",
        "$.apis[1].audience",
        'duplicate api audience "orders"',
    ),
    (
        "conflicting-inline-permissions",
        {
            "ws.json": {
                "roles": [
                    dict(ROLE, permissions=[{"key": "p", "name": "P"}]),
                    {"key": "viewer", "name": "Viewer", "permissions": [{"key": "p", "name": "Other"}]},
                ]
            }
        },
        "ws.json",
        "$.roles[1].permissions[0]",
        "first defined at ws.json: $.roles[0].permissions[0]",
    ),
    (
        "inline-permission-without-key",
        {"ws.json": {"roles": [dict(ROLE, permissions=[{"name": "P"}])]}},
        "ws.json",
        "$.roles[0].permissions[0]",
        'an inline permission needs a "key"',
    ),
    (
        "redirect-url-not-absolute",
        {"ws.json": {"applications": [dict(APP, redirect_urls=["localhost:3000/cb"])]}},
        "ws.json",
        "$.applications[0].redirect_urls[0]",
        "expected an absolute http(s) URL",
    ),
    (
        "seed-logout-url-ftp",
        {
            "ws.json": {
                "application": {"name": "App", "logoutUrls": ["https://ok.example/", "ftp://x.example/"]}
            }
        },
        "ws.json",
        "$.application.logoutUrls[1]",
        "expected an absolute http(s) URL",
    ),
    (
        "login-uri-relative",
        {"ws.json": {"applications": [dict(APP, login_uri="/login")]}},
        "ws.json",
        "$.applications[0].login_uri",
        "expected an absolute http(s) URL",
    ),
    (
        "scope-key-with-space",
        {"ws.json": {"apis": [dict(API, scopes=["orders read"])]}},
        "ws.json",
        "$.apis[0].scopes[0]",
        'scope key "orders read" must not contain whitespace',
    ),
    (
        "permission-key-with-space",
        {"ws.json": {"permissions": [{"key": "read orders"}]}},
        "ws.json",
        "$.permissions[0].key",
        "must not contain whitespace",
    ),
    (
        "key-65-chars",
        {"ws.json": {"roles": [dict(ROLE, key="r" * 65)]}},
        "ws.json",
        "$.roles[0].key",
        "65 characters long; at most 64",
    ),
    (
        "empty-key",
        {"ws.json": {"permissions": [{"key": ""}]}},
        "ws.json",
        "$.permissions[0].key",
        "must not be empty",
    ),
    (
        "api-key-with-slash",
        {"ws.json": {"apis": [dict(API, key="orders/api")]}},
        "ws.json",
        "$.apis[0].key",
        'must not contain "/"',
    ),
    (
        "env-var-key-charset",
        {"ws.json": {"env_vars": [{"key": "PAY-GW", "value": "x"}]}},
        "ws.json",
        "$.env_vars[0].key",
        "letters, digits or _",
    ),
    (
        "env-var-value-too-long",
        {"ws.json": {"envVars": [{"key": "A", "value": "x" * 2049}]}},
        "ws.json",
        "$.envVars[0].value",
        "at most 2048",
    ),
    (
        "seed-sensitive-and-is-secret",
        {"ws.json": {"envVars": [{"key": "A", "value": "x", "sensitive": True, "is_secret": True}]}},
        "ws.json",
        "$.envVars[0].sensitive",
        'both "sensitive" and "is_secret"',
    ),
    (
        "flag-default-wrong-type",
        {"ws.json": {"feature_flags": [flag(default_value="yes")]}},
        "ws.json",
        "$.feature_flags[0].default_value",
        'expected true or false for a "bool" flag, got "yes"',
    ),
    (
        "seed-flag-int-default-not-int",
        {"ws.json": {"featureFlags": [flag(type="int", default_value=1.5)]}},
        "ws.json",
        "$.featureFlags[0].default_value",
        "expected a boolean, integer or string, got a number",
    ),
    (
        "flag-int-out-of-range",
        {"ws.json": {"feature_flags": [flag(type="int", default_value=2**31)]}},
        "ws.json",
        "$.feature_flags[0].default_value",
        "between -2147483648 and 2147483647",
    ),
    (
        "flag-value-wrong-type",
        {"ws.json": {"feature_flags": [flag(type="str", default_value="a", value=3)]}},
        "ws.json",
        "$.feature_flags[0].value",
        'expected a string for a "str" flag',
    ),
    (
        "ignore-until-not-a-date",
        {"ws.json": {"ignore": [{"address": "role.x", "until": "2024-02-30"}]}},
        "ws.json",
        "$.ignore[0].until",
        "expected a date as YYYY-MM-DD",
    ),
    (
        "missing-env",
        {"ws.json": {"env_vars": [{"key": "S", "value": "${env:PAYMENTS_SECRET}"}]}},
        "ws.json",
        "$.env_vars[0].value",
        'environment variable "PAYMENTS_SECRET" is not set',
    ),
    (
        "missing-var",
        {"ws.json": {"variables": {"domain": "x"}, "kinde": {"domain": "${var.domian}"}}},
        "ws.json",
        "$.kinde.domain",
        'undefined variable "domian" in ${var.domian} (did you mean "domain"?)',
    ),
    (
        "unknown-reference-form",
        {"ws.json": {"roles": [dict(ROLE, name="${name}")]}},
        "ws.json",
        "$.roles[0].name",
        'unknown reference "${name}"',
    ),
    (
        "unterminated-reference",
        {"ws.json": {"roles": [dict(ROLE, name="x ${var.a")]}},
        "ws.json",
        "$.roles[0].name",
        "unterminated",
    ),
    (
        "variable-cycle",
        {
            "ws.json": {
                "variables": {"a": "${var.b}", "b": "${var.a}"},
                "roles": [dict(ROLE, name="${var.a}")],
            }
        },
        "ws.json",
        "$.variables.b",
        "cycle: a -> b -> a",
    ),
    (
        "variable-non-scalar",
        {"ws.json": {"variables": {"urls": ["a"]}}},
        "ws.json",
        "$.variables.urls",
        "expected a string, number or boolean",
    ),
    (
        "var-wrong-type-after-substitution",
        {"ws.json": {"variables": {"n": 3}, "roles": [dict(ROLE, name="${var.n}")]}},
        "ws.json",
        "$.roles[0].name",
        "expected a string, got a number",
    ),
    ("missing-file", {}, "ws.json", None, "file not found"),
    ("directory-not-file", {"ws.json/x.json": "{}"}, "ws.json", None, "is a directory"),
    ("not-utf8", {"ws.json": None}, "ws.json", None, "not UTF-8"),
    (
        "extends-cycle",
        {
            "ws.json": {"$extends": "_a.json"},
            "_a.json": {"$extends": "_b.json"},
            "_b.json": {"$extends": "_a.json"},
        },
        "_b.json",
        "$.$extends",
        "$extends cycle: _a.json -> _b.json -> _a.json",
    ),
    ("extends-self", {"ws.json": {"$extends": ["ws.json"]}}, "ws.json", "$.$extends[0]", "$extends cycle"),
    (
        "extends-missing",
        {"ws.json": {"$extends": ["_common.json", "_nope.json"]}, "_common.json": {}},
        "ws.json",
        "$.$extends[1]",
        'shared part "_nope.json" not found',
    ),
    ("extends-wrong-type", {"ws.json": {"$extends": 3}}, "ws.json", "$.$extends", "expected a file path"),
    (
        "error-inside-shared-part",
        {
            "ws.json": {"$extends": "_common.json"},
            "_common.json": {"roles": [{"key": "admin", "name": False}]},
        },
        "_common.json",
        "$.roles[0].name",
        "expected a string",
    ),
    (
        "override-field-error-in-workspace",
        {
            "ws.json": {"$extends": "_common.json", "roles": [{"key": "admin", "description": 7}]},
            "_common.json": {"roles": [ROLE]},
        },
        "ws.json",
        "$.roles[0].description",
        "expected a string",
    ),
    (
        "broken-json-in-shared-part",
        {"ws.json": {"$extends": "_common.json"}, "_common.json": '{"roles": ['},
        "_common.json",
        None,
        "invalid JSON at line 1",
    ),
    (
        "kinde-not-object",
        {"ws.json": {"kinde": "acme.kinde.com"}},
        "ws.json",
        "$.kinde",
        "expected an object",
    ),
    (
        "webhook-plain-http",
        {"ws.json": {"webhooks": [dict(HOOK, endpoint="http://hooks.example/orders")]}},
        "ws.json",
        "$.webhooks[0].endpoint",
        "a webhook endpoint must be an https:// URL",
    ),
    (
        "webhook-without-event-types",
        {"ws.json": {"webhooks": [dict(HOOK, event_types=[])]}},
        "ws.json",
        "$.webhooks[0].event_types",
        "at least one event type",
    ),
    (
        "webhook-bad-event-type",
        {"ws.json": {"webhooks": [dict(HOOK, event_types=["user created"])]}},
        "ws.json",
        "$.webhooks[0].event_types[0]",
        'expected an event type code such as "user.created", got "user created"',
    ),
    (
        "connection-secret-written-in-file",
        {"ws.json": {"connections": [connection(options={"client_id": "a", "client_secret": "hunter2"})]}},
        "ws.json",
        "$.connections[0].options.client_secret",
        'a secret must be read from the environment: write "${env:NAME}" here',
    ),
    (
        "connection-secret-through-variable",
        {"ws.json": {"variables": {"s": "hunter2"},
                     "connections": [connection(options={"client_id": "a", "client_secret": "${var.s}"})]}},
        "ws.json",
        "$.connections[0].options.client_secret",
        'write "${env:NAME}"',
    ),
    (
        "connection-secret-in-shared-part",
        {"ws.json": {"$extends": "_common.json"},
         "_common.json": {"connections": [connection(options={"client_id": "a",
                                                               "saml_signing_private_key": "-----BEGIN"})]}},
        "_common.json",
        "$.connections[0].options.saml_signing_private_key",
        'write "${env:NAME}"',
    ),
    (
        "connection-unknown-strategy",
        {"ws.json": {"connections": [connection(strategy="email:password")]}},
        "ws.json",
        "$.connections[0].strategy",
        'expected one of "oauth2:apple"',
        {"GH_SECRET": "x"},
    ),
    (
        "connection-option-of-another-provider",
        {"ws.json": {"connections": [connection(options={"client_id": "a", "saml_entity_id": "https://a.example"})]}},
        "ws.json",
        "$.connections[0].options.saml_entity_id",
        'option "saml_entity_id" does not apply to strategy "oauth2:github"',
    ),
    (
        "connection-option-typo",
        {"ws.json": {"connections": [connection(options={"client_id": "a", "client_secert": "${env:GH_SECRET}"})]}},
        "ws.json",
        "$.connections[0].options.client_secert",
        'unknown key "client_secert" (did you mean "client_secret"?)',
        {"GH_SECRET": "x"},
    ),
    (
        "social-connection-without-client-id",
        {"ws.json": {"connections": [connection(options={})]}},
        "ws.json",
        "$.connections[0].options.client_id",
        "a social connection needs options.client_id",
    ),
    (
        "connection-name-twice",
        {"ws.json": {"connections": [connection(), connection(key="github2")]}},
        "ws.json",
        "$.connections[1].name",
        'duplicate connection name "github-corp"',
        {"GH_SECRET": "x"},
    ),
    (
        "connections-on-m2m-application",
        {"ws.json": {"applications": [dict(APP, type="m2m", connections=["email_password"])]}},
        "ws.json",
        "$.applications[0].connections",
        '"m2m" applications have no sign-in page',
    ),
    (
        "refresh-token-shorter-than-access-token",
        {"ws.json": {"applications": [dict(APP, tokens={"access_token_lifetime": 86400,
                                                        "refresh_token_lifetime": 3600})]}},
        "ws.json",
        "$.applications[0].tokens.refresh_token_lifetime",
        "must be longer than access_token_lifetime (86400 s)",
    ),
    (
        "token-lifetime-zero",
        {"ws.json": {"applications": [dict(APP, tokens={"id_token_lifetime": 0})]}},
        "ws.json",
        "$.applications[0].tokens.id_token_lifetime",
        "must be at least 1, got 0",
    ),
    (
        "token-lifetime-not-integer",
        {"ws.json": {"applications": [dict(APP, tokens={"access_token_lifetime": "1h"})]}},
        "ws.json",
        "$.applications[0].tokens.access_token_lifetime",
        "expected an integer, got a string",
    ),
    (
        "sign-in-setting-not-boolean",
        {"ws.json": {"applications": [dict(APP, is_ask_for_name="yes")]}},
        "ws.json",
        "$.applications[0].is_ask_for_name",
        "expected a boolean, got a string",
    ),
    (
        "seed-application-without-name",
        {"ws.json": {"application": {"type": "spa"}}},
        "ws.json",
        "$.application",
        'missing "name"',
    ),
    (
        "seed-application-unknown-key",
        {"ws.json": {"application": {"name": "App", "redirectUrl": []}}},
        "ws.json",
        "$.application.redirectUrl",
        'unknown key "redirectUrl"',
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_config_raises_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: tuple[Any, ...]
) -> None:
    _id, files, want_file, want_path, fragment = case[:5]
    env = case[5] if len(case) > 5 else {}
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {k: v for k, v in files.items() if v is not None})
    for name, content in files.items():
        if content is None:
            (tmp_path / name).write_bytes(b'{"roles": "\xff\xfe"}')
    with pytest.raises(ConfigError) as info:
        load_workspace("ws.json", env=env)
    err = info.value
    assert err.file == want_file
    assert err.path == want_path
    assert fragment in err.message
    # One readable line: file, path and message.
    text = str(err)
    assert "\n" not in text and text.startswith(err.file) and fragment in text


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 25


def test_a_secret_written_in_the_file_is_never_repeated(tmp_path: Path) -> None:
    write(tmp_path, {"ws.json": {"connections": [connection(options={"client_id": "a",
                                                                      "client_secret": "hunter2-sentinel"})]}})
    with pytest.raises(ConfigError) as info:
        load_workspace(tmp_path / "ws.json", env={})
    assert "hunter2-sentinel" not in str(info.value)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"ws.json": {}})

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    # Tests often run as root, which can read a chmod 000 file; simulate the OS refusing instead.
    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ConfigError) as info:
        load_workspace(tmp_path / "ws.json", env={})
    assert str(info.value) == f"{tmp_path / 'ws.json'}: cannot read file: Permission denied"


def test_validate_workspace_without_sources() -> None:
    ws = Workspace(name="w", source="w.json", sections={"roles": (Role("admin", "Admin", permissions=("nope",)),)})
    (err,) = validate_workspace(ws)
    assert str(err) == 'w.json: $.roles[0].permissions[0]: permission "nope" is not defined in "permissions"'


def test_error_path_uses_the_file_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path,
        {
            "environments/dev.json": {"$extends": "_common.json"},
            "environments/_common.json": {"roles": [{"key": "a"}]},
        },
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_workspace("environments/dev.json", env={})
    assert str(info.value) == "environments/_common.json: $.roles[0].name: required key is missing"
