"""Figures the reliability tests gather (kills survived, faults injected, retries, inputs tried),
printed at the end of the run so they can be quoted."""
from __future__ import annotations

from typing import Any

import pytest

#: PostgreSQL fixtures and the one header line saying whether PostgreSQL tests can run.
pytest_plugins = ["pg_support"]

FIGURES: dict[str, Any] = {}


@pytest.fixture(scope="session")
def figures() -> dict[str, Any]:
    return FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("kinde-iac reliability figures")
        for name in sorted(FIGURES):
            terminalreporter.write_line(f"{name}: {FIGURES[name]}")
