"""Every error body Kinde sends becomes one ApiError; success is any 2xx without errors."""
from __future__ import annotations

import pytest
import responses
from kinde_fakes import BASE, api_calls

from kinde_iac.errors import ApiError, KindeIacError
from kinde_iac.kinde import KindeClient, is_not_found

ROLE = BASE + "/api/v1/roles/r1"


def raised(client: KindeClient, method: str = "GET", path: str = "/api/v1/roles/r1") -> ApiError:
    with pytest.raises(ApiError) as exc:
        client.request(method, path)
    return exc.value


def test_errors_list_shape(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLE, status=400, json={"errors": [{"code": "ROLE_NOT_FOUND", "message": "Role not found"}]})
    err = raised(client)
    assert (err.status, err.code, err.message) == (400, "ROLE_NOT_FOUND", "Role not found")
    assert (err.method, err.path, err.ambiguous) == ("GET", "/api/v1/roles/r1", False)
    assert isinstance(err, KindeIacError)
    assert "GET /api/v1/roles/r1" in str(err) and "ROLE_NOT_FOUND" in str(err)


def test_errors_object_shape(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLE, status=404,
             json={"errors": {"code": "ROUTE_NOT_FOUND", "message": "The requested API route does not exist"}})
    err = raised(client)
    assert (err.status, err.code) == (404, "ROUTE_NOT_FOUND")
    assert err.message == "The requested API route does not exist"


def test_every_listed_error_is_kept(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.post(BASE + "/api/v1/roles", status=400, json={"errors": [
        {"code": "INVALID_KEY", "message": "key is invalid"},
        {"code": "NAME_REQUIRED", "message": "name is required"}]})
    err = raised(client, "POST", "/api/v1/roles")
    assert err.code == "INVALID_KEY"
    assert "key is invalid" in err.message and "NAME_REQUIRED: name is required" in err.message


def test_oauth_shape_on_an_api_route(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLE, status=400, json={"error": "invalid_request", "error_description": "bad audience"})
    err = raised(client)
    assert (err.code, err.message) == ("invalid_request", "bad audience")


def test_non_json_body(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLE, status=418, body="<html><body>I'm a\n  teapot</body></html>", content_type="text/html")
    err = raised(client)
    assert (err.status, err.code) == (418, "HTTP_418")
    assert err.message == "<html><body>I'm a teapot</body></html>"


def test_long_non_json_body_is_truncated(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLE, status=400, body="x" * 5000)
    assert len(raised(client).message) < 300


def test_empty_error_body_uses_reason(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLE, status=409, body="")
    err = raised(client)
    assert (err.code, err.message) == ("HTTP_409", "Conflict")


@pytest.mark.parametrize(("status", "code", "expected"), [
    (404, "ROUTE_NOT_FOUND", True),
    (404, "HTTP_404", True),
    (400, "ROLE_NOT_FOUND", True),
    (400, "APPLICATION_NOT_FOUND", True),
    (400, "INVALID_PERMISSION_ID", True),
    (400, "INVALID_PERMISSION_ID_ROLE", True),
    (400, "INVALID_REQUEST", False),
    (400, "PAGE_SIZE_LIMIT_EXCEEDED", False),
    (403, "SCOPE_MISSING", False),
    (None, "CONNECTION_DROPPED", False),
])
def test_is_not_found(status: int | None, code: str, expected: bool) -> None:
    assert is_not_found(ApiError(status, code, "m")) is expected


def test_is_not_found_ignores_other_exceptions() -> None:
    assert is_not_found(ValueError("ROLE_NOT_FOUND")) is False


def test_any_2xx_is_success(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.post(BASE + "/api/v1/roles", status=201, json={"code": "OK", "role": {"id": "r9"}})
    assert client.post("/api/v1/roles", json={"key": "admin"})["role"]["id"] == "r9"


def test_empty_success_body_is_empty_dict(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.patch(BASE + "/api/v1/applications/a1", status=200, body="")
    assert client.patch("/api/v1/applications/a1", json={"name": "x"}) == {}


def test_2xx_carrying_errors_is_an_error(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLE, status=200, json={"errors": [{"code": "SOMETHING_WRONG", "message": "nope"}]})
    err = raised(client)
    assert (err.status, err.code) == (200, "SOMETHING_WRONG")


def test_get_with_non_json_2xx_is_not_read_as_empty(rsps: responses.RequestsMock, client: KindeClient) -> None:
    # A captive portal or proxy page must not look like "zero roles exist".
    rsps.get(BASE + "/api/v1/roles", status=200, body="<html>login</html>", content_type="text/html")
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    assert exc.value.code == "INVALID_RESPONSE"


def test_request_body_is_json(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.post(BASE + "/api/v1/roles", status=201, json={"role": {"id": "r1"}})
    client.post("/api/v1/roles", json={"key": "admin", "name": "Admin"})
    call = api_calls(rsps)[0]
    assert call.request.headers["Content-Type"] == "application/json"
    assert call.request.body in (b'{"key": "admin", "name": "Admin"}', '{"key": "admin", "name": "Admin"}')
