"""Fixtures for the state store tests: a state path in tmp, resources, and child processes.

Child processes run real Python against the same state, because the properties under test (the
lock, crash safety) are about separate processes sharing one SQLite file or one database. ``place``
runs a test once per backend (the contract suite).
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pg_support
import pytest
from backend_places import BACKENDS, Place, sqlite_place

from kinde_iac.state import StateStore

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "staging.db"


@pytest.fixture
def store(state_path: Path) -> Iterator[StateStore]:
    s = StateStore.open(state_path, workspace="staging", create=True, domain="acme-staging.kinde.com")
    yield s
    s.close()


@pytest.fixture(params=BACKENDS)
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Place]:
    """Each backend in turn: a state file in tmp, or a schema of its own on the test PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_place(tmp_path)
        return
    server = pg_support.require()
    schema = pg_support.new_schema_name()
    yield Place("postgresql", pg_support.with_schema(server, schema))
    pg_support.drop_schema(schema)


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``python -c <script> args...`` with pipes; every child is killed at teardown."""
    children: list[subprocess.Popen[str]] = []

    def start(script: str, *args: str) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream is not None:
                stream.close()
