"""Scope names by Kinde's documented rule: ``{method}:{normalized_path}``, shortened with a stable
hash suffix past 64 characters, reserved names skipped."""
from __future__ import annotations

import hashlib

import pytest

from kinde_iac.resources.openapi_scopes import KEY_MAX, RESERVED, generate, scope_name, shorten

LONG = "/organizations/{orgCode}/departments/{departmentId}/employees/{employeeId}/timesheets"


@pytest.mark.parametrize(("method", "path", "expected"), [
    # Kinde's own examples (custom-api-scopes docs)
    ("get", "/users/{userId}", "get:users_userid"),
    ("post", "/users/{userId}", "post:users_userid"),
    ("get", "/health", "get:health"),
    # every method Kinde imports, lower-cased whatever the key's case
    ("PUT", "/a", "put:a"), ("patch", "/a", "patch:a"), ("delete", "/a", "delete:a"),
    ("options", "/a", "options:a"), ("head", "/a", "head:a"), ("trace", "/a", "trace:a"),
    # upper case, several parameters, characters the rule leaves alone
    ("get", "/Orders/{Order_Id}/Items/{itemId}", "get:orders_order_id_items_itemid"),
    ("get", "/v1/orders.json", "get:v1_orders.json"),
    ("get", "/files/{path}-{ext}", "get:files_path-ext"),
    # only the leading "/" goes; a trailing one becomes "_" like any other
    ("get", "/users/", "get:users_"),
    ("get", "/", "get:"),
])
def test_names_follow_kindes_rule(method: str, path: str, expected: str) -> None:
    assert scope_name(method, path) == expected


def test_a_name_of_exactly_64_characters_is_kept() -> None:
    path = "/" + "a" * (KEY_MAX - len("get:"))
    assert scope_name("get", path) == "get:" + "a" * 60


def test_a_long_name_gets_a_stable_hash_suffix() -> None:
    full = "get:organizations_orgcode_departments_departmentid_employees_employeeid_timesheets"
    name = scope_name("get", LONG)
    # Fixed here so any change to the rule (which would rename live scopes) fails this test.
    assert name == "get:organizations_orgcode_departments_departmentid_empl_61424614"
    assert len(name) == KEY_MAX
    assert name == full[:55] + "_" + hashlib.sha256(full.encode()).hexdigest()[:8]
    assert scope_name("get", LONG) == name == shorten(full)


def test_long_names_sharing_a_prefix_stay_unique() -> None:
    names = {scope_name("get", LONG), scope_name("get", LONG + "/approve"), scope_name("get", LONG + "/{id}"),
             scope_name("post", LONG)}
    assert len(names) == 4
    assert all(len(n) == KEY_MAX for n in names)
    assert len({n[:55] for n in names if n.startswith("get:")}) == 1  # the prefix alone would collide


def _doc(*paths: str) -> dict:
    return {"openapi": "3.0.0", "paths": {p: {"get": {}} for p in paths}}


def test_reserved_names_are_skipped() -> None:
    assert {"openid", "profile", "email", "offline_access"} <= RESERVED
    generation = generate(_doc("/health", "/users"), reserved=frozenset({"get:health"}))
    assert [s.key for s in generation.scopes] == ["get:users"]
    assert [(s.key, s.reason) for s in generation.skipped] == [("get:health", "reserved scope name")]


def test_operations_that_normalise_to_one_name_keep_the_first() -> None:
    generation = generate(_doc("/users/{id}", "/users/id", "/Users/ID"))
    assert [(s.key, s.path) for s in generation.scopes] == [("get:users_id", "/users/{id}")]
    assert [s.reason for s in generation.skipped] == ["duplicate of GET /users/{id}"] * 2
