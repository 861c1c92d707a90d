"""The validator itself, and that the emulator's routes and scopes come from the spec."""
from __future__ import annotations

import json

import pytest
import requests

from kinde_iac.emulator import apispec, scopes
from kinde_iac.emulator.handlers import all_routes

from .spec_check import SpecValidator, SpecViolation


def _fake_response(method: str, url: str, status: int, body: object) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request(method, url, headers={"Authorization": "Bearer x"}).prepare()
    response.url = url
    return response


def test_validator_rejects_a_wrong_field_type(validator: SpecValidator) -> None:
    good = {"code": "OK", "message": "Success", "roles": [{"id": "r1", "key": "admin", "name": "Admin",
                                                          "description": None, "is_default_role": False}]}
    validator.validate(_fake_response("GET", "http://127.0.0.1:1/api/v1/roles", 200, good))
    bad = {**good, "roles": [{**good["roles"][0], "is_default_role": "no"}]}  # boolean expected
    with pytest.raises(SpecViolation, match="is_default_role|not of type"):
        validator.validate(_fake_response("GET", "http://127.0.0.1:1/api/v1/roles", 200, bad))


def test_validator_rejects_an_undocumented_status(validator: SpecValidator) -> None:
    with pytest.raises(SpecViolation):
        validator.validate(_fake_response("GET", "http://127.0.0.1:1/api/v1/roles", 418, {"errors": []}))


def test_validator_rejects_the_wrong_error_shape(validator: SpecValidator) -> None:
    # GET /api_keys/{id} documents 404 as not_found_response: errors is an object, not a list.
    url = "http://127.0.0.1:1/api/v1/api_keys/api_key_x"
    validator.validate(_fake_response("GET", url, 404, {"errors": {"code": "API_KEY_NOT_FOUND", "message": "m"}}))
    with pytest.raises(SpecViolation):
        validator.validate(_fake_response("GET", url, 404, {"errors": [{"code": "API_KEY_NOT_FOUND"}]}))


def test_every_api_route_is_a_spec_operation() -> None:
    operations = apispec.operations()
    for route in all_routes():
        if route.in_spec:
            assert (route.method, route.template) in operations, route.label
        else:
            assert route.template == "/oauth2/token" or route.template.startswith("/_emulator/")


def test_scope_comes_from_x_scope_else_the_description() -> None:
    assert scopes.required_scope("GET", "/api/v1/roles") == "read:roles"  # x-scope
    # No x-scope here: the description's <code> block names it.
    assert "x-scope" not in apispec.operations()[("POST", "/api/v1/applications/{app_id}/auth_logout_urls")]
    assert scopes.required_scope("POST", "/api/v1/applications/{app_id}/auth_logout_urls") == \
        "create:application_logout_uris"
    assert scopes.required_scope("DELETE", "/api/v1/apis/{api_id}/scopes/{scope_id}") == "delete:apis_scopes"
    assert scopes.required_scope("POST", "/api/v1/api_keys/verify") is None
    assert scopes.scope_of({"description": "Things.\n<div>\n  <code>read:things</code>\n</div>"}) == "read:things"
    assert scopes.scope_of({"x-scope": "a:b", "description": "<code>c:d</code>"}) == "a:b"


def test_every_operation_but_verify_names_a_scope() -> None:
    public = [key for key, scope in scopes.required_scopes().items() if scope is None]
    assert public == [("POST", "/api/v1/api_keys/verify")]
    assert len(scopes.all_scopes()) > 100
