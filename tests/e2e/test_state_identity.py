"""State identity (issue 12): the state records the Kinde business, domain and environment of its
first write, and a run whose credentials lead elsewhere stops before it reads anything into a plan.
A second emulator is a second Kinde business (its own business code and domain)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_harness import Kinde, Workdir
from emulator_client import ApiClient, fetch_token

from kinde_iac.emulator.server import RunningEmulator, start_background
from kinde_iac.state import StateIdentity, StateStore

CONFIG = {"kinde": {"environment": "development"},
          "permissions": [{"key": "orders:read", "name": "Read orders"}],
          "roles": [{"key": "viewer", "name": "Viewer", "permissions": ["orders:read"]}]}


@pytest.fixture(scope="module")
def other_business() -> Iterator[RunningEmulator]:
    with start_background(client_id="other-m2m", client_secret="other-business-secret-1",
                          environments=("development",)) as emulator:
        yield emulator


def business_of(url: str, credentials: tuple[str, str]) -> str:
    api = ApiClient(url, fetch_token(url, *credentials))
    try:
        return str(api.get("/api/v1/business").json()["business"]["code"])
    finally:
        api.close()


def identity(work: Workdir) -> StateIdentity | None:
    store = StateStore.open(work.root / "dev.db", workspace="dev")
    try:
        return store.identity()
    finally:
        store.close()


def test_the_first_apply_records_business_domain_and_environment(work: Workdir, kinde: Kinde) -> None:
    kinde.reset_stats()
    work.apply(CONFIG)
    assert kinde.stats()["by_route"].get("GET /api/v1/business") == 1
    host = kinde.url.split("://", 1)[1]
    assert identity(work) == StateIdentity(business=business_of(kinde.url, kinde.emulator.credentials()),
                                           domain=host, environment="development")
    kinde.reset_stats()
    work.assert_converged(CONFIG)  # the recorded domain vouches for the business: no extra request
    assert "GET /api/v1/business" not in kinde.stats()["by_route"]


def test_a_state_used_with_another_business_credentials_is_refused(work: Workdir, kinde: Kinde,
                                                                   other_business: RunningEmulator) -> None:
    work.apply(CONFIG)
    before = StateStore.open(work.root / "dev.db", workspace="dev")
    rows, serial = before.resources(), before.serial
    before.close()
    client_id, secret = other_business.credentials()
    elsewhere: dict[str, Any] = {"KINDE_DOMAIN": other_business.url, "KINDE_CLIENT_ID": client_id,
                                 "KINDE_CLIENT_SECRET": secret}
    ours = business_of(kinde.url, kinde.emulator.credentials())
    theirs = business_of(other_business.url, (client_id, secret))
    for command in (["plan"], ["apply", "--auto-approve"], ["drift"]):
        result = work.run(*command, *work.ws_args(CONFIG), env=elsewhere)
        assert result.exit_code == 1, result.output
        message = result.stderr
        for part in (ours, theirs, kinde.url.split("://", 1)[1], other_business.url.split("://", 1)[1],
                     "refusing to continue"):
            assert part in message, message
        assert "Plan:" not in result.output
    api = ApiClient(other_business.url, fetch_token(other_business.url, client_id, secret))
    try:
        assert api.get("/api/v1/roles").json()["roles"] in (None, [])  # nothing was created there
    finally:
        api.close()
    after = StateStore.open(work.root / "dev.db", workspace="dev")
    assert (after.resources(), after.serial) == (rows, serial)
    after.close()


def test_a_state_used_with_another_environment_of_the_business_is_refused(work: Workdir, kinde: Kinde) -> None:
    # No expected environment in the config: only the state knows where it belongs.
    unpinned = {**CONFIG, "kinde": {}}
    work.apply(unpinned)
    result = work.run("plan", *work.ws_args(unpinned), code="staging")
    assert result.exit_code == 1
    assert "environment differ" in result.stderr and "'development'" not in result.stderr
    assert "environment development" in result.stderr and "environment staging" in result.stderr
