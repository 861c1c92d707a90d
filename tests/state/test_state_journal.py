"""The apply journal (intent before each call, result after it) and the apply history."""
from __future__ import annotations

from pathlib import Path

import pytest
from state_helpers import history, resource

from kinde_iac.errors import StateError
from kinde_iac.state import StateStore
from kinde_iac.state.sqlite.resources import SqliteMeta


def test_intent_then_result_with_put(store: StateStore) -> None:
    apply_id = store.begin_apply(who="ci", summary={"add": 1})
    entry_id = store.journal_intent(apply_id, "role.admin", "create", "POST", "/api/v1/roles")
    (open_entry,) = store.open_intents()
    assert open_entry.id == entry_id
    assert (open_entry.finished_at, open_entry.outcome) == (None, None)
    assert store.serial == 0

    store.journal_result(entry_id, outcome="ok", detail="201", kinde_id="role_1", put=resource("admin"))

    assert store.open_intents() == []
    assert store.get("role.admin") is not None
    assert store.serial == 1
    (entry,) = store.journal(apply_id)
    assert (entry.apply_id, entry.address, entry.action, entry.method, entry.path) == (
        apply_id,
        "role.admin",
        "create",
        "POST",
        "/api/v1/roles",
    )
    assert (entry.outcome, entry.detail, entry.kinde_id) == ("ok", "201", "role_1")
    assert entry.finished_at is not None and entry.started_at <= entry.finished_at


def test_result_and_resource_row_are_one_transaction(store: StateStore, monkeypatch: pytest.MonkeyPatch) -> None:
    apply_id = store.begin_apply(who="ci")
    entry_id = store.journal_intent(apply_id, "role.admin", "create", "POST", "/api/v1/roles")

    def crash(self: SqliteMeta) -> None:
        raise RuntimeError("killed after the resource row was written")

    # Fail at the last step of the transaction: the result and the row must vanish with it.
    monkeypatch.setattr(SqliteMeta, "bump_serial", crash)
    with pytest.raises(RuntimeError):
        store.journal_result(entry_id, outcome="ok", kinde_id="role_1", put=resource("admin"))
    monkeypatch.undo()

    assert store.get("role.admin") is None
    assert [e.id for e in store.open_intents()] == [entry_id]
    assert store.serial == 0


def test_result_with_remove_and_replacement(store: StateStore) -> None:
    store.put(resource("old"))
    apply_id = store.begin_apply(who="ci")
    delete = store.journal_intent(apply_id, "role.old", "delete", "DELETE", "/api/v1/roles/id_old")
    store.journal_result(delete, outcome="ok", remove="role.old")
    assert store.get("role.old") is None
    assert store.serial == 2

    store.put(resource("api"))
    replace = store.journal_intent(apply_id, "role.api", "replace", "POST", "/api/v1/roles")
    store.journal_result(replace, outcome="ok", remove="role.api", put=resource("api", name="New"))
    assert store.get("role.api").attributes == {"name": "New"}  # type: ignore[union-attr]
    assert store.serial == 4  # one per transaction


def test_failed_result_without_state_change_keeps_serial(store: StateStore) -> None:
    apply_id = store.begin_apply(who="ci")
    entry_id = store.journal_intent(apply_id, "role.admin", "create", "POST", "/api/v1/roles")
    store.journal_result(entry_id, outcome="failed", detail="HTTP 400 INVALID_KEY")
    assert store.serial == 0
    assert store.journal()[0].outcome == "failed"


def test_dangling_intent_of_a_killed_run_is_found_after_reopen(state_path: Path) -> None:
    run = StateStore.open(state_path, workspace="staging", create=True)
    apply_id = run.begin_apply(who="ci")
    done = run.journal_intent(apply_id, "role.a", "create", "POST", "/api/v1/roles")
    run.journal_result(done, outcome="ok", kinde_id="id_a", put=resource("a"))
    first = run.journal_intent(apply_id, "role.b", "create", "POST", "/api/v1/roles")
    second = run.journal_intent(apply_id, "role.c", "update", "PATCH", "/api/v1/roles/id_c")
    run.close()  # the run "dies": no results for b and c

    nxt = StateStore.open(state_path, workspace="staging")
    dangling = nxt.open_intents()
    assert [(e.id, e.address) for e in dangling] == [(first, "role.b"), (second, "role.c")]
    assert nxt.get("role.b") is None  # nothing recorded for a call whose outcome is unknown
    # The next run closes them once it has looked at Kinde.
    nxt.journal_result(first, outcome="ambiguous", detail="adopted by natural key", put=resource("b"))
    nxt.journal_result(second, outcome="ambiguous", detail="re-planned")
    assert nxt.open_intents() == []
    nxt.close()


def test_result_validation(store: StateStore) -> None:
    apply_id = store.begin_apply(who="ci")
    entry_id = store.journal_intent(apply_id, "role.a", "create", "POST", "/api/v1/roles")
    with pytest.raises(StateError, match="outcome"):
        store.journal_result(entry_id, outcome="maybe")
    with pytest.raises(StateError, match="no journal entry"):
        store.journal_result(entry_id + 100, outcome="ok")
    store.journal_result(entry_id, outcome="ok")
    with pytest.raises(StateError, match="already has a result"):
        store.journal_result(entry_id, outcome="ok", put=resource("a"))
    assert store.get("role.a") is None
    with pytest.raises(StateError, match="no apply"):
        store.journal_intent("not-an-apply", "role.a", "create", "POST", "/api/v1/roles")


def test_journal_defaults_to_the_last_apply(store: StateStore) -> None:
    first = store.begin_apply(who="ci")
    store.journal_intent(first, "role.a", "create", "POST", "/api/v1/roles")
    second = store.begin_apply(who="ci")
    b = store.journal_intent(second, "role.b", "create", "POST", "/api/v1/roles")
    c = store.journal_intent(second, "role.c", "create", "POST", "/api/v1/roles")
    assert [e.id for e in store.journal()] == [b, c]
    assert [e.address for e in store.journal(first)] == ["role.a"]
    assert store.journal("unknown") == []


def test_apply_history(state_path: Path, store: StateStore) -> None:
    first = store.begin_apply(who="alice", summary={"planned": {"add": 2}})
    store.end_apply(first, status="success", summary={"add": 2, "change": 0})
    second = store.begin_apply(who="bob")
    applies = history(state_path)
    assert [h["id"] for h in applies] == [first, second]
    done, running = applies
    assert done["who"] == "alice"
    assert done["status"] == "success"
    assert done["summary"] == {"add": 2, "change": 0}
    assert done["finished_at"] is not None and done["started_at"] <= done["finished_at"]
    assert running["who"] == "bob"
    assert (running["status"], running["finished_at"], running["summary"]) == ("running", None, {})
    with pytest.raises(StateError, match="no apply"):
        store.end_apply("unknown", status="failed", summary={})


def test_history_does_not_move_the_serial(store: StateStore) -> None:
    apply_id = store.begin_apply(who="ci")
    store.journal_intent(apply_id, "role.a", "create", "POST", "/api/v1/roles")
    store.end_apply(apply_id, status="failed", summary={})
    assert store.serial == 0
