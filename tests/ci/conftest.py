"""CI fixtures: the emulator and a fake GitHub/GitLab on 127.0.0.1, and a project directory."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ci_project import ENVIRONMENTS, TOKEN, Project, reset
from fake_forge import FakeForge, running

from kinde_iac.emulator.server import RunningEmulator, start_background


@pytest.fixture(scope="session")
def ci_emulator() -> Iterator[RunningEmulator]:
    with start_background(client_id="ci-m2m", client_secret="ci-client-secret-42",
                          environments=tuple(ENVIRONMENTS.values())) as emu:
        yield emu


@pytest.fixture
def forge() -> Iterator[FakeForge]:
    with running(FakeForge(TOKEN)) as fake:
        yield fake


@pytest.fixture
def project(tmp_path: Path, ci_emulator: RunningEmulator) -> Project:
    reset(ci_emulator)
    return Project(tmp_path / "acme-kinde", ci_emulator)
