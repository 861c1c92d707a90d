"""Environment variables, including secret values never read back."""
from __future__ import annotations

from .client import KindeClient

VARS = "/api/v1/environment_variables"


def _create(client: KindeClient, key: str, value: str, secret: bool = False) -> str:
    body = client.ok("POST", VARS, 201, json={"key": key, "value": value, "is_secret": secret})
    assert body["code"] == "VARIABLE_CREATED"
    return body["environment_variable"]["id"]


def test_secret_value_is_never_returned(client: KindeClient) -> None:
    var_id = _create(client, "API_TOKEN", "s3cr3t", secret=True)
    assert var_id.startswith("env_var_")
    got = client.ok("GET", f"{VARS}/{var_id}")["environment_variable"]
    assert got["value"] is None and got["is_secret"] is True and got["key"] == "API_TOKEN"
    listed = client.ok("GET", VARS)
    assert listed["has_more"] is False
    assert listed["environment_variables"][0]["value"] is None
    assert client.error("PATCH", f"{VARS}/{var_id}", 400, json={"is_secret": False}) == "INVALID_IS_SECRET"
    client.ok("PATCH", f"{VARS}/{var_id}", json={"value": "rotated"})
    assert client.ok("GET", f"{VARS}/{var_id}")["environment_variable"]["value"] is None


def test_env_var_lifecycle(client: KindeClient, staging: KindeClient) -> None:
    var_id = _create(client, "REGION", "eu")
    assert client.ok("GET", f"{VARS}/{var_id}")["environment_variable"]["value"] == "eu"
    updated = client.ok("PATCH", f"{VARS}/{var_id}", json={"key": "AWS_REGION", "value": "us"})
    assert updated["code"] == "ENVIRONMENT_VARIABLE_UPDATED"
    got = client.ok("GET", f"{VARS}/{var_id}")["environment_variable"]
    assert (got["key"], got["value"], got["is_secret"]) == ("AWS_REGION", "us", False)
    assert staging.ok("GET", VARS)["environment_variables"] == []  # per environment
    assert staging.error("GET", f"{VARS}/{var_id}", 400) == "ENVIRONMENT_VARIABLE_NOT_FOUND"
    deleted = client.ok("DELETE", f"{VARS}/{var_id}")
    assert deleted["code"] == "ENVIRONMENT_VARIABLE_DELETED"
    assert client.error("DELETE", f"{VARS}/{var_id}", 400) == "ENVIRONMENT_VARIABLE_NOT_FOUND"


def test_env_var_validation(client: KindeClient) -> None:
    _create(client, "REGION", "eu")
    other = _create(client, "ZONE", "a")
    assert client.error("POST", VARS, 400, json={"key": "REGION", "value": "x"}) == \
        "ENVIRONMENT_VARIABLE_KEY_ALREADY_EXISTS"
    assert client.error("PATCH", f"{VARS}/{other}", 400, json={"key": "REGION"}) == \
        "ENVIRONMENT_VARIABLE_KEY_ALREADY_EXISTS"
    assert client.error("POST", VARS, 400, json={"key": "K" * 129, "value": "x"}) == "INVALID_KEY"
    assert client.error("POST", VARS, 400, json={"key": "BIG", "value": "x" * 2049}) == "INVALID_VALUE"
    assert client.error("POST", VARS, 400, json={"key": "NOVALUE"}) == "VALUE_REQUIRED"
    assert client.error("POST", VARS, 400, json={"key": "N", "value": 5}) == "INVALID_VALUE"
