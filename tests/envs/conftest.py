"""Fixtures: a project directory made the working directory, and one emulator for the module's
tests, with the staging and production environments the workspaces target."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_client import Control
from envs_harness import Project

from kinde_iac.emulator.server import RunningEmulator, start_background


@pytest.fixture(scope="session")
def envs_emulator() -> Iterator[RunningEmulator]:
    with start_background(client_id="envs-m2m", client_secret="envs-secret-0d4e",
                          environments=("staging", "production")) as emu:
        yield emu


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, envs_emulator: RunningEmulator) -> Project:
    Control(envs_emulator.url).reset()
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path, envs_emulator)
