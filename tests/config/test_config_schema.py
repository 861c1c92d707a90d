"""json_schema(): a valid draft 2020-12 schema that agrees with the loader on the examples."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from config_testlib import NATIVE_EXAMPLE, SEED_EXAMPLE
from jsonschema import Draft202012Validator

from kinde_iac.config import json_schema, model
from kinde_iac.resources.api import Api
from kinde_iac.resources.api_key import ApiKey
from kinde_iac.resources.application import Application
from kinde_iac.resources.env_var import EnvVar
from kinde_iac.resources.feature_flag import FeatureFlag
from kinde_iac.resources.permission import Permission
from kinde_iac.resources.role import Role


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(doc)]


def test_schema_is_valid_and_serialisable() -> None:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema


def test_schema_is_generated_from_the_model() -> None:
    defs = json_schema()["$defs"]
    for cl in (
        Application,
        Api,
        Permission,
        Role,
        FeatureFlag,
        EnvVar,
        ApiKey,
        model.IgnoreRule,
        model.KindeTarget,
    ):
        assert set(defs[cl.__name__]["properties"]) == {f.name for f in attrs.fields(cl)}
    assert defs["Role"]["required"] == ["key", "name"]
    assert defs["FeatureFlag"]["properties"]["type"]["anyOf"][0] == {"enum": ["bool", "str", "int"]}
    top = set(defs["WorkspaceFile"]["properties"])
    assert top == {
        "$schema",
        "$extends",
        "variables",
        "kinde",
        "applications",
        "apis",
        "permissions",
        "roles",
        "feature_flags",
        "env_vars",
        "api_keys",
        "webhooks",
        "connections",
        "ignore",
        "moved",
        "max_delete_fraction",
        "lint",
        "application",
        "featureFlags",
        "envVars",
    }


def test_seed_example_validates(validator: Draft202012Validator) -> None:
    assert _errors(validator, json.loads(SEED_EXAMPLE.read_text())) == []


def test_native_example_validates(validator: Draft202012Validator) -> None:
    assert _errors(validator, json.loads(NATIVE_EXAMPLE.read_text())) == []


@pytest.mark.parametrize(
    "doc",
    [
        {"feature_flag": []},
        {"roles": [{"key": "admin"}]},  # name is required in a file without $extends
        {"roles": [{"key": "admin", "name": "A", "permissions": [3]}]},
        {"applications": [{"key": "web", "name": "Web", "type": "web"}]},
        {"env_vars": [{"key": "A", "value": "x", "sensitive": True}]},
        {"envVars": [{"key": "A", "value": "x", "sensitive": True, "is_secret": True}]},
        {"max_delete_fraction": 2},
        {"protect": True},
        {"paths": {}},
        {"variables": {"a b": 1}},
        {"$extends": 3},
        {"$extends": "_common.json", "roles": [{"name": "no key"}]},
        # a connection secret written as its value instead of ${env:NAME}, or an unknown option
        {"connections": [{"key": "gh", "name": "gh", "display_name": "GitHub", "strategy": "oauth2:github",
                          "options": {"client_id": "a", "client_secret": "literal"}}]},
        {"connections": [{"key": "gh", "name": "gh", "display_name": "GitHub", "strategy": "oauth2:github",
                          "options": {"client_secert": "${env:S}"}}]},
        {"connections": [{"key": "gh", "name": "gh", "display_name": "GitHub", "strategy": "email:password"}]},
        {"webhooks": [{"key": "o", "name": "O", "endpoint": "https://h.example", "event_types": "user.created"}]},
        {"applications": [{"key": "web", "name": "Web", "tokens": {"access_token_lifetime": "1h"}}]},
    ],
)
def test_schema_rejects(validator: Draft202012Validator, doc: dict[str, Any]) -> None:
    assert _errors(validator, doc)


@pytest.mark.parametrize(
    "doc",
    [
        {"$extends": "_common.json", "feature_flags": [{"key": "new_checkout", "value": True}]},
        {"$extends": ["_a.json"], "apis": [{"audience": "orders", "scopes": ["x"]}]},
        {
            "max_delete_fraction": "${var.fraction}",
            "roles": [{"key": "a", "name": "A", "protect": "${env:P}"}],
        },
        {"ignore": ["role.*", {"address": "api.x", "until": "2030-01-01"}]},
        {"applications": [{"key": "web", "name": "Web", "type": "spa", "redirect_urls": []}]},
        {"applications": [{"key": "web", "name": "Web", "is_ask_for_name": True, "connections": ["gh"],
                           "tokens": {"access_token_lifetime": 3600}}],
         "connections": [{"key": "gh", "name": "gh", "display_name": "GitHub", "strategy": "oauth2:github",
                          "options": {"client_id": "a", "client_secret": "${env:GH_SECRET}",
                                      "upstream_params": {"prompt": {"value": "login"}}}}],
         "webhooks": [{"key": "o", "name": "O", "endpoint": "https://h.example", "event_types": ["user.created"]}]},
    ],
)
def test_schema_accepts(validator: Draft202012Validator, doc: dict[str, Any]) -> None:
    assert _errors(validator, doc) == []
