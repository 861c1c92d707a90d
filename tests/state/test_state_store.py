"""Opening, creating and validating the state file; resources and the serial."""
from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import attrs
import pytest
from state_helpers import meta, resource

from kinde_iac.errors import StateError
from kinde_iac.state import SCHEMA_VERSION, StateResource, StateStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------------- creation


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_created_file_is_owner_only_whatever_the_umask(state_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        store = StateStore.open(state_path, workspace="staging", create=True)
        store.put(resource("admin"))
    finally:
        os.umask(previous)
    assert mode(state_path) == 0o600
    # SQLite gives its WAL side files the main file's permissions.
    for side in state_path.parent.glob("staging.db-*"):
        assert mode(side) == 0o600, side
    store.close()


def test_create_makes_parent_dirs_and_a_born_state(state_path: Path) -> None:
    store = StateStore.open(state_path, workspace="staging", create=True, domain="acme.kinde.com")
    assert state_path.is_file()
    assert store.path == state_path
    assert store.workspace == "staging"
    assert len(store.lineage) == 36
    assert store.serial == 0
    assert meta(state_path)["domain"] == "acme.kinde.com"
    assert meta(state_path)["lineage"] == store.lineage
    assert store.resources() == {}
    tables = set(sqlite3.connect(state_path).execute("select name from sqlite_master").fetchall())
    assert {("meta",), ("resources",), ("journal",), ("applies",), ("lock",)} <= tables
    store.close()


def test_missing_file_without_create_is_an_empty_view_that_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state" / "dev.db"
    store = StateStore.open(path, workspace="dev", domain="acme-dev.kinde.com")
    assert store.lineage == ""
    assert store.serial == 0
    assert store.resources() == {}
    assert store.get("role.admin") is None
    assert store.journal() == []
    assert store.open_intents() == []
    store.release_lock("not-held")  # nothing to release: not a write
    store.close()
    assert not path.parent.exists()


def test_ensure_created_turns_the_view_into_a_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "dev.db"
    store = StateStore.open(path, workspace="dev", domain="acme-dev.kinde.com")
    store.ensure_created()
    store.ensure_created()  # idempotent
    assert path.is_file()
    assert mode(path) == 0o600
    assert store.lineage
    assert meta(path)["domain"] == "acme-dev.kinde.com"
    store.close()


def test_first_write_to_a_view_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dev.db"
    store = StateStore.open(path, workspace="dev")
    store.put(resource("admin"))
    assert path.exists()
    assert mode(path) == 0o600
    assert store.serial == 1
    store.close()


def test_empty_file_left_by_a_death_at_birth_is_an_unborn_state(state_path: Path) -> None:
    state_path.parent.mkdir(parents=True)
    state_path.touch(mode=0o600)
    view = StateStore.open(state_path, workspace="staging")
    assert view.lineage == ""
    assert view.resources() == {}
    assert state_path.stat().st_size == 0  # reading did not set it up
    view.put(resource("admin"))
    assert view.lineage
    assert view.serial == 1
    view.close()


# ---------------------------------------------------------------------------- validation


def test_lineage_is_fixed_at_birth_and_survives_reopen(state_path: Path) -> None:
    first = StateStore.open(state_path, workspace="staging", create=True)
    lineage = first.lineage
    first.put(resource("admin"))
    first.close()
    again = StateStore.open(state_path, workspace="staging", create=True)
    assert again.lineage == lineage
    assert again.serial == 1
    again.close()
    other = StateStore.open(state_path.with_name("other.db"), workspace="staging", create=True)
    assert other.lineage != lineage
    other.close()


def test_corrupt_file_is_refused_naming_the_path(state_path: Path) -> None:
    state_path.parent.mkdir(parents=True)
    state_path.write_bytes(os.urandom(8192))
    for create in (False, True):
        with pytest.raises(StateError) as err:
            StateStore.open(state_path, workspace="staging", create=create)
        assert str(state_path) in str(err.value)
        assert "is not a kinde-iac state database" in str(err.value)


def test_some_other_sqlite_database_is_refused(state_path: Path) -> None:
    state_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(state_path)
    conn.execute("create table meta (key text primary key, value text)")
    conn.execute("create table customers (id integer)")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="missing table"):
        StateStore.open(state_path, workspace="staging")


