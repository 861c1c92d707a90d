"""The state backend contract: every test here runs against SQLite and against PostgreSQL (the
``place`` fixture), as Terraform runs one suite over its backends. Processes are real and are
synchronised on their output, never on sleeps."""
from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pg_support
import pytest
from backend_places import Place, sqlite_place
from state_helpers import resource

from kinde_iac.errors import LockError, StateError
from kinde_iac.state import StateResource, StateStore
from kinde_iac.state.identity import StateIdentity

Spawn = Callable[..., "subprocess.Popen[str]"]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def no_poll(seconds: float) -> None:
    raise AssertionError(f"should not wait (asked to sleep {seconds})")


def forget(store: StateStore, address: str) -> None:
    apply_id = store.begin_apply(who="test")
    store.journal_result(store.journal_intent(apply_id, address, "forget", "", ""), outcome="ok", remove=address)


# ---------------------------------------------------------------------------- create / read / update


def test_an_unborn_state_reads_empty_and_reading_creates_nothing(place: Place) -> None:
    view = place.open()
    assert (view.born, view.lineage, view.serial, view.resources(), view.journal()) == (False, "", 0, {}, [])
    assert view.open_intents() == [] and view.identity() is None
    view.close()
    again = place.open()
    assert again.born is False
    again.close()


def test_create_read_update_and_remove(place: Place) -> None:
    store = place.open(create=True, domain="acme.kinde.com")
    assert store.born and len(store.lineage) == 36 and store.serial == 0
    nested = {"name": "Admin", "limits": {"deep": [1, 2.5, None, True, {"k": "ü"}]}}
    original = StateResource("api_scope.orders/read", "api_scope", "orders/read", "scope_1",
                             ("https://orders.test", "read"), nested, depends_on=("api.orders",), protect=True)
    store.put(original)
    for key in ("zeta", "alpha", "a-b", "a_b", "Mid"):
        store.put(resource(key))
    store.put(resource("alpha", name="Alpha v2"))
    got = store.get("api_scope.orders/read")
    assert got is not None and got == attrs.evolve(original, updated_at=got.updated_at)
    assert got.updated_at.endswith("+00:00")
    everything = store.resources()
    # Address order is byte order on every backend (no locale collation).
    assert list(everything) == sorted(everything)
    assert everything["role.alpha"].attributes == {"name": "Alpha v2"}
    assert store.get("role.none") is None
    forget(store, "role.zeta")
    assert store.get("role.zeta") is None
    assert store.serial == 8
    store.close()


def test_serial_counts_resource_writes_only_and_lineage_is_fixed(place: Place) -> None:
    store = place.open(create=True)
    lineage = store.lineage
    store.put(resource("a"))
    store.put(resource("b"))
    forget(store, "role.b")
    forget(store, "role.never-there")  # removed nothing: not a write
    store.release_lock(store.acquire_lock("apply").id)  # not a resource write either
    apply_id = store.begin_apply(who="ci")
    store.journal_result(store.journal_intent(apply_id, "role.c", "create", "", ""), outcome="failed")
    assert store.serial == 3
    other = place.open()
    assert (other.lineage, other.serial) == (lineage, 3)  # read fresh by another handle
    other.put(resource("d"))
    assert store.serial == 4
    other.close()
    store.close()


def test_a_failed_transaction_leaves_no_trace(place: Place) -> None:
    store = place.open(create=True)
    apply_id = store.begin_apply(who="ci")
    entry = store.journal_intent(apply_id, "role.a", "create", "", "")
    with pytest.raises(StateError, match="role.bad"):
        store.journal_result(entry, outcome="ok", put=resource("bad", weight=float("nan")))
    with pytest.raises(StateError, match="outcome"):
        store.journal_result(entry, outcome="maybe")
    with pytest.raises(StateError, match="no apply"):
        store.journal_intent("not-an-apply", "role.a", "create", "", "")
    store.journal_result(entry, outcome="ok", put=resource("a"))
    with pytest.raises(StateError, match="already has a result"):
        store.journal_result(entry, outcome="ok", put=resource("b"))
    assert set(store.resources()) == {"role.a"} and store.serial == 1
    # The refused intent added no entry, and the refused second result changed none.
    assert [(e.address, e.outcome) for e in store.journal(apply_id)] == [("role.a", "ok")]
    assert store.open_intents() == []
    store.close()


