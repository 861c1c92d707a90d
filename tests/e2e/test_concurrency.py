"""Two runs on one workspace: the lock, --lock-timeout, force-unlock of a killed holder; plans of
different workspaces side by side. Real processes, synchronised on their output, never on sleeps."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from e2e_harness import Kinde, Workdir

from kinde_iac.state import StateStore

CONFIG = {"kinde": {"environment": "development"}, "permissions": [{"key": "p1", "name": "P1"}]}
HOLDER = """
import sys
from kinde_iac.state import StateStore
store = StateStore.open(sys.argv[1], workspace="dev", create=True)
lock = store.acquire_lock("apply")
print(lock.id, flush=True)
sys.stdin.read()
"""


def cli(work: Workdir, *args: str, code: str = "development") -> subprocess.Popen:
    env = {**os.environ, **work.kinde.env(code)}
    return subprocess.Popen([sys.executable, "-m", "kinde_iac", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_second_apply_fails_at_once_naming_the_holder(work: Workdir, kinde: Kinde) -> None:
    args = work.ws_args(CONFIG)
    store = StateStore.open(work.root / "dev.db", workspace="dev", create=True)
    lock = store.acquire_lock("apply", who="alice")
    result = work.run("apply", *args, "--auto-approve")
    assert result.exit_code == 1
    for part in ("locked by alice@", f"pid {os.getpid()}", lock.since, lock.id, "force-unlock"):
        assert part in result.stderr
    assert kinde.list("/api/v1/permissions", "permissions") == []

    waiting = cli(work, "apply", *args, "--auto-approve", "--lock-timeout", "60")
    assert waiting.stderr is not None
    first = waiting.stderr.readline()
    assert "Waiting up to 60s for the state lock" in first
    store.release_lock(lock.id)
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, out + err
    assert [p["key"] for p in kinde.list("/api/v1/permissions", "permissions")] == ["p1"]


def test_force_unlock_releases_the_lock_of_a_killed_run(work: Workdir, kinde: Kinde) -> None:
    args = work.ws_args(CONFIG)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(work.root / "dev.db")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    lock_id = holder.stdout.readline().strip()
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    result = work.run("apply", *args, "--auto-approve")
    assert result.exit_code == 1 and lock_id in result.stderr and "no longer running" in result.stderr
    wrong = work.run("force-unlock", *args, "not-the-id")
    assert wrong.exit_code == 1 and lock_id in wrong.stderr
    result = work.run("force-unlock", *args, lock_id)
    assert result.exit_code == 0 and f"Released lock {lock_id}" in result.output
    work.apply(CONFIG)


def test_plans_of_different_workspaces_run_side_by_side(work: Workdir, kinde: Kinde) -> None:
    staging = {**CONFIG, "kinde": {"environment": "staging"}}
    work.apply(CONFIG)
    work.apply(staging, name="staging", code="staging")
    procs = [cli(work, "plan", *work.ws_args(CONFIG), "--detailed-exitcode"),
             cli(work, "plan", *work.ws_args(staging, "staging"), "--detailed-exitcode", code="staging")]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, out + err
        assert "No changes." in out


def test_state_commands_show_resources_and_the_journal(work: Workdir, kinde: Kinde) -> None:
    args = work.ws_args(CONFIG)
    work.apply(CONFIG)
    listed = work.run("state", "list", *args)
    assert listed.exit_code == 0 and listed.output.startswith("permission.p1\tperm_")
    shown = json.loads(work.run("state", "show", *args, "permission.p1").output)
    assert shown["attributes"]["name"] == "P1"
    journal = work.run("state", "journal", *args)
    assert "permission.p1\tcreate\tok" in journal.output
    assert oct(Path(work.root / "dev.db").stat().st_mode & 0o777) == "0o600"
