"""Stale SQLite locks: a holder that tied its lock to its process is taken over once this host
proves the process gone (pid unused, or reused by a process with another start time); anything
this host cannot prove keeps needing force-unlock."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from state_helpers import resource

from kinde_iac.errors import LockError
from kinde_iac.state import StateStore, process
from kinde_iac.state.lock import current_host

pytestmark = pytest.mark.skipif(process.token() is None, reason="needs /proc")

WHEN = "2025-01-01T10:00:00.000+00:00"


def no_poll(seconds: float) -> None:
    raise AssertionError(f"should not wait (asked to sleep {seconds})")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(10)
    return child.pid


def test_liveness_of_this_process_a_dead_one_and_a_reused_pid() -> None:
    mine = process.token()
    assert mine is not None
    assert process.liveness(os.getpid(), mine) is process.Liveness.ALIVE
    pid = dead_pid()
    assert process.liveness(pid, mine.rsplit("/", 1)[0] + "/12345") is process.Liveness.GONE
    # Our pid, but a token with another start time: the pid was reused, the recorder is gone.
    context, _, ticks = mine.rpartition("/")
    assert process.liveness(os.getpid(), f"{context}/{int(ticks) + 1}") is process.Liveness.GONE


@pytest.mark.parametrize("recorded", [None, "", "other-boot/pid:[1]/5", "garbage"])
def test_what_this_host_cannot_judge_is_unknown(recorded: str | None) -> None:
    assert process.liveness(dead_pid(), recorded) is process.Liveness.UNKNOWN


def plant_lock(path: Path, *, pid: int, token: str | None, host: str | None = None) -> None:
    """A lock row as a killed run leaves it (with the process token a tied lock records)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO lock VALUES (1, 'dead-run', 'apply', 'alice', ?, ?, ?)",
                     (host or current_host(), pid, WHEN))
        conn.execute("INSERT INTO applies VALUES ('apply-1', 'alice', 'h', ?, 'dead-run', ?, NULL, 'running', '{}')",
                     (pid, WHEN))
        if token is not None:
            conn.execute("INSERT INTO meta VALUES ('lock_process', ?)", (f"dead-run {token}",))
    conn.close()


@pytest.fixture
def born(state_path: Path) -> Path:
    StateStore.open(state_path, workspace="staging", create=True).close()
    return state_path


def test_a_tied_lock_of_a_dead_process_is_taken_over_with_a_note(born: Path) -> None:
    pid = dead_pid()
    plant_lock(born, pid=pid, token=process.token().rsplit("/", 1)[0] + "/777")  # type: ignore[union-attr]
    store = StateStore.open(born, workspace="staging")
    notes: list[str] = []
    info = store.acquire_lock("apply", poll=no_poll, on_note=notes.append)
    assert info.id != "dead-run"
    expected = (f"Took over the state lock dead-run of alice@{current_host()} pid {pid} (apply, since {WHEN}): "
                f"process {pid} is no longer running on this host. Its unfinished steps are reconciled by "
                f"this run's plan.")
    assert notes == [expected]
    status = sqlite3.connect(born).execute("SELECT status FROM applies WHERE id = 'apply-1'").fetchone()
    assert status == ("interrupted",)
    store.close()


def test_a_tied_lock_whose_pid_now_belongs_to_another_process_is_taken_over(born: Path) -> None:
    context, _, ticks = process.token().rpartition("/")  # type: ignore[union-attr]
    plant_lock(born, pid=os.getpid(), token=f"{context}/{int(ticks) - 1}")
    store = StateStore.open(born, workspace="staging")
    notes: list[str] = []
    store.acquire_lock("apply", poll=no_poll, on_note=notes.append)
    assert len(notes) == 1 and f"process {os.getpid()} is no longer running" in notes[0]
    store.close()


@pytest.mark.parametrize("case", ["untied", "other host", "alive", "other boot"])
def test_a_holder_not_proven_gone_still_needs_force_unlock(born: Path, case: str) -> None:
    mine = process.token()
    assert mine is not None
    pid, token, host = dead_pid(), mine.rsplit("/", 1)[0] + "/777", None
    if case == "untied":
        token = None
    elif case == "other host":
        host = "build-7"
    elif case == "alive":
        pid, token = os.getpid(), mine
    else:
        token = "another-boot/pid:[4026531836]/777"
    plant_lock(born, pid=pid, token=token, host=host)
    store = StateStore.open(born, workspace="staging")
    with pytest.raises(LockError, match="dead-run"):
        store.acquire_lock("apply", poll=no_poll, on_note=lambda note: pytest.fail(note))
    with pytest.raises(LockError):
        store.put(resource("a"))
    store.force_unlock("dead-run")
    store.acquire_lock("apply", poll=no_poll)
    store.close()
