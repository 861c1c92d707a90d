"""SQLite state writes (issue 19): one transaction per store write, a handful of prepared plain
statements per journal step (no schema look-ups), and ``synchronous=NORMAL`` on the WAL file."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from state_helpers import resource

from kinde_iac.state import StateStore


def connection(store: StateStore) -> sqlite3.Connection:
    conn = store._backend._db  # type: ignore[attr-defined]
    assert isinstance(conn, sqlite3.Connection)
    return conn


def traced(store: StateStore) -> list[str]:
    statements: list[str] = []
    connection(store).set_trace_callback(statements.append)
    return statements


def test_a_journalled_step_is_two_short_transactions_without_schema_lookups(state_path: Path) -> None:
    store = StateStore.open(state_path, workspace="staging", create=True)
    lock = store.acquire_lock("apply")
    apply_id = store.begin_apply(who="ci")
    store.put(resource("warm"))
    statements = traced(store)

    entry = store.journal_intent(apply_id, "role.a", "create", "", "")
    intent = list(statements)
    statements.clear()
    store.journal_result(entry, outcome="ok", kinde_id="id_a", put=resource("a"))
    result = list(statements)

    for step in (intent, result):
        assert step[0] == "BEGIN IMMEDIATE" and step[-1] == "COMMIT"
        assert sum(s.startswith("BEGIN") for s in step) == 1  # one transaction per store write
        assert not [s for s in step if "sqlite_master" in s or s.upper().startswith("PRAGMA")]
    print(f"\nSQLite statements per step: intent {len(intent)}, result {len(result)}")
    # intent: BEGIN, the layout check, the lock check, the insert (which checks the apply), COMMIT;
    # result: the same around closing the entry (which checks it is open), the row, the serial.
    assert len(intent) <= 5 and len(result) <= 7, (intent, result)
    store.release_lock(lock.id)
    store.close()


def test_the_wal_file_commits_with_synchronous_normal(state_path: Path) -> None:
    store = StateStore.open(state_path, workspace="staging", create=True)
    conn = connection(store)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    store.close()
    reopened = StateStore.open(state_path, workspace="staging")
    assert connection(reopened).execute("PRAGMA synchronous").fetchone() == (1,)
    reopened.close()


def test_a_file_in_another_journal_mode_keeps_full_sync(state_path: Path) -> None:
    StateStore.open(state_path, workspace="staging", create=True).close()
    conn = sqlite3.connect(state_path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    store = StateStore.open(state_path, workspace="staging")
    assert connection(store).execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    store.close()