def test_journal_and_history(place: Place) -> None:
    store = place.open(create=True)
    first = store.begin_apply(who="alice", summary={"add": 1})
    a = store.journal_intent(first, "role.a", "create", "POST", "/api/v1/roles")
    store.journal_result(a, outcome="ok", detail="201", kinde_id="id_a", put=resource("a"))
    store.end_apply(first, status="success", summary={"add": 1})
    second = store.begin_apply(who="bob")
    b = store.journal_intent(second, "role.b", "create", "", "")
    c = store.journal_intent(second, "role.c", "delete", "", "")
    assert b < c
    assert [(e.id, e.address, e.outcome) for e in store.journal()] == [(b, "role.b", None), (c, "role.c", None)]
    (entry,) = store.journal(first)
    assert (entry.outcome, entry.detail, entry.kinde_id, entry.method) == ("ok", "201", "id_a", "POST")
    assert [e.id for e in store.open_intents()] == [b, c]
    store.close()


def test_identity_is_recorded_by_the_first_write_and_a_mismatch_is_refused(place: Place) -> None:
    store = place.open()
    live = StateIdentity(domain="acme.kinde.com", environment="development")
    asked: list[str] = []

    def business() -> str:
        asked.append("business")
        return "bus_acme"

    store.claim_identity(live, business)  # unborn: nothing to compare, Kinde not asked
    assert asked == [] and store.identity() is None
    store.put(resource("a"))
    assert store.identity() == live
    store.close()

    store = place.open()
    store.claim_identity(live, business)  # born without a business: asked once, recorded by the next write
    assert asked == ["business"]
    store.put(resource("b"))
    assert store.identity() == StateIdentity("bus_acme", "acme.kinde.com", "development")
    store.claim_identity(live, business)  # same domain: the recorded business is trusted, no request
    assert asked == ["business"]

    other = StateIdentity(domain="evil.kinde.com", environment="development")
    with pytest.raises(StateError) as err:
        store.claim_identity(other, lambda: "bus_evil")
    for part in ("bus_acme", "acme.kinde.com", "bus_evil", "evil.kinde.com", "refusing"):
        assert part in str(err.value)
    with pytest.raises(StateError, match="environment differ"):
        store.claim_identity(attrs.evolve(live, environment="production"), lambda: "bus_acme")
    assert store.identity() == StateIdentity("bus_acme", "acme.kinde.com", "development")
    store.close()


# ---------------------------------------------------------------------------- locks across processes

HOLD_LOCK = """
    import sys
    from kinde_iac.state import StateStore
    store = StateStore.open(sys.argv[1], workspace="staging")
    info = store.acquire_lock("apply", tie_to_process=sys.argv[2] == "tied")
    apply_id = store.begin_apply(who="ci")
    entry = store.journal_intent(apply_id, "role.a", "create", "", "")
    print(info.id, apply_id, entry, flush=True)
    if sys.stdin.readline().strip() == "release":
        store.release_lock(info.id)
    print("done", flush=True)
"""


def start_holder(spawn: Spawn, place: Place, tied: bool = True) -> tuple[subprocess.Popen[str], str, str, int]:
    child = spawn(HOLD_LOCK, place.location, "tied" if tied else "untied")
    line = child.stdout.readline().split()  # type: ignore[union-attr]
    assert line, child.stderr.read()  # type: ignore[union-attr]
    return child, line[0], line[1], int(line[2])


def test_a_live_holder_in_another_process_excludes_at_once(place: Place, spawn: Spawn) -> None:
    place.open(create=True).close()
    child, lock_id, _, _ = start_holder(spawn, place)
    store = place.open()
    with pytest.raises(LockError) as err:
        store.acquire_lock("apply", poll=no_poll)
    assert f"pid {child.pid}" in str(err.value) and lock_id in str(err.value)
    with pytest.raises(LockError, match=lock_id):
        store.put(resource("intruder"))
    child.stdin.write("release\n")  # type: ignore[union-attr]
    child.stdin.flush()  # type: ignore[union-attr]
    assert child.stdout.readline().strip() == "done"  # type: ignore[union-attr]
    assert child.wait(10) == 0
    assert store.acquire_lock("apply", poll=no_poll).id != lock_id
    store.close()


