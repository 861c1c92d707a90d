"""bench/transport.py, the bare-client sample the XL apply's floor is read against: it must make
exactly the creates it reports, never more in flight than the apply's parallelism, and refuse to
report a sample in which a create failed."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.transport import post_sample
from kinde_iac.emulator.server import RunningEmulator, start_background
from kinde_iac.errors import ApiError

SECRET = "transport-test-secret-41c2"


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    # A little latency, so the workers' creates overlap and the in-flight bound is exercised.
    with start_background(client_id="transport-m2m", client_secret=SECRET, latency_ms=5) as emu:
        yield emu


def test_sample_makes_exactly_its_creates_within_the_parallelism(emulator: RunningEmulator) -> None:
    emulator.app.services.stats.clear()
    run = post_sample(emulator.url, "transport-m2m", SECRET, parallelism=3, requests=24)
    stats = emulator.app.services.stats.snapshot()
    assert run.requests == 24
    assert stats["by_route"].get("POST /api/v1/permissions") == 24
    assert stats["by_status"].get("201") == 24
    assert 1 <= run.peak <= 3
    assert run.cycle_s == pytest.approx(run.wall_s * 3 / 24)


def test_a_failed_create_fails_the_sample(emulator: RunningEmulator) -> None:
    post_sample(emulator.url, "transport-m2m", SECRET, parallelism=2, requests=4)
    # The same keys again: Kinde refuses a permission key that exists.
    with pytest.raises(ApiError):
        post_sample(emulator.url, "transport-m2m", SECRET, parallelism=2, requests=4)
