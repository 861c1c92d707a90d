"""A 200 without the expected list is an error naming method, path and what was expected, never
"no objects" (issue 13 point 2): paginate, get_list and get_object."""
from __future__ import annotations

from typing import Any

import pytest
import responses
from kinde_fakes import BASE, api_calls

from kinde_iac.errors import ApiError, KindeIacError
from kinde_iac.kinde import KindeClient

APPS = BASE + "/api/v1/applications"
ROLE_SCOPES = "/api/v1/roles/r1/scopes"


def register(rsps: responses.RequestsMock, url: str, body: Any) -> None:
    if body is None:
        rsps.get(url, status=200, body="")  # no body at all
    elif isinstance(body, str):
        rsps.get(url, status=200, body=body, content_type="application/json")
    else:
        rsps.get(url, status=200, json=body)


BAD_LIST_BODIES = [
    pytest.param(None, "expected a JSON body, got an empty body", id="empty-body"),
    pytest.param("null", 'expected a JSON object with a "applications" list, got null', id="json-null"),
    pytest.param({"code": "OK", "applications": None}, 'expected a "applications" list, got null', id="null-list"),
    pytest.param({"code": "OK"}, 'the response has no "applications" key', id="key-missing"),
    pytest.param({"applications": "none"}, 'expected a "applications" list, got a string', id="string"),
    pytest.param({"applications": 0}, 'expected a "applications" list, got a number', id="number"),
    pytest.param({"applications": True}, 'expected a "applications" list, got a boolean', id="boolean"),
    pytest.param([{"id": "a1"}], 'expected a JSON object with a "applications" list, got a list', id="bare-list"),
]


@pytest.mark.parametrize(("body", "expected"), BAD_LIST_BODIES)
def test_paginate_refuses_a_200_without_the_list(rsps: responses.RequestsMock, client: KindeClient,
                                                 body: Any, expected: str) -> None:
    register(rsps, APPS, body)
    with pytest.raises(ApiError) as exc:
        list(client.paginate("/api/v1/applications", "applications"))
    err = exc.value
    assert isinstance(err, KindeIacError)  # the CLI prints it as one line, exit 1
    assert (err.status, err.code, err.method, err.path) == (200, "INVALID_RESPONSE", "GET", "/api/v1/applications")
    assert expected in err.message
    assert str(err).startswith("Kinde API error on GET /api/v1/applications: HTTP 200 INVALID_RESPONSE")
    assert len(api_calls(rsps)) == 1  # a shape error is not retried: the server answered


@pytest.mark.parametrize(("body", "expected"), BAD_LIST_BODIES)
def test_get_list_refuses_a_200_without_the_list(rsps: responses.RequestsMock, client: KindeClient,
                                                 body: Any, expected: str) -> None:
    register(rsps, APPS, body)
    with pytest.raises(ApiError) as exc:
        client.get_list("/api/v1/applications", "applications")
    assert exc.value.code == "INVALID_RESPONSE" and expected in exc.value.message


def test_a_later_page_without_the_list_is_an_error_not_the_end(rsps: responses.RequestsMock,
                                                                client: KindeClient) -> None:
    rsps.get(APPS, json={"applications": [{"id": "a1"}], "next_token": "t1"})
    rsps.get(APPS, json={"code": "OK", "next_token": None})
    seen = []
    with pytest.raises(ApiError, match='no "applications" key'):
        for item in client.paginate("/api/v1/applications", "applications"):
            seen.append(item["id"])
    assert seen == ["a1"]


def test_a_non_string_next_token_is_an_error(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(APPS, json={"applications": [{"id": "a1"}], "next_token": ["t1"]})
    with pytest.raises(ApiError, match='"next_token" to be a string, got a list'):
        list(client.paginate("/api/v1/applications", "applications"))


def test_unhashable_ids_do_not_crash_the_walk(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(APPS, json={"applications": [{"id": {"odd": 1}}, {"id": "a2"}]})
    assert len(list(client.paginate("/api/v1/applications", "applications"))) == 2


@pytest.mark.parametrize(("body", "items"), [
    ({"code": "OK", "applications": []}, []),
    ({"applications": [], "next_token": None}, []),
    ({"applications": [{"id": "a1"}]}, [{"id": "a1"}]),
])
def test_an_empty_list_is_a_list(rsps: responses.RequestsMock, client: KindeClient, body: Any,
                                 items: list[Any]) -> None:
    rsps.get(APPS, json=body)
    assert list(client.paginate("/api/v1/applications", "applications")) == items


def test_get_list_returns_the_list_without_paging(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(BASE + ROLE_SCOPES, json={"code": "OK", "scopes": [{"id": "s1", "key": "read"}], "next_token": "x"})
    assert client.get_list(ROLE_SCOPES, "scopes") == [{"id": "s1", "key": "read"}]
    assert len(api_calls(rsps)) == 1
    assert "page_size" not in api_calls(rsps)[0].request.url


def test_get_list_of_strings_and_of_nothing(rsps: responses.RequestsMock, client: KindeClient) -> None:
    url = "/api/v1/applications/a1/auth_redirect_urls"
    rsps.get(BASE + url, json={"redirect_urls": ["https://app.example/cb"]})
    rsps.get(BASE + url, json={"redirect_urls": []})
    assert client.get_list(url, "redirect_urls") == ["https://app.example/cb"]
    assert client.get_list(url, "redirect_urls") == []


def test_get_list_of_the_feature_flag_map(rsps: responses.RequestsMock, client: KindeClient) -> None:
    url = "/api/v1/environment/feature_flags"
    rsps.get(BASE + url, json={"feature_flags": {"dark": {"type": "bool", "value": "true"}}})
    rsps.get(BASE + url, json={"feature_flags": {}})
    assert client.get_list(url, "feature_flags") == [{"key": "dark", "type": "bool", "value": "true"}]
    assert client.get_list(url, "feature_flags") == []


def test_get_list_passes_params(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(BASE + "/api/v1/apis", json={"apis": []})
    client.get_list("/api/v1/apis", "apis", {"expand": "scopes"})
    assert api_calls(rsps)[0].request.params == {"expand": "scopes"}


@pytest.mark.parametrize(("body", "expected"), [
    ({"code": "OK", "api": {"id": "x", "name": "n"}}, None),
    ({"code": "OK"}, 'the response has no "api" key'),
    ({"api": None}, 'expected a "api" object, got null'),
    ({"api": []}, 'expected a "api" object, got a list'),
])
def test_get_object(rsps: responses.RequestsMock, client: KindeClient, body: Any, expected: str | None) -> None:
    rsps.get(BASE + "/api/v1/apis/x", json=body)
    if expected is None:
        assert client.get_object("/api/v1/apis/x", "api") == {"id": "x", "name": "n"}
        return
    with pytest.raises(ApiError) as exc:
        client.get_object("/api/v1/apis/x", "api")
    assert (exc.value.code, exc.value.path) == ("INVALID_RESPONSE", "/api/v1/apis/x")
    assert expected in exc.value.message


def test_plain_get_with_an_empty_body_is_an_error(rsps: responses.RequestsMock, client: KindeClient) -> None:
    # client.get(...).get("roles") or [] would otherwise still read an empty 200 as "no roles".
    rsps.get(BASE + "/api/v1/roles", status=200, body="")
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/roles")
    assert (exc.value.code, exc.value.method) == ("INVALID_RESPONSE", "GET")
    assert "got an empty body" in exc.value.message


def test_request_still_wraps_a_non_object_body(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(BASE + "/api/v1/things", json=[1, 2])
    assert client.get("/api/v1/things") == {"data": [1, 2]}
