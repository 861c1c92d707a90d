"""Issue 13 point 8: inputs that used to end as "Error: unexpected <PythonException>", or were accepted
silently, each through the real CLI: one readable "Error:" line, exit code 1, no traceback, nothing
written to Kinde. (Wrong-shape API answers are in test_proxy_faults.py.)"""
from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import Kinde, Workdir

from kinde_iac.state import StateStore

OK = {"kinde": {"environment": "development"}, "permissions": [{"key": "p1", "name": "P1"}],
      "roles": [{"key": "r", "name": "R", "permissions": ["p1"]}]}
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def one_error(result_stderr: str, *fragments: str) -> str:
    errors = [line for line in result_stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result_stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert "Traceback" not in result_stderr and "unexpected" not in errors[0]
    return errors[0]


@pytest.fixture
def count(figures: dict) -> Iterator[None]:
    yield
    figures["bad inputs tried through the CLI"] = figures.get("bad inputs tried through the CLI", 0) + 1
    figures["issue 13 point 8 inputs: one clear line and exit 1"] = \
        figures.get("issue 13 point 8 inputs: one clear line and exit 1", 0) + 1


def nothing_written(kinde: Kinde) -> None:
    assert kinde.list("/api/v1/permissions", "permissions") == []


# -- the state directory ---------------------------------------------------------------------------

@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory of its own, so modes can be set freely and put back for the cleanup."""
    root = Path(tempfile.mkdtemp(prefix="kinde-iac-ro-"))
    yield root
    for path in sorted(root.rglob("*"), reverse=True):
        path.chmod(0o700)
        path.unlink() if path.is_file() else path.rmdir()
    root.rmdir()


def _drop_file_override() -> None:
    # As root, file modes bind nobody: take away the capabilities that override them (they stay
    # gone across exec, since root's capabilities after exec come from the bounding set).
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_unprivileged(kinde: Kinde, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI as a user whom file modes bind (root without the capabilities that override them)."""
    try:
        return subprocess.run([sys.executable, "-m", "kinde_iac", *args], check=False, cwd=cwd,
                              capture_output=True, text=True, timeout=120, env={**os.environ, **kinde.env()},
                              preexec_fn=_drop_file_override if os.geteuid() == 0 else None)
    except subprocess.SubprocessError as err:  # a container that lets root keep its capabilities
        pytest.skip(f"cannot run without the capability to override file modes: {err}")


@pytest.mark.parametrize("where", ["read-only state directory", "missing state directory",
                                   "existing state in a read-only directory"])
def test_a_state_directory_that_cannot_be_written(kinde: Kinde, shared_dir: Path, where: str, count: None) -> None:
    (shared_dir / "dev.json").write_text(json.dumps(OK))
    locked = shared_dir / "state"
    locked.mkdir()
    state = locked / ("missing/dev.db" if where.startswith("missing") else "dev.db")
    if where.startswith("existing"):
        StateStore.open(state, workspace="dev", create=True).close()
    locked.chmod(0o555)
    result = run_unprivileged(kinde, shared_dir, "apply", "--config", "dev.json", "--state", str(state),
                              "--auto-approve")
    assert result.returncode == 1, result.stdout + result.stderr
    if where.startswith("existing"):
        one_error(result.stderr, f"cannot open state file {state}", "must be writable")
    else:
        one_error(result.stderr, f"cannot create state file {state}")
    nothing_written(kinde)


def test_a_state_path_below_a_file(work: Workdir, kinde: Kinde, count: None) -> None:
    (work.root / "afile").write_text("not a directory")
    result = work.run("apply", "--config", str(work.write("dev.json", OK)), "--state",
                      str(work.root / "afile" / "dev.db"), "--auto-approve")
    assert result.exit_code == 1
    one_error(result.stderr, "cannot create state file", "cannot create its directory")
    nothing_written(kinde)


# -- damaged state rows ----------------------------------------------------------------------------

@pytest.mark.parametrize(("column", "value", "expected"), [
    ("attributes", "[1, 2]", "attributes: expected a JSON object"),
    ("natural", "null", "expected a list of strings"),
    ("depends_on", '["ok", 5]', "expected a list of strings"),
    ("kind", "gadget", "role.r has kind 'gadget', which this kinde-iac does not know"),
])
def test_damaged_state_rows(work: Workdir, kinde: Kinde, column: str, value: str, expected: str,
                            count: None) -> None:
    args = work.ws_args(OK)
    work.apply(OK)
    db = sqlite3.connect(work.root / "dev.db")
    with db:
        db.execute(f"UPDATE resources SET {column} = ? WHERE address = 'role.r'", (value,))
    db.close()
    for command in ("plan", "apply"):
        result = work.run(command, *args, *(["--auto-approve"] if command == "apply" else []))
        assert result.exit_code == 1
        one_error(result.stderr, "dev.db", expected)


# -- client settings and numeric options -----------------------------------------------------------

@pytest.mark.parametrize(("env", "args", "expected"), [
    ({"KINDE_IAC_TIMEOUT": "0"}, [], "KINDE_IAC_TIMEOUT='0'"),
    ({"KINDE_IAC_TIMEOUT": "-1"}, [], "KINDE_IAC_TIMEOUT='-1'"),
    ({"KINDE_IAC_TIMEOUT": "nan"}, [], "KINDE_IAC_TIMEOUT='nan'"),
    ({"KINDE_IAC_MAX_RETRIES": "-5"}, [], "KINDE_IAC_MAX_RETRIES='-5'"),
    ({}, ["--parallelism", "0"], "--parallelism"),
    ({}, ["--max-rps", "-1"], "--max-rps"),
    ({}, ["--lock-timeout", "nan"], "--lock-timeout must be a finite number"),
    ({}, ["--lock-timeout", "-3"], "--lock-timeout must be a finite number"),
], ids=["timeout-0", "timeout-negative", "timeout-nan", "retries-negative", "parallelism-0", "max-rps-negative",
        "lock-timeout-nan", "lock-timeout-negative"])
def test_out_of_range_settings(work: Workdir, kinde: Kinde, env: dict, args: list, expected: str,
                               count: None) -> None:
    result = work.run("apply", *work.ws_args(OK), "--auto-approve", *args, env=env)
    assert result.exit_code == 1
    one_error(result.stderr, expected)
    nothing_written(kinde)


def test_import_lock_timeout_nan(work: Workdir, kinde: Kinde, count: None) -> None:
    result = work.run("import", *work.ws_args(OK), "--all", "--lock-timeout", "nan")
    assert result.exit_code == 1
    one_error(result.stderr, "--lock-timeout must be a finite number")


# -- output files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["plan", "export"])
def test_out_into_a_directory_that_cannot_be_made(work: Workdir, kinde: Kinde, command: str, count: None) -> None:
    # A missing directory is made (CI's plans/); one whose parent is a file cannot be.
    (work.root / "a-file").write_text("not a directory")
    target = work.root / "a-file" / "dir" / "out.json"
    kinde.reset_stats()
    result = work.run(command, *work.ws_args(OK), "--out", str(target))
    assert result.exit_code == 1
    one_error(result.stderr, str(target), "cannot be made")
    assert kinde.stats()["total"] == 0  # refused before any request


@pytest.mark.parametrize("command", ["plan", "export"])
def test_out_into_a_missing_directory_makes_it(work: Workdir, kinde: Kinde, command: str) -> None:
    target = work.root / "no" / "such" / "dir" / "out.json"
    result = work.run(command, *work.ws_args(OK), "--out", str(target))
    assert result.exit_code == 0, result.output + result.stderr
    assert target.is_file() and target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("command", ["apply", "show"])
def test_a_saved_plan_nested_100k_deep(work: Workdir, kinde: Kinde, command: str, count: None) -> None:
    deep = work.root / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    extra = ["--config", str(work.write("dev.json", OK))] if command == "apply" else []
    result = work.run(command, str(deep), *extra)
    assert result.exit_code == 1
    one_error(result.stderr, "deep.json", "nested more than 64 levels deep")
    nothing_written(kinde)


# -- config and import ------------------------------------------------------------------------------

@pytest.mark.parametrize(("section", "field"), [("roles", "name"), ("permissions", "name")])
def test_a_10000_character_name(work: Workdir, kinde: Kinde, section: str, field: str, count: None) -> None:
    doc = json.loads(json.dumps(OK))
    doc[section][0][field] = "x" * 10_000
    for command in ("validate", "apply"):
        result = work.run(command, *work.ws_args(doc), *(["--auto-approve"] if command == "apply" else []))
        assert result.exit_code == 1
        one_error(result.stderr, f"$.{section}[0].{field}", "10000 characters long", "at most 128")
    nothing_written(kinde)


def test_import_with_a_bogus_id_for_an_address_already_in_state(work: Workdir, kinde: Kinde, count: None) -> None:
    args = work.ws_args(OK)
    work.apply(OK)
    store = StateStore.open(work.root / "dev.db", workspace="dev")
    before = (store.serial, store.resources())
    result = work.run("import", *args, "role.r=bogus-id")
    assert result.exit_code == 1
    one_error(result.stderr, "role.r is already managed", "no live role has id bogus-id")
    other = next(p["id"] for p in kinde.list("/api/v1/permissions", "permissions"))
    result = work.run("import", *args, f"role.r={other}")
    assert result.exit_code == 1
    one_error(result.stderr, "role.r is already managed", f"no live role has id {other}")
    assert "0 objects adopted" not in result.output
    assert (store.serial, store.resources()) == before
    store.close()
