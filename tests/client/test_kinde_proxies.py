"""Proxy and CA settings come from the environment once per client, not on every request (issue 19),
and HTTPS_PROXY / NO_PROXY / REQUESTS_CA_BUNDLE are still honoured."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from kinde_fakes import BASE, TOKEN, api_calls, token_calls

from kinde_iac.kinde import KindeClient
from kinde_iac.kinde import transport as transport_module

ROLES = BASE + "/api/v1/roles"
PROXY = "http://proxy.corp.example:3128"
SETTINGS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NETRC")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The machine running the tests may itself sit behind a proxy.
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    yield


def sent_with(call: Any, name: str) -> Any:
    return call.request.req_kwargs[name]


def test_https_proxy_is_used_for_api_and_token_calls(monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock,
                                                     make_client: Callable[..., KindeClient],
                                                     token_endpoint: Callable[..., None]) -> None:
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles")
    assert sent_with(token_calls(rsps)[0], "proxies").get("https") == PROXY
    assert sent_with(api_calls(rsps)[0], "proxies").get("https") == PROXY


@pytest.mark.parametrize("no_proxy", ["acme.kinde.com", ".kinde.com", "kinde.com", "localhost,acme.kinde.com", "*"])
def test_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock,
                              make_client: Callable[..., KindeClient], token_endpoint: Callable[..., None],
                              no_proxy: str) -> None:
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles")
    assert "https" not in sent_with(api_calls(rsps)[0], "proxies")


def test_no_proxy_for_another_host_keeps_the_proxy(monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock,
                                                   make_client: Callable[..., KindeClient],
                                                   token_endpoint: Callable[..., None]) -> None:
    monkeypatch.setenv("https_proxy", PROXY)  # lower case works too
    monkeypatch.setenv("no_proxy", "internal.example")
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles")
    assert sent_with(api_calls(rsps)[0], "proxies").get("https") == PROXY


def test_settings_are_resolved_once_per_client(monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock,
                                               make_client: Callable[..., KindeClient],
                                               token_endpoint: Callable[..., None]) -> None:
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    resolutions: list[str] = []
    real = transport_module.get_environ_proxies

    def counting(url: str, no_proxy: str | None = None) -> dict[str, str]:
        resolutions.append(url)
        return real(url, no_proxy=no_proxy)

    monkeypatch.setattr(transport_module, "get_environ_proxies", counting)
    per_request: list[str] = []
    monkeypatch.setattr(requests.sessions, "get_environ_proxies",
                        lambda url, no_proxy=None: per_request.append(url) or {})
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    client = make_client()
    monkeypatch.setenv("HTTPS_PROXY", "http://elsewhere.example:8080")  # too late: already resolved
    for _ in range(5):
        client.get("/api/v1/roles")
    assert resolutions == [BASE]
    assert per_request == []  # requests itself never went back to the environment
    assert {sent_with(c, "proxies").get("https") for c in rsps.calls} == {PROXY}


def test_ca_bundle_variable_is_honoured(monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock,
                                        make_client: Callable[..., KindeClient],
                                        token_endpoint: Callable[..., None], tmp_path: Path) -> None:
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles")
    assert sent_with(api_calls(rsps)[0], "verify") == str(bundle)


def test_netrc_never_replaces_the_bearer_token(monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock,
                                               make_client: Callable[..., KindeClient],
                                               token_endpoint: Callable[..., None], tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine acme.kinde.com login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles")
    assert api_calls(rsps)[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_given_session_is_used_as_configured(rsps: responses.RequestsMock,
                                               make_client: Callable[..., KindeClient],
                                               token_endpoint: Callable[..., None]) -> None:
    session = requests.Session()
    session.proxies["https"] = "http://callers-proxy.example:1"
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client(session=session).get("/api/v1/roles")
    assert session.trust_env is True
    assert sent_with(api_calls(rsps)[0], "proxies").get("https") == "http://callers-proxy.example:1"


def test_own_session_sends_exactly_the_client_headers_and_a_given_session_adds_its_own(
        rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
        token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    rsps.get(ROLES, json={"roles": []})
    make_client().get("/api/v1/roles", params={"page_size": 500})
    own = api_calls(rsps)[0].request
    assert own.url == ROLES + "?page_size=500"
    assert {k: own.headers[k] for k in ("Authorization", "Accept", "User-Agent", "Accept-Encoding")} == {
        "Authorization": f"Bearer {TOKEN}", "Accept": "application/json", "User-Agent": "kinde-iac",
        "Accept-Encoding": "gzip, deflate"}
    session = requests.Session()
    session.headers["X-Trace"] = "caller"
    make_client(session=session).get("/api/v1/roles")
    given = api_calls(rsps)[-1].request
    assert given.headers["X-Trace"] == "caller"
    assert given.headers["Authorization"] == f"Bearer {TOKEN}"
