"""Fixtures for the engine unit tests: an in-process Kinde, a state store in memory, a workspace."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_harness import WORKSPACE, Workspace
from inprocess_kinde import InProcessKinde

from kinde_iac.state import StateStore


@pytest.fixture
def kinde() -> Iterator[InProcessKinde]:
    k = InProcessKinde()
    yield k
    k.close()


@pytest.fixture
def state() -> Iterator[StateStore]:
    s = StateStore.memory(workspace=WORKSPACE)
    yield s
    s.close()


@pytest.fixture
def ws(tmp_path: Path, kinde: InProcessKinde, state: StateStore) -> Workspace:
    return Workspace(tmp_path, kinde, state)
