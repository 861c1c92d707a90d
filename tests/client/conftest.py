"""Fixtures for the Management API client tests: a mocked Kinde, a fake clock, recorded sleeps.

Nothing here touches the network or sleeps for real; ``sleep`` only records and moves the fake
clock so code that waits "until time T" sees time T arrive.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from kinde_fakes import BASE, SECRET, TOKEN, TOKEN_URL, FakeClock, MaxRng

from kinde_iac.kinde import Credentials, KindeClient


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def creds() -> Credentials:
    return Credentials(domain=BASE, client_id="m2m-client-id", client_secret=SECRET)


@pytest.fixture
def events() -> list[str]:
    return []


@pytest.fixture
def token_endpoint(rsps: responses.RequestsMock) -> Callable[..., None]:
    """Register token responses; with no arguments, one long-lived TOKEN."""

    def register(*tokens: str, expires_in: Any = 86399) -> None:
        for tok in tokens or (TOKEN,):
            body: dict[str, Any] = {"access_token": tok, "token_type": "Bearer"}
            if expires_in is not None:
                body["expires_in"] = expires_in
            rsps.post(TOKEN_URL, json=body)

    return register


@pytest.fixture
def make_client(creds: Credentials, clock: FakeClock, events: list[str]) -> Iterator[Callable[..., KindeClient]]:
    made: list[KindeClient] = []

    def make(**kwargs: Any) -> KindeClient:
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("rng", MaxRng())
        kwargs.setdefault("on_event", events.append)
        client = KindeClient(kwargs.pop("credentials", creds), **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., KindeClient], token_endpoint: Callable[..., None]) -> KindeClient:
    token_endpoint()
    return make_client()
