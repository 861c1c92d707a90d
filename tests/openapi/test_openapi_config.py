"""The loader expands ``apis[].openapi`` into scopes beside the hand-written ones."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinde_iac.config import load_workspace
from kinde_iac.engine.session import desired_resources
from kinde_iac.errors import ConfigError

SPEC = {"openapi": "3.0.0", "paths": {"/orders": {"get": {"summary": "List orders"}, "post": {}}}}
API = {"key": "orders", "name": "Orders", "audience": "https://orders.example"}


def write(root: Path, files: dict[str, object]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))


def test_generated_scopes_follow_the_hand_written_ones(tmp_path: Path) -> None:
    write(tmp_path, {"specs/orders.json": SPEC,
                     "dev.json": {"apis": [{**API, "scopes": ["orders:admin"], "openapi": "specs/orders.json"}]}})
    ws = load_workspace(tmp_path / "dev.json")
    assert [(s.key, s.description) for s in ws.section("apis")[0].scopes] == [
        ("orders:admin", "orders:admin"), ("get:orders", "List orders"), ("post:orders", "POST /orders")]
    assert ws.paths["api_scope.orders/get:orders"] == (str(tmp_path / "specs/orders.json"), '$.paths["/orders"].get')
    addresses = [r.address for r in desired_resources(ws) if r.kind == "api_scope"]
    assert addresses == ["api_scope.orders/orders:admin", "api_scope.orders/get:orders", "api_scope.orders/post:orders"]


def test_the_path_is_relative_to_the_shared_part_that_names_it(tmp_path: Path) -> None:
    write(tmp_path, {"environments/shared/specs/orders.json": SPEC,
                     "environments/shared/apis.json": {"apis": [{**API, "openapi": "specs/orders.json"}]},
                     "environments/dev.json": {"$extends": "shared/apis.json"}})
    ws = load_workspace(tmp_path / "environments/dev.json")
    assert [s.key for s in ws.section("apis")[0].scopes] == ["get:orders", "post:orders"]


def test_roles_and_api_keys_may_name_generated_scopes(tmp_path: Path) -> None:
    write(tmp_path, {"orders.json": SPEC, "dev.json": {
        "apis": [{**API, "openapi": "orders.json"}],
        "roles": [{"key": "reader", "name": "Reader", "scopes": ["orders/get:orders"]}],
        "api_keys": [{"key": "ci", "name": "CI", "api": "orders", "scopes": ["get:orders", "post:orders"]}]}})
    ws = load_workspace(tmp_path / "dev.json")
    key = next(r for r in desired_resources(ws) if r.kind == "api_key")
    assert key.depends_on == ("api.orders", "api_scope.orders/get:orders", "api_scope.orders/post:orders")


def test_naming_a_scope_the_document_does_not_generate_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"orders.json": SPEC, "dev.json": {
        "apis": [{**API, "openapi": "orders.json"}],
        "api_keys": [{"key": "ci", "name": "CI", "api": "orders", "scopes": ["delete:orders"]}]}})
    with pytest.raises(ConfigError, match=r'\$\.api_keys\[0\]\.scopes\[0\]: scope "delete:orders" is not defined'):
        load_workspace(tmp_path / "dev.json")


def test_a_clash_names_the_file_the_json_path_and_the_scope(tmp_path: Path) -> None:
    write(tmp_path, {"orders.json": SPEC, "dev.json": {
        "apis": [{**API, "scopes": ["orders:admin", {"key": "post:orders", "description": "Mine"}],
                  "openapi": "orders.json"}]}})
    with pytest.raises(ConfigError) as info:
        load_workspace(tmp_path / "dev.json")
    err = info.value
    assert (err.file, err.path) == (str(tmp_path / "dev.json"), "$.apis[0].scopes[1]")
    assert str(err) == (f'{tmp_path / "dev.json"}: $.apis[0].scopes[1]: scope "post:orders" is written here and '
                        f'also generated from {tmp_path / "orders.json"} (POST /orders); remove one of them')


@pytest.mark.parametrize(("spec", "message"), [
    (None, "orders.json: file not found"),
    ("openapi: [", "orders.json: invalid JSON at line 1, column 1"),
    ({"openapi": "3.0.0"}, 'orders.json: $: has no "paths" object'),
])
def test_a_bad_document_names_the_config_entry_and_the_document(tmp_path: Path, spec: object, message: str) -> None:
    files: dict[str, object] = {"dev.json": {"apis": [{**API, "openapi": "orders.json"}]}}
    if spec is not None:
        files["orders.json"] = spec
    write(tmp_path, files)
    with pytest.raises(ConfigError) as info:
        load_workspace(tmp_path / "dev.json")
    assert (info.value.file, info.value.path) == (str(tmp_path / "dev.json"), "$.apis[0].openapi")
    assert "cannot generate scopes from OpenAPI document" in str(info.value)
    assert message in str(info.value)
