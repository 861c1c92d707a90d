"""Start-up: each command imports what it needs and no more (issue 19). The emulator, the HTTP
client, the state backend and the diff library are most of a plan's start-up time; ``--help`` and
``validate`` must load none of them, and a no-op plan never loads the emulator, the diff library or
sqlite-utils.

Each command runs in a fresh interpreter, which reports the modules it ended up with (counts of
modules, never seconds)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_harness import Kinde, Workdir

#: Prints, after the CLI ran, the top-level names of every module loaded.
PROBE = """
import json, sys
from kinde_iac.cli import main
try:
    main(sys.argv[1:], prog_name="kinde-iac")
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""

#: Never needed to show help or check a config.
NETWORK_AND_STATE = ("requests", "urllib3", "sqlite_utils", "sqlite3", "kinde_iac.kinde", "kinde_iac.state")
EMULATOR = ("werkzeug", "kinde_iac.emulator")
DIFF = ("deepdiff", "pydantic")
#: Parsers only some configs need (OpenAPI documents) or only saved plans need (their schema).
OCCASIONAL = ("yaml", "jsonschema")


def modules_after(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})}, timeout=120)
    marker = proc.stderr.rfind("\nMODULES ")
    assert marker >= 0, proc.stderr[-2000:]
    return proc.returncode, set(json.loads(proc.stderr[marker + len("\nMODULES "):])), proc.stdout


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(p for p in packages if p in modules or any(m.startswith(p + ".") for m in modules))


@pytest.mark.parametrize("args", [["--help"], ["plan", "--help"], ["apply", "--help"], ["drift", "--help"]])
def test_help_loads_no_command_machinery(tmp_path: Path, args: list[str]) -> None:
    code, modules, out = modules_after(args, tmp_path)
    assert code == 0 and "Usage:" in out
    assert loaded(modules, NETWORK_AND_STATE + EMULATOR + DIFF + OCCASIONAL) == []
    assert loaded(modules, ("kinde_iac.config", "kinde_iac.engine", "cattrs")) == []


def test_validate_loads_config_only(work: Workdir) -> None:
    config = work.write("dev.json", {"kinde": {"environment": "development"},
                                     "permissions": [{"key": "p1", "name": "P1"}],
                                     "roles": [{"key": "r1", "name": "R1", "permissions": ["p1"]}]})
    code, modules, out = modules_after(["validate", "--config", str(config)], work.root)
    assert code == 0 and "is valid (2 objects)" in out
    assert loaded(modules, ("kinde_iac.config", "kinde_iac.resources")) == ["kinde_iac.config", "kinde_iac.resources"]
    assert loaded(modules, NETWORK_AND_STATE + EMULATOR + DIFF + OCCASIONAL) == []


def test_a_no_op_plan_loads_neither_the_emulator_nor_the_diff_library(work: Workdir, kinde: Kinde) -> None:
    config = {"kinde": {"environment": "development"}, "permissions": [{"key": "p1", "name": "P1"}],
              "roles": [{"key": "r1", "name": "R1", "permissions": ["p1"]}]}
    args = work.ws_args(config)
    work.apply(config)
    code, modules, out = modules_after(["plan", *args, "--detailed-exitcode"], work.root, kinde.env())
    assert code == 0 and "No changes." in out
    # It did talk to Kinde and read its state, with plain sqlite3: sqlite-utils is for creating and
    # migrating the layout, which a plan of an existing state never does.
    assert loaded(modules, ("requests", "kinde_iac.kinde", "kinde_iac.state", "sqlite3")) == [
        "kinde_iac.kinde", "kinde_iac.state", "requests", "sqlite3"]
    assert loaded(modules, EMULATOR + DIFF + OCCASIONAL + ("sqlite_utils",)) == []
