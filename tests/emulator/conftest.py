"""Fixtures for the emulator suite: real HTTP on 127.0.0.1, every response spec-validated."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from kinde_iac.emulator.server import RunningEmulator, start_background

from .client import KindeClient, fetch_token
from .spec_check import SpecValidator


@pytest.fixture(scope="session")
def validator() -> SpecValidator:
    return SpecValidator()


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[RunningEmulator]:
    """One emulator for the tests that only need a clean one: reset before each (fast)."""
    with start_background(environments=("production", "staging")) as emu:
        yield emu


@pytest.fixture(scope="session")
def _tokens(shared_emulator: RunningEmulator) -> dict[str, str]:
    # Tokens survive /_emulator/reset, so one per environment serves the whole session.
    return {code: fetch_token(shared_emulator.url, *shared_emulator.credentials(code))
            for code in shared_emulator.environments}


@pytest.fixture
def emulator(shared_emulator: RunningEmulator) -> RunningEmulator:
    """The shared emulator, reset: no data, zeroed stats, no faults."""
    requests.post(f"{shared_emulator.url}/_emulator/faults", timeout=5,
                  json={"latency_ms": 0, "fail_rate": 0, "drop_rate": 0, "rate_limit": None}).raise_for_status()
    requests.post(f"{shared_emulator.url}/_emulator/reset", timeout=5).raise_for_status()
    return shared_emulator


@pytest.fixture
def make_client(validator: SpecValidator) -> Iterator[Callable[..., KindeClient]]:
    clients: list[KindeClient] = []

    def make(base_url: str, token: str | None = None) -> KindeClient:
        client = KindeClient(base_url, validator, token)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(emulator: RunningEmulator, _tokens: dict[str, str], make_client: Callable[..., KindeClient]
           ) -> KindeClient:
    """A client of the shared emulator's default environment (production), all scopes."""
    return make_client(emulator.url, _tokens["production"])


@pytest.fixture
def staging(emulator: RunningEmulator, _tokens: dict[str, str], make_client: Callable[..., KindeClient]
            ) -> KindeClient:
    return make_client(emulator.url, _tokens["staging"])


@pytest.fixture
def control(emulator: RunningEmulator) -> Callable[..., Any]:
    """Call a /_emulator/ route and return its JSON."""
    def call(method: str, route: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{emulator.url}/_emulator/{route}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()
    return call
