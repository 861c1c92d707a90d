"""End-to-end fixtures: the real CLI (click's runner, in-process) against the emulator over real
HTTP on 127.0.0.1."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import Kinde, Workdir

from kinde_iac.emulator.server import RunningEmulator, start_background

ENVIRONMENTS = ("development", "staging", "production")
SECRET = "e2e-client-secret-7f3a"


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    with start_background(client_id="e2e-m2m", client_secret=SECRET, environments=ENVIRONMENTS) as emu:
        yield emu


@pytest.fixture
def kinde(emulator: RunningEmulator) -> Kinde:
    k = Kinde(emulator)
    k.reset()
    return k


@pytest.fixture
def work(tmp_path: Path, kinde: Kinde) -> Workdir:
    return Workdir(tmp_path, kinde)
