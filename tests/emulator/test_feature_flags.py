"""Feature flags: business-wide definitions, per-environment overrides."""
from __future__ import annotations

from .client import KindeClient

FLAGS = "/api/v1/environment/feature_flags"


def _flag(client: KindeClient, key: str, type_: str, default: object, **extra: object) -> None:
    body = {"key": key, "name": key.title(), "type": type_, "default_value": default, **extra}
    assert client.ok("POST", "/api/v1/feature_flags", 201, json=body)["code"] == "OK"


def _put_params(**overrides: str) -> dict[str, str]:
    return {"name": "Dark mode", "description": "d", "type": "bool", "allow_override_level": "env",
            "default_value": "false", **overrides}


def test_definitions_are_shared_by_every_environment(client: KindeClient, staging: KindeClient) -> None:
    _flag(client, "dark_mode", "bool", "true", allow_override_level="env")
    _flag(client, "max_items", "int", "10")
    _flag(client, "greeting", "str", "hello")
    expected = {"dark_mode": {"type": "bool", "value": "true"}, "max_items": {"type": "int", "value": "10"},
                "greeting": {"type": "str", "value": "hello"}}
    assert client.ok("GET", FLAGS)["feature_flags"] == expected
    assert staging.ok("GET", FLAGS)["feature_flags"] == expected
    # Creating it again from another environment: the definition already exists business-wide.
    assert staging.error("POST", "/api/v1/feature_flags", 400,
                         json={"key": "dark_mode", "name": "x", "type": "bool", "default_value": "false"}) == \
        "FEATURE_FLAG_KEY_ALREADY_EXISTS"


def test_overrides_are_per_environment(client: KindeClient, staging: KindeClient) -> None:
    _flag(client, "dark_mode", "bool", "false", allow_override_level="env")
    _flag(client, "max_items", "int", "10")
    client.ok("PATCH", f"{FLAGS}/dark_mode", json={"value": "true"})
    client.ok("PATCH", f"{FLAGS}/max_items", json={"value": "25"})
    assert client.ok("GET", FLAGS)["feature_flags"]["dark_mode"]["value"] == "true"
    assert staging.ok("GET", FLAGS)["feature_flags"]["dark_mode"]["value"] == "false"

    # A default change shows where there is no override.
    staging.ok("PUT", "/api/v1/feature_flags/max_items",
               params=_put_params(name="Max", type="int", default_value="50"))
    assert staging.ok("GET", FLAGS)["feature_flags"]["max_items"]["value"] == "50"
    assert client.ok("GET", FLAGS)["feature_flags"]["max_items"]["value"] == "25"

    client.ok("DELETE", f"{FLAGS}/max_items")
    assert client.ok("GET", FLAGS)["feature_flags"]["max_items"]["value"] == "50"
    client.ok("DELETE", f"{FLAGS}/max_items")  # no override left: still fine
    client.ok("DELETE", FLAGS)
    assert client.ok("GET", FLAGS)["feature_flags"]["dark_mode"]["value"] == "false"


def test_deleting_a_definition_removes_every_override(client: KindeClient, staging: KindeClient) -> None:
    _flag(client, "dark_mode", "bool", "false")
    client.ok("PATCH", f"{FLAGS}/dark_mode", json={"value": "true"})
    staging.ok("PATCH", f"{FLAGS}/dark_mode", json={"value": "true"})
    staging.ok("DELETE", "/api/v1/feature_flags/dark_mode")
    assert client.ok("GET", FLAGS)["feature_flags"] == {}
    _flag(client, "dark_mode", "bool", "false")  # re-created: no stale override comes back
    assert staging.ok("GET", FLAGS)["feature_flags"]["dark_mode"]["value"] == "false"
    assert client.error("DELETE", "/api/v1/feature_flags/nope", 400) == "FEATURE_FLAG_NOT_FOUND"
    assert client.error("PATCH", f"{FLAGS}/nope", 400, json={"value": "x"}) == "FEATURE_FLAG_NOT_FOUND"


def test_value_forms(client: KindeClient) -> None:
    _flag(client, "json_bool", "bool", True)  # Kinde's own guide sends a JSON boolean
    _flag(client, "upper_bool", "bool", "TRUE")
    _flag(client, "num", "int", 7)
    flags = client.ok("GET", FLAGS)["feature_flags"]
    assert [flags[k]["value"] for k in ("json_bool", "upper_bool", "num")] == ["true", "true", "7"]
    bad = [("b", "bool", "yes"), ("i", "int", "1.5"), ("i", "int", "2147483648"), ("s", "str", 5)]
    for key, type_, value in bad:
        assert client.error("POST", "/api/v1/feature_flags", 400, json={
            "key": key, "name": key, "type": type_, "default_value": value}) == "INVALID_FEATURE_FLAG_VALUE"
    assert client.error("PATCH", f"{FLAGS}/num", 400, json={"value": "many"}) == "INVALID_FEATURE_FLAG_VALUE"
    assert client.error("POST", "/api/v1/feature_flags", 400, json={
        "key": "x", "name": "x", "type": "json", "default_value": "{}"}) == "INVALID_TYPE"


def test_put_takes_query_parameters_and_keeps_type(client: KindeClient) -> None:
    _flag(client, "dark_mode", "bool", "false", allow_override_level="env")
    client.ok("PUT", "/api/v1/feature_flags/dark_mode", params=_put_params(default_value="true"))
    assert client.ok("GET", FLAGS)["feature_flags"]["dark_mode"] == {"type": "bool", "value": "true"}
    assert client.error("PUT", "/api/v1/feature_flags/dark_mode", 400,
                        params=_put_params(type="str")) == "FEATURE_FLAG_FIELD_IMMUTABLE"
    assert client.error("PUT", "/api/v1/feature_flags/dark_mode", 400,
                        params=_put_params(allow_override_level="org")) == "FEATURE_FLAG_FIELD_IMMUTABLE"
    params = _put_params()
    del params["description"]
    assert client.error("PUT", "/api/v1/feature_flags/dark_mode", 400, params=params) == "DESCRIPTION_REQUIRED"
    assert client.error("PUT", "/api/v1/feature_flags/nope", 400, params=_put_params()) == "FEATURE_FLAG_NOT_FOUND"
