"""A process SIGKILLed in the middle of writing leaves a consistent state file.

The child writes as fast as it can and reports progress; the parent kills it at an arbitrary
moment after some writes have landed, so the kill usually lands inside a transaction.
"""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from state_helpers import history, lock_holder, resource

from kinde_iac.state import StateStore

Spawn = Callable[..., "subprocess.Popen[str]"]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

PUT_LOOP = """
    import sys
    from kinde_iac.state import StateResource, StateStore
    store = StateStore.open(sys.argv[1], workspace="staging", create=True)
    for i in range(1_000_000):
        # Big enough rows that a write spans several pages.
        attributes = {"index": i, "name": f"Role {i}", "permissions": [f"perm:{i}:{n}" for n in range(200)]}
        store.put(StateResource(f"role.r{i}", "role", f"r{i}", f"id_{i}", (f"r{i}",), attributes))
        print(i, flush=True)
"""

JOURNAL_LOOP = """
    import sys
    from kinde_iac.state import StateResource, StateStore
    store = StateStore.open(sys.argv[1], workspace="staging", create=True)
    lock = store.acquire_lock("apply")
    apply_id = store.begin_apply(who="ci")
    for i in range(1_000_000):
        entry = store.journal_intent(apply_id, f"role.r{i}", "create", "POST", "/api/v1/roles")
        resource = StateResource(f"role.r{i}", "role", f"r{i}", f"id_{i}", (f"r{i}",), {"index": i})
        store.journal_result(entry, outcome="ok", kinde_id=f"id_{i}", put=resource)
        print(i, flush=True)
"""


def kill_after(child: subprocess.Popen[str], writes: int) -> None:
    for line in child.stdout:  # type: ignore[union-attr]
        if int(line) + 1 >= writes:
            break
    else:
        pytest.fail(f"child stopped early: {child.stderr.read()}")  # type: ignore[union-attr]
    child.send_signal(signal.SIGKILL)
    assert child.wait(10) == -signal.SIGKILL


def assert_sqlite_integrity(path: Path) -> None:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()


@pytest.mark.parametrize("writes", [1, 25, 150])
def test_killed_during_puts(state_path: Path, spawn: Spawn, writes: int) -> None:
    kill_after(spawn(PUT_LOOP, str(state_path)), writes)

    assert_sqlite_integrity(state_path)
    store = StateStore.open(state_path, workspace="staging")
    rows = store.resources()
    assert len(rows) >= writes
    assert store.serial == len(rows)
    # Written in order, so what survived is exactly r0..r(n-1), each complete.
    assert set(rows) == {f"role.r{i}" for i in range(len(rows))}
    for i in range(len(rows)):
        res = rows[f"role.r{i}"]
        assert res.attributes["index"] == i
        assert res.attributes["permissions"] == [f"perm:{i}:{n}" for n in range(200)]
        assert res.kinde_id == f"id_{i}"
    # And the state keeps working.
    store.put(resource("after-the-kill"))
    assert store.serial == len(rows) + 1
    store.close()


@pytest.mark.parametrize("writes", [1, 40])
def test_killed_during_journalled_apply(state_path: Path, spawn: Spawn, writes: int) -> None:
    kill_after(spawn(JOURNAL_LOOP, str(state_path)), writes)

    assert_sqlite_integrity(state_path)
    store = StateStore.open(state_path, workspace="staging")
    rows = store.resources()
    entries = store.journal()
    done = [e for e in entries if e.outcome == "ok"]
    # Every recorded result carries its resource row and vice versa.
    assert store.serial == len(rows) == len(done) >= writes
    assert {e.address for e in done} == set(rows)
    for row in rows.values():
        assert json.dumps(row.attributes)
    # At most the one call in flight is left open, and it left no resource behind.
    dangling = store.open_intents()
    assert len(dangling) <= 1
    assert all(e.address not in rows for e in dangling)
    # The dead run still holds the lock; the next run sees it and can break it.
    lock = lock_holder(state_path)
    assert lock is not None
    store.force_unlock(lock.id)
    assert history(state_path)[-1]["status"] == "interrupted"
    store.close()
