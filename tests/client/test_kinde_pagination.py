"""paginate(): next_token, has_more/starting_after, unpaged lists, and cursors that do not move."""
from __future__ import annotations

from typing import Any

import pytest
import responses
from kinde_fakes import BASE, api_calls
from responses import matchers

from kinde_iac.errors import ApiError
from kinde_iac.kinde import KindeClient

ROLES = BASE + "/api/v1/roles"


def qs(call: Any) -> dict[str, str]:
    return dict(call.request.params)


def test_next_token_across_three_pages(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, match=[matchers.query_param_matcher({"page_size": "500", "sort": "key_asc"})],
             json={"roles": [{"id": "1"}, {"id": "2"}], "next_token": "t1"})
    rsps.get(ROLES, match=[matchers.query_param_matcher({"page_size": "500", "sort": "key_asc", "next_token": "t1"})],
             json={"roles": [{"id": "3"}], "next_token": "t2"})
    rsps.get(ROLES, match=[matchers.query_param_matcher({"page_size": "500", "sort": "key_asc", "next_token": "t2"})],
             json={"roles": [{"id": "4"}], "next_token": None})
    params = {"sort": "key_asc"}
    ids = [r["id"] for r in client.paginate("/api/v1/roles", "roles", params)]
    assert ids == ["1", "2", "3", "4"]
    assert len(api_calls(rsps)) == 3
    assert params == {"sort": "key_asc"}  # the caller's dict is not mutated


def test_empty_string_next_token_ends(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, json={"roles": [{"id": "1"}], "next_token": ""})
    assert [r["id"] for r in client.paginate("/api/v1/roles", "roles")] == ["1"]
    assert len(api_calls(rsps)) == 1


def test_repeated_next_token_stops(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, json={"roles": [{"id": "1"}], "next_token": "t1"})
    rsps.get(ROLES, json={"roles": [{"id": "2"}], "next_token": "t1"})
    ids = [r["id"] for r in client.paginate("/api/v1/roles", "roles")]
    assert ids == ["1", "2"]
    assert len(api_calls(rsps)) == 2


def test_server_ignoring_cursor_yields_no_duplicates(rsps: responses.RequestsMock, client: KindeClient) -> None:
    # Same page and a fresh-looking token every time: without the progress check this never ends.
    for n in range(5):
        rsps.get(ROLES, json={"roles": [{"id": "1"}, {"id": "2"}], "next_token": f"t{n}"})
    ids = [r["id"] for r in client.paginate("/api/v1/roles", "roles")]
    assert ids == ["1", "2"]
    assert len(api_calls(rsps)) == 2


def test_caller_page_size_is_respected(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(ROLES, json={"roles": []})
    list(client.paginate("/api/v1/roles", "roles", {"page_size": 100}))
    assert qs(api_calls(rsps)[0])["page_size"] == "100"


def test_has_more_uses_starting_after_last_id(rsps: responses.RequestsMock, client: KindeClient) -> None:
    url = BASE + "/api/v1/api_keys"
    rsps.get(url, match=[matchers.query_param_matcher({"page_size": "500"})],
             json={"api_keys": [{"id": "k1"}, {"id": "k2"}], "has_more": True})
    rsps.get(url, match=[matchers.query_param_matcher({"page_size": "500", "starting_after": "k2"})],
             json={"api_keys": [{"id": "k3"}], "has_more": True})
    rsps.get(url, match=[matchers.query_param_matcher({"page_size": "500", "starting_after": "k3"})],
             json={"api_keys": [{"id": "k4"}], "has_more": False})
    ids = [k["id"] for k in client.paginate("/api/v1/api_keys", "api_keys")]
    assert ids == ["k1", "k2", "k3", "k4"]


def test_has_more_without_progress_stops(rsps: responses.RequestsMock, client: KindeClient) -> None:
    url = BASE + "/api/v1/environment_variables"
    for _ in range(4):
        rsps.get(url, json={"environment_variables": [{"id": "v1"}, {"id": "v2"}], "has_more": True})
    ids = [v["id"] for v in client.paginate("/api/v1/environment_variables", "environment_variables", paged=False)]
    assert ids == ["v1", "v2"]
    assert len(api_calls(rsps)) == 2


def test_unpaged_list_sends_no_page_size_but_keeps_params(rsps: responses.RequestsMock, client: KindeClient) -> None:
    url = BASE + "/api/v1/apis"
    rsps.get(url, match=[matchers.query_param_matcher({"expand": "scopes"})],
             json={"apis": [{"id": "a1"}], "next_token": "n1"})
    rsps.get(url, match=[matchers.query_param_matcher({"expand": "scopes", "next_token": "n1"})],
             json={"apis": [{"id": "a2"}]})
    ids = [a["id"] for a in client.paginate("/api/v1/apis", "apis", {"expand": "scopes"}, paged=False)]
    assert ids == ["a1", "a2"]
    assert all("page_size" not in qs(c) for c in api_calls(rsps))


def test_missing_or_null_items_are_errors(rsps: responses.RequestsMock, client: KindeClient) -> None:
    # Issue 13 point 2: reading these as "no scopes" made apply re-create everything. No list
    # response kinde-iac reads documents omitting or nulling an empty list, so both are refused.
    rsps.get(BASE + "/api/v1/roles/r1/scopes", json={"code": "OK", "scopes": None})
    rsps.get(BASE + "/api/v1/roles/r2/scopes", json={"code": "OK"})
    with pytest.raises(ApiError, match='"scopes" list, got null'):
        list(client.paginate("/api/v1/roles/r1/scopes", "scopes", paged=False))
    with pytest.raises(ApiError, match='no "scopes" key'):
        list(client.paginate("/api/v1/roles/r2/scopes", "scopes", paged=False))


def test_dict_valued_list_becomes_keyed_items(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.get(BASE + "/api/v1/environment/feature_flags",
             json={"feature_flags": {"dark_mode": {"type": "bool", "value": "true"},
                                     "limit": {"type": "int", "value": "5"}}})
    items = list(client.paginate("/api/v1/environment/feature_flags", "feature_flags", paged=False))
    assert items == [{"key": "dark_mode", "type": "bool", "value": "true"},
                     {"key": "limit", "type": "int", "value": "5"}]