def test_a_holder_killed_by_sigkill_is_taken_over_with_a_note(place: Place, spawn: Spawn) -> None:
    place.open(create=True).close()
    child, lock_id, apply_id, entry = start_holder(spawn, place)
    child.send_signal(signal.SIGKILL)
    assert child.wait(10) == -signal.SIGKILL

    store = place.open()
    notes: list[str] = []
    info = store.acquire_lock("apply", poll=no_poll, on_note=notes.append)
    assert info.id != lock_id
    (note,) = notes
    assert lock_id in note and f"pid {child.pid}" in note
    reason = "its database session is gone" if place.is_postgres else f"process {child.pid} is no longer running"
    assert reason in note
    # The dead run's apply is interrupted; its step in flight is left for the next plan to reconcile.
    assert [e.id for e in store.open_intents()] == [entry]
    store.put(resource("after"))  # we hold the lock now
    store.release_lock(info.id)
    store.close()
    check = place.open()
    assert check.journal(apply_id)[0].outcome is None
    check.close()


RACE = """
    import sys
    from kinde_iac.errors import LockError
    from kinde_iac.state import StateStore
    store = StateStore.open(sys.argv[1], workspace="staging")
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        store.acquire_lock("apply")
        print("won", flush=True)
    except LockError:
        print("lost", flush=True)
    sys.stdin.readline()
"""


def test_exactly_one_of_several_racing_processes_gets_the_lock(place: Place, spawn: Spawn) -> None:
    place.open(create=True).close()
    racers = [spawn(RACE, place.location) for _ in range(5)]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready", racer.stderr.read()  # type: ignore[union-attr]
    for racer in racers:
        racer.stdin.write("go\n")  # type: ignore[union-attr]
        racer.stdin.flush()  # type: ignore[union-attr]
    results = sorted(racer.stdout.readline().strip() for racer in racers)  # type: ignore[union-attr]
    assert results == ["lost"] * 4 + ["won"], [r.stderr.read() for r in racers]  # type: ignore[union-attr]
    for racer in racers:
        racer.stdin.close()  # type: ignore[union-attr]
        assert racer.wait(10) == 0


WRITER = """
    import sys
    from kinde_iac.state import StateResource, StateStore
    store = StateStore.open(sys.argv[1], workspace="staging")
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(40):
        store.put(StateResource(f"role.{sys.argv[2]}{i}", "role", f"{sys.argv[2]}{i}", None, ("x",), {"i": i}))
    print("done", flush=True)
"""


def test_writers_in_two_processes_never_lose_a_serial(place: Place, spawn: Spawn) -> None:
    place.open(create=True).close()
    writers = [spawn(WRITER, place.location, name) for name in ("a", "b")]
    for w in writers:
        assert w.stdout.readline().strip() == "ready", w.stderr.read()  # type: ignore[union-attr]
    for w in writers:
        w.stdin.write("go\n")  # type: ignore[union-attr]
        w.stdin.flush()  # type: ignore[union-attr]
    for w in writers:
        assert w.stdout.readline().strip() == "done", w.stderr.read()  # type: ignore[union-attr]
        assert w.wait(30) == 0
    store = place.open()
    assert len(store.resources()) == store.serial == 80
    store.close()


# ---------------------------------------------------------------------------- crash consistency

JOURNAL_LOOP = """
    import sys
    from kinde_iac.state import StateResource, StateStore
    store = StateStore.open(sys.argv[1], workspace="staging", create=True)
    store.acquire_lock("apply", tie_to_process=True)
    apply_id = store.begin_apply(who="ci")
    for i in range(1_000_000):
        entry = store.journal_intent(apply_id, f"role.r{i}", "create", "POST", "/api/v1/roles")
        attributes = {"index": i, "permissions": [f"perm:{i}:{n}" for n in range(100)]}
        resource = StateResource(f"role.r{i}", "role", f"r{i}", f"id_{i}", (f"r{i}",), attributes)
        store.journal_result(entry, outcome="ok", kinde_id=f"id_{i}", put=resource)
        print(i, flush=True)
"""


