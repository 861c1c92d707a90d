"""Reading OpenAPI 3 and Swagger 2 documents (JSON and YAML) and every way one can be refused."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from kinde_iac.resources.openapi_scopes import MAX_BYTES, OpenApiError, generate, generate_from_file

OPERATIONS = {
    "/users/{userId}": {
        "parameters": [{"name": "userId", "in": "path"}],  # not an operation
        "get": {"summary": "Get a user", "operationId": "getUser"},
        "post": {"operationId": "updateUser"},
        "x-internal": True,
    },
    "/health": {"get": {"responses": {"200": {"description": "ok"}}}},
    "x-tags": {"get": {}},  # an extension, not a path
}
EXPECTED = [("get:users_userid", "Get a user"), ("post:users_userid", "updateUser"),
            ("get:health", "GET /health")]
OPENAPI3 = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": OPERATIONS}
SWAGGER2 = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "basePath": "/v1", "paths": OPERATIONS}


def _keys(generation: object) -> list[tuple[str, str]]:
    return [(s.key, s.description) for s in generation.scopes]  # type: ignore[attr-defined]


@pytest.mark.parametrize("doc", [OPENAPI3, SWAGGER2, {**OPENAPI3, "openapi": "3.1.0"}], ids=["oas3", "swagger2", "oas31"])
@pytest.mark.parametrize(("name", "dump"), [
    ("spec.json", lambda d: json.dumps(d)),
    ("spec.yaml", lambda d: yaml.safe_dump(d, sort_keys=False)),
    ("spec.yml", lambda d: yaml.safe_dump(d, sort_keys=False)),
    ("spec", lambda d: json.dumps(d, indent=2)),        # no extension: JSON by its first character
    ("spec.txt", lambda d: yaml.safe_dump(d, sort_keys=False)),
], ids=["json", "yaml", "yml", "bare-json", "bare-yaml"])
def test_openapi3_and_swagger2_in_json_and_yaml(tmp_path: Path, doc: dict, name: str,
                                                 dump: Callable[[dict], str]) -> None:
    path = tmp_path / name
    path.write_text(dump(doc), encoding="utf-8")
    generation = generate_from_file(path)
    assert _keys(generation) == EXPECTED  # basePath is not part of the name: only "paths" counts
    assert generation.source == str(path)
    assert generation.scopes[0].origin == '$.paths["/users/{userId}"].get'


@pytest.mark.parametrize(("operation", "description"), [
    ({"summary": "  Padded  ", "operationId": "op"}, "Padded"),
    ({"summary": "   ", "operationId": "op"}, "op"),
    ({"summary": None, "operationId": "op"}, "op"),
    ({"operationId": ""}, "DELETE /things/{id}"),
    ({}, "DELETE /things/{id}"),
])
def test_description_is_summary_then_operation_id_then_method_and_path(operation: dict, description: str) -> None:
    doc = {"openapi": "3.0.0", "paths": {"/things/{id}": {"delete": operation}}}
    assert _keys(generate(doc)) == [("delete:things_id", description)]


def test_yaml_scalars_stay_text_as_yaml_1_2_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("swagger: 2.0\npaths:\n  /a:\n    get: {summary: on}\n  /b:\n    get: {operationId: 2024-01-01}\n"
                    "  /c:\n    get: {summary: ~, operationId: 'no'}\n")
    assert _keys(generate_from_file(path)) == [("get:a", "on"), ("get:b", "2024-01-01"), ("get:c", "no")]


def test_a_local_path_item_ref_is_followed() -> None:
    doc = {"openapi": "3.1.0", "paths": {"/a": {"$ref": "#/components/pathItems/A"}},
           "components": {"pathItems": {"A": {"get": {"summary": "From ref"}, "put": {}}}}}
    assert _keys(generate(doc)) == [("get:a", "From ref"), ("put:a", "PUT /a")]


def test_empty_paths_generate_nothing() -> None:
    assert generate({"openapi": "3.0.0", "paths": {}}).scopes == ()


@pytest.mark.parametrize(("text", "suffix", "message"), [
    ("openapi: 3.0.0\npaths:\n  /x: [unclosed\n", ".yaml", "invalid YAML at line 4, column 1"),
    ('{"openapi": "3.0.0", "paths": {', ".json", "invalid JSON at line 1, column 32"),
    ("- just\n- a list\n", ".yaml", "expected an OpenAPI document (an object at the top level)"),
    ('{"paths": {}}', ".json", 'not an OpenAPI 3.x or Swagger 2.0 document (no "openapi" or "swagger" field)'),
    ('{"openapi": "2.0", "paths": {}}', ".json", 'not an OpenAPI 3.x or Swagger 2.0 document ("openapi": "2.0")'),
    ('{"swagger": "1.2", "paths": {}}', ".json", '("swagger": "1.2")'),
    ('{"openapi": "3.0.0"}', ".json", 'has no "paths" object'),
    ('{"openapi": "3.0.0", "paths": []}', ".json", '$.paths: "paths" must be an object'),
    ('{"openapi": "3.0.0", "paths": {"users": {}}}', ".json", '$.paths.users: path "users" must start with "/"'),
    ('{"openapi": "3.0.0", "paths": {"/a": []}}', ".json", '$.paths["/a"]: expected a path item object'),
    ('{"openapi": "3.0.0", "paths": {"/a": {"get": "x"}}}', ".json", '$.paths["/a"].get: expected an operation'),
    ('{"openapi": "3.0.0", "paths": {"/a": {"get": {"summary": 5}}}}', ".json",
     '$.paths["/a"].get.summary: expected a string'),
    ('{"openapi": "3.0.0", "paths": {"/a b": {"get": {}}}}', ".json",
     'gives the scope name "get:a b", but scope keys cannot contain whitespace'),
    ('{"openapi": "3.0.0", "paths": {"/a": {"$ref": "other.yaml#/A"}}}', ".json",
     '$ref "other.yaml#/A" points outside this document'),
    ('{"openapi": "3.0.0", "paths": {"/a": {"$ref": "#/nowhere"}}}', ".json", '$ref "#/nowhere" does not resolve'),
], ids=lambda v: v[:24] if isinstance(v, str) else v)
def test_a_bad_document_is_one_line_naming_the_file(tmp_path: Path, text: str, suffix: str, message: str) -> None:
    path = tmp_path / f"orders{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OpenApiError) as info:
        generate_from_file(path)
    line = str(info.value)
    assert line.startswith(f"{path}: ")
    assert message in line
    assert "\n" not in line


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    cases = {
        tmp_path / "missing.yaml": "file not found",
        tmp_path: "is a directory",
    }
    binary = tmp_path / "latin1.yaml"
    binary.write_bytes(b"openapi: 3.0.0\ninfo: {title: caf\xe9}\n")
    cases[binary] = "not UTF-8 text (byte 32)"
    for path, message in cases.items():
        with pytest.raises(OpenApiError, match=re.escape(message)):
            generate_from_file(path)
    with pytest.raises(OpenApiError, match="only local files"):
        generate_from_file("https://example.com/openapi.yaml")


def test_a_file_over_20_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: nothing is written, so the size check must come first
    with pytest.raises(OpenApiError) as info:
        generate_from_file(path)
    assert str(info.value) == f"{path}: is 20.0 MB; OpenAPI documents of at most 20 MB can be imported (Kinde's limit)"


def test_a_file_of_exactly_20_mb_is_accepted(tmp_path: Path) -> None:
    head = json.dumps({"openapi": "3.0.0", "paths": {"/a": {"get": {}}}}).encode()
    path = tmp_path / "big.json"
    path.write_bytes(head + b" " * (MAX_BYTES - len(head)))
    assert path.stat().st_size == MAX_BYTES
    assert [s.key for s in generate_from_file(path).scopes] == ["get:a"]
