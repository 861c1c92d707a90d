"""Fixtures for the emulator suite: real HTTP on 127.0.0.1, every response spec-validated."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from emulator_client import ApiClient, Control, fetch_token

from kinde_iac.emulator.server import RunningEmulator, start_background

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
    control = Control(shared_emulator.url)
    control.faults(latency_ms=0, fail_rate=0, drop_rate=0, rate_limit=None)
    control.reset()
    return shared_emulator


@pytest.fixture
def make_client(validator: SpecValidator) -> Iterator[Callable[..., ApiClient]]:
    """Spec-validated clients, closed at teardown."""
    clients: list[ApiClient] = []

    def make(base_url: str, token: str | None = None) -> ApiClient:
        client = ApiClient(base_url, token, validator=validator)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(emulator: RunningEmulator, _tokens: dict[str, str], make_client: Callable[..., ApiClient]
           ) -> ApiClient:
    """A client of the shared emulator's default environment (production), all scopes."""
    return make_client(emulator.url, _tokens["production"])


@pytest.fixture
def staging(emulator: RunningEmulator, _tokens: dict[str, str], make_client: Callable[..., ApiClient]
            ) -> ApiClient:
    return make_client(emulator.url, _tokens["staging"])


@pytest.fixture
def control(emulator: RunningEmulator) -> Control:
    """Call a /_emulator/ route and return its JSON: ``control("GET", "stats")``."""
    return Control(emulator.url)
