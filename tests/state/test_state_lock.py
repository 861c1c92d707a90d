"""The workspace lock: one holder at a time, across threads and processes; force-unlock."""
from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from state_helpers import history, lock_holder, resource

from kinde_iac.errors import LockError, StateError
from kinde_iac.state import LockInfo, StateStore

Spawn = Callable[..., "subprocess.Popen[str]"]


def no_poll(seconds: float) -> None:
    raise AssertionError(f"should not wait (asked to sleep {seconds})")


def test_acquire_records_holder(state_path: Path, store: StateStore) -> None:
    info = store.acquire_lock("apply")
    assert info.operation == "apply"
    assert info.pid == os.getpid()
    assert info.host and info.who and info.since.endswith("+00:00")
    assert lock_holder(state_path) == info
    store.release_lock(info.id)
    assert lock_holder(state_path) is None


def test_who_can_be_given(store: StateStore) -> None:
    assert store.acquire_lock("apply", who="ci-bot").who == "ci-bot"


def test_second_acquire_fails_with_holder_details(state_path: Path, store: StateStore) -> None:
    held = store.acquire_lock("apply")
    other = StateStore.open(state_path, workspace="staging")
    with pytest.raises(LockError) as err:
        other.acquire_lock("plan", poll=no_poll)
    message = str(err.value)
    for part in (held.who, held.host, str(held.pid), held.since, held.id, "(apply)"):
        assert part in message
    assert f"`kinde-iac force-unlock {held.id}`" in message
    assert message.startswith(f"state is locked by {held.who}@{held.host} pid {held.pid} since {held.since}")
    # The same store cannot take it twice either.
    with pytest.raises(LockError):
        store.acquire_lock("apply")
    other.close()


def test_timeout_counts_poll_intervals_then_gives_up(state_path: Path, store: StateStore) -> None:
    store.acquire_lock("apply")
    other = StateStore.open(state_path, workspace="staging")
    waits: list[float] = []
    with pytest.raises(LockError):
        other.acquire_lock("apply", timeout=1.0, poll=waits.append)
    assert waits == pytest.approx([0.2] * 5)
    other.close()


def test_waiter_gets_the_lock_when_another_thread_releases_it(state_path: Path, store: StateStore) -> None:
    held = store.acquire_lock("apply")
    waiting = threading.Event()
    released = threading.Event()
    done: list[bool] = []

    def holder() -> None:
        try:
            assert waiting.wait(10)
            store.release_lock(held.id)
            done.append(True)
        finally:
            released.set()  # even on failure, so the waiter is not left blocked

    def poll(seconds: float) -> None:
        # First wait: tell the holder we are blocked, then let it release before we retry.
        waiting.set()
        assert released.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    waiter = StateStore.open(state_path, workspace="staging")
    got = waiter.acquire_lock("apply", timeout=30, poll=poll)
    thread.join(10)
    assert done == [True]
    assert got.id != held.id
    assert lock_holder(state_path) == got
    waiter.close()


def test_release_is_by_id(state_path: Path, store: StateStore) -> None:
    store.release_lock("nothing-held")  # not locked: nothing to do
    held = store.acquire_lock("apply")
    with pytest.raises(LockError, match=held.id):
        store.release_lock("someone-elses-id")
    assert lock_holder(state_path) == held
    store.release_lock(held.id)
    store.release_lock(held.id)  # already gone (e.g. force-unlocked): fine


def test_force_unlock(state_path: Path, store: StateStore) -> None:
    held = store.acquire_lock("apply")
    admin = StateStore.open(state_path, workspace="staging")
    with pytest.raises(StateError) as err:
        admin.force_unlock("wrong-id")
    assert held.id in str(err.value) and "wrong-id" in str(err.value)
    assert lock_holder(state_path) == held

    assert admin.force_unlock(held.id) == held
    assert lock_holder(state_path) is None
    with pytest.raises(StateError, match="not locked"):
        admin.force_unlock(held.id)
    assert admin.acquire_lock("apply", poll=no_poll).id != held.id
    admin.close()


def test_force_unlock_on_a_missing_state_says_not_locked(tmp_path: Path) -> None:
    view = StateStore.open(tmp_path / "none.db", workspace="dev")
    with pytest.raises(StateError, match="not locked"):
        view.force_unlock("abc")
    assert not (tmp_path / "none.db").exists()