@pytest.mark.parametrize("writes", [1, 30])
def test_a_journalled_apply_killed_mid_write_leaves_a_consistent_state(place: Place, spawn: Spawn,
                                                                      writes: int) -> None:
    child = spawn(JOURNAL_LOOP, place.location)
    for line in child.stdout:  # type: ignore[union-attr]
        if int(line) + 1 >= writes:
            break
    else:
        pytest.fail(f"child stopped early: {child.stderr.read()}")  # type: ignore[union-attr]
    child.send_signal(signal.SIGKILL)
    assert child.wait(10) == -signal.SIGKILL

    store = place.open()
    rows = store.resources()
    done = [e for e in store.journal() if e.outcome == "ok"]
    assert store.serial == len(rows) == len(done) >= writes
    assert {e.address for e in done} == set(rows)
    for row in rows.values():
        i = row.attributes["index"]
        assert row.attributes["permissions"] == [f"perm:{i}:{n}" for n in range(100)]
    dangling = store.open_intents()
    assert len(dangling) <= 1 and all(e.address not in rows for e in dangling)
    notes: list[str] = []
    store.acquire_lock("apply", poll=no_poll, on_note=notes.append)
    assert len(notes) == 1  # the dead run's lock, taken over
    store.close()


# ---------------------------------------------------------------------------- migration


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[[str], Place]]:
    """New empty places of either backend (schemas dropped after the test)."""
    schemas: list[str] = []
    count = iter(range(1000))

    def make(backend: str) -> Place:
        if backend == "sqlite":
            return sqlite_place(tmp_path / f"fresh{next(count)}")
        schemas.append(pg_support.new_schema_name())
        return Place("postgresql", pg_support.with_schema(pg_support.require(), schemas[-1]))

    yield make
    for name in schemas:
        pg_support.drop_schema(name)


def other(place: Place) -> str:
    return "sqlite" if place.is_postgres else "postgresql"


def contents(store: StateStore) -> tuple[Any, ...]:
    journal = [attrs.evolve(e, id=0) for e in store.journal()]
    return (store.lineage, store.serial, store.identity(), store.resources(), journal,
            [attrs.evolve(e, id=0) for e in store.open_intents()])


def test_migrate_round_trip_between_backends(place: Place, fresh: Callable[[str], Place]) -> None:
    source = place.open(create=True, domain="acme.kinde.com")
    source.claim_identity(StateIdentity(domain="acme.kinde.com", environment="development"), lambda: "bus_1")
    lock = source.acquire_lock("apply")
    first = source.begin_apply(who="alice", summary={"add": 2})
    for key in ("admin", "viewer"):
        entry = source.journal_intent(first, f"role.{key}", "create", "POST", "/api/v1/roles")
        source.journal_result(entry, outcome="ok", kinde_id=f"id_{key}", put=resource(key))
    source.put(StateResource("role.p", "role", "p", None, ("p",), {"a": [1, {"b": None}]}, protect=True))
    source.end_apply(first, status="success", summary={"add": 3})
    second = source.begin_apply(who="bob")
    source.journal_intent(second, "role.killed", "create", "", "")  # a step whose run died
    source.release_lock(lock.id)
    expected = contents(source)
    assert expected[2] == StateIdentity("bus_1", "acme.kinde.com", "development")

    target = fresh(other(place)).open()
    copied = source.copy_to(target)
    assert (copied.lineage, copied.serial, copied.resources, copied.applies, copied.journal) == \
        (expected[0], 3, 3, 2, 3)
    assert contents(target) == expected
    assert target.resources()["role.p"].protect is True
    assert [e.address for e in target.journal(first)] == ["role.admin", "role.viewer"]
    source.copy_to(target)  # again: same lineage, same serial
    assert contents(target) == expected

    back = fresh(place.backend).open()
    target.copy_to(back)
    assert contents(back) == expected

    target.put(resource("moved-on"))  # the target is further on now: the old source may not overwrite it
    with pytest.raises(StateError, match="further on"):
        source.copy_to(target)
    for store in (source, target, back):
        store.close()


def test_migrate_refuses_a_target_with_another_lineage(place: Place, fresh: Callable[[str], Place]) -> None:
    source = place.open(create=True)
    source.put(resource("a"))
    target = fresh(other(place)).open(create=True)
    target.put(resource("b"))
    with pytest.raises(StateError, match="another lineage") as err:
        source.copy_to(target)
    assert source.lineage in str(err.value) and target.lineage in str(err.value)
    assert list(target.resources()) == ["role.b"]
    # A born but empty target (what an interrupted migration leaves) is simply replaced.
    blank = fresh(other(place)).open(create=True)
    source.copy_to(blank)
    assert (blank.lineage, list(blank.resources())) == (source.lineage, ["role.a"])
    for store in (source, target, blank):
        store.close()