def test_state_from_a_newer_kinde_iac_is_refused(state_path: Path) -> None:
    StateStore.open(state_path, workspace="staging", create=True).close()
    conn = sqlite3.connect(state_path)
    conn.execute("update meta set value = ? where key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="newer kinde-iac") as err:
        StateStore.open(state_path, workspace="staging")
    assert str(state_path) in str(err.value)


def test_state_of_another_workspace_is_refused_naming_both(state_path: Path) -> None:
    StateStore.open(state_path, workspace="staging", create=True).close()
    with pytest.raises(StateError) as err:
        StateStore.open(state_path, workspace="prod")
    assert "'staging'" in str(err.value) and "'prod'" in str(err.value)


def test_closed_store_refuses_use(store: StateStore) -> None:
    store.close()
    with pytest.raises(StateError, match="closed"):
        store.resources()
    with pytest.raises(StateError, match="closed"):
        store.put(resource("admin"))


# ---------------------------------------------------------------------------- resources


def test_put_get_round_trip_with_nested_attributes(store: StateStore) -> None:
    nested = {
        "name": "Admin",
        "permissions": ["orders:read", "orders:write"],
        "limits": {"depth": {"deeper": [1, 2.5, None, True, {"k": "v"}]}},
        "secret": "sha256$" + "0" * 32 + "$" + "1" * 64,
    }
    original = StateResource(
        address="api_scope.orders/read",
        kind="api_scope",
        key="orders/read",
        kinde_id="scope_123",
        natural=("https://orders.acme.test", "read"),
        attributes=nested,
        depends_on=("api.orders",),
    )
    store.put(original)
    got = store.get("api_scope.orders/read")
    assert got is not None
    assert got.updated_at.endswith("+00:00")
    assert got == attrs.evolve(original, updated_at=got.updated_at)
    assert got.natural == ("https://orders.acme.test", "read")
    assert got.depends_on == ("api.orders",)
    assert got.attributes == nested


def test_kinde_id_may_be_absent(store: StateStore) -> None:
    store.put(StateResource("feature_flag.beta", "feature_flag", "beta", None, ("beta",), {"value": True}))
    got = store.get("feature_flag.beta")
    assert got is not None and got.kinde_id is None


def test_put_replaces_and_resources_are_sorted_by_address(store: StateStore) -> None:
    for key in ("zeta", "alpha", "mid"):
        store.put(resource(key))
    store.put(resource("alpha", name="Alpha v2"))
    everything = store.resources()
    assert list(everything) == ["role.alpha", "role.mid", "role.zeta"]
    assert everything["role.alpha"].attributes == {"name": "Alpha v2"}


def forget(store: StateStore, address: str) -> None:
    """Remove ``address`` the way apply does: a journalled step whose result removes the row."""
    apply_id = store.begin_apply(who="test")
    store.journal_result(store.journal_intent(apply_id, address, "forget", "", ""), outcome="ok", remove=address)


def test_remove(store: StateStore) -> None:
    store.put(resource("admin"))
    forget(store, "role.admin")
    assert store.get("role.admin") is None
    assert store.resources() == {}


def test_serial_counts_resource_writes(store: StateStore) -> None:
    assert store.serial == 0
    store.put(resource("a"))
    store.put(resource("b"))
    store.put(resource("a", name="again"))
    assert store.serial == 3
    forget(store, "role.b")
    assert store.serial == 4
    forget(store, "role.never-there")  # nothing changed: not a write
    assert store.serial == 4
    store.release_lock(store.acquire_lock("apply").id)  # not a resource: a saved plan stays valid
    assert store.serial == 4


def test_serial_is_read_fresh_from_the_file(state_path: Path, store: StateStore) -> None:
    other = StateStore.open(state_path, workspace="staging")
    store.put(resource("a"))
    assert other.serial == 1
    assert "role.a" in other.resources()
    other.close()


def test_unserialisable_attributes_are_refused_without_writing(store: StateStore) -> None:
    with pytest.raises(StateError, match="role.bad"):
        store.put(resource("bad", permissions={"a", "b"}))
    with pytest.raises(StateError, match="role.nan"):
        store.put(resource("nan", weight=float("nan")))
    assert store.serial == 0
    assert store.resources() == {}


def test_concurrent_puts_from_threads_share_one_store(store: StateStore) -> None:
    # The apply engine journals from worker threads through one store.
    start = threading.Barrier(4)

    def work(worker: int) -> None:
        start.wait()
        for i in range(25):
            store.put(resource(f"w{worker}-{i}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.resources()) == 100
    assert store.serial == 100


def test_memory_store_is_born_and_touches_no_disk(tmp_path: Path) -> None:
    store = StateStore.memory(workspace="dev", domain="acme-dev.kinde.com")
    assert store.path is None
    assert store.lineage
    store.put(resource("admin"))
    assert store.serial == 1
    assert list(tmp_path.iterdir()) == []
    store.close()


def test_context_manager_closes(state_path: Path) -> None:
    with StateStore.open(state_path, workspace="staging", create=True) as store:
        store.put(resource("a"))
    with pytest.raises(StateError):
        store.resources()


def test_a_directory_at_the_state_path_is_refused(state_path: Path) -> None:
    state_path.mkdir(parents=True)
    with pytest.raises(StateError, match="cannot open state file .*: it is a directory"):
        StateStore.open(state_path, workspace="staging")
