"""Figures the reliability tests gather (kills survived, faults injected, retries, inputs tried),
printed at the end of the run so they can be quoted."""
from __future__ import annotations

from typing import Any

import pytest

#: PostgreSQL fixtures and the one header line saying whether PostgreSQL tests can run.
pytest_plugins = ["pg_support"]

FIGURES: dict[str, Any] = {}
#: Set by GitHub Actions in every step; a test run inside a workflow must not write to that job's files
#: or reach its repository (the CI tests set their own).
CI_VARIABLES = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH",
                "GITHUB_API_URL", "KINDE_IAC_PROJECT")


@pytest.fixture(autouse=True)
def _outside_any_ci_job(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def figures() -> dict[str, Any]:
    return FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("kinde-iac reliability figures")
        for name in sorted(FIGURES):
            terminalreporter.write_line(f"{name}: {FIGURES[name]}")