def test_force_unlock_marks_the_dead_apply_interrupted(state_path: Path, store: StateStore) -> None:
    held = store.acquire_lock("apply")
    apply_id = store.begin_apply(who="ci")
    admin = StateStore.open(state_path, workspace="staging")
    admin.force_unlock(held.id)
    (entry,) = history(state_path)
    assert (entry["id"], entry["status"]) == (apply_id, "interrupted")
    admin.close()


def test_writes_are_refused_while_another_run_holds_the_lock(state_path: Path, store: StateStore) -> None:
    held = store.acquire_lock("apply")
    store.put(resource("mine"))  # the holder writes freely
    intruder = StateStore.open(state_path, workspace="staging")
    with pytest.raises(LockError, match=held.id):
        intruder.put(resource("theirs"))
    with pytest.raises(LockError):
        intruder.begin_apply(who="intruder")
    assert intruder.get("role.theirs") is None
    assert intruder.serial == 1
    store.release_lock(held.id)
    intruder.put(resource("theirs"))
    intruder.close()


def test_lock_on_an_empty_view_creates_the_state(tmp_path: Path) -> None:
    path = tmp_path / "state" / "dev.db"
    view = StateStore.open(path, workspace="dev")
    view.acquire_lock("apply")
    assert path.exists()
    view.close()


HOLD_LOCK = """
    import sys
    from kinde_iac.state import StateStore
    store = StateStore.open(sys.argv[1], workspace="staging")
    info = store.acquire_lock("apply")
    print(info.id, flush=True)
    if sys.stdin.readline().strip() == "release":
        store.release_lock(info.id)
    print("done", flush=True)
"""


def test_lock_held_by_another_process_fails_at_once(state_path: Path, store: StateStore, spawn: Spawn) -> None:
    child = spawn(HOLD_LOCK, str(state_path))
    lock_id = child.stdout.readline().strip()  # type: ignore[union-attr]
    assert lock_id, child.stderr.read()  # type: ignore[union-attr]

    with pytest.raises(LockError) as err:
        store.acquire_lock("apply", poll=no_poll)
    assert f"pid {child.pid}" in str(err.value)
    assert lock_id in str(err.value)
    assert "no longer running" not in str(err.value)

    child.stdin.write("release\n")  # type: ignore[union-attr]
    child.stdin.flush()  # type: ignore[union-attr]
    assert child.stdout.readline().strip() == "done"  # type: ignore[union-attr]
    assert child.wait(10) == 0
    store.acquire_lock("apply", poll=no_poll)


def test_lock_of_a_dead_process_names_it_and_can_be_forced(
    state_path: Path, store: StateStore, spawn: Spawn
) -> None:
    child = spawn(HOLD_LOCK, str(state_path))
    lock_id = child.stdout.readline().strip()  # type: ignore[union-attr]
    child.kill()
    child.wait(10)
    with pytest.raises(LockError) as err:
        store.acquire_lock("apply", poll=no_poll)
    assert f"process {child.pid} is no longer running" in str(err.value)
    info = store.force_unlock(lock_id)
    assert isinstance(info, LockInfo) and info.pid == child.pid
    store.acquire_lock("apply", poll=no_poll)


RACE = """
    import sys
    from kinde_iac.errors import LockError
    from kinde_iac.state import StateStore
    store = StateStore.open(sys.argv[1], workspace="staging")
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    try:
        store.acquire_lock("apply")
        print("won", flush=True)
    except LockError:
        print("lost", flush=True)
    sys.stdin.readline()  # keep the lock until every racer has tried
"""


def test_exactly_one_of_several_racing_processes_gets_the_lock(
    state_path: Path, store: StateStore, spawn: Spawn
) -> None:
    racers = [spawn(RACE, str(state_path)) for _ in range(6)]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready", racer.stderr.read()  # type: ignore[union-attr]
    for racer in racers:
        racer.stdin.write("go\n")  # type: ignore[union-attr]
        racer.stdin.flush()  # type: ignore[union-attr]
    results = [racer.stdout.readline().strip() for racer in racers]  # type: ignore[union-attr]
    assert sorted(results) == ["lost"] * 5 + ["won"], [r.stderr.read() for r in racers]  # type: ignore[union-attr]
    for racer in racers:
        racer.stdin.close()  # type: ignore[union-attr]
        assert racer.wait(10) == 0

