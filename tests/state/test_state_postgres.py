"""What only the PostgreSQL backend has: one schema shared by workspaces, created by the first
write, versioned and migrated forward; the session advisory lock; passwords kept out of messages."""
from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator

import pg_support
import pytest
from state_helpers import resource

from kinde_iac.errors import LockError, StateError
from kinde_iac.state import StateStore
from kinde_iac.state.postgres import schema as pg_schema

Spawn = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def schema(pg_schema: str) -> str:
    return pg_schema


def url_of(schema: str) -> str:
    return pg_support.with_schema(pg_support.server_url(), schema)


def schema_exists(schema: str) -> bool:
    return bool(pg_support.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", schema))


def no_poll(seconds: float) -> None:
    raise AssertionError(f"should not wait (asked to sleep {seconds})")


def test_reads_create_nothing_and_the_first_write_creates_the_schema(schema: str) -> None:
    view = StateStore.open(url_of(schema), workspace="dev")
    assert view.resources() == {} and view.lineage == ""
    assert not schema_exists(schema)
    view.put(resource("admin"))
    assert schema_exists(schema)
    assert pg_support.execute(f'SELECT version FROM "{schema}".kinde_iac_layout') == [(pg_schema.SCHEMA_VERSION,)]
    keys = dict(pg_support.execute(f'SELECT key, value FROM "{schema}".meta WHERE workspace = %s', "dev"))
    assert keys["serial"] == "1" and keys["workspace"] == "dev" and keys["lineage"] == view.lineage
    view.close()


def test_workspaces_share_the_schema_and_never_see_each_other(schema: str) -> None:
    dev = StateStore.open(url_of(schema), workspace="dev", create=True)
    prod = StateStore.open(url_of(schema), workspace="prod", create=True)
    dev.put(resource("admin"))
    dev.put(resource("viewer"))
    prod.put(resource("admin", name="Prod admin"))
    assert dev.lineage != prod.lineage
    assert (dev.serial, prod.serial) == (2, 1)
    assert prod.get("role.admin").attributes == {"name": "Prod admin"}  # type: ignore[union-attr]
    assert list(prod.resources()) == ["role.admin"]
    # Each workspace has its own lock.
    dev_lock, prod_lock = dev.acquire_lock("apply"), prod.acquire_lock("apply")
    apply_id = dev.begin_apply(who="ci")
    dev.journal_intent(apply_id, "role.x", "create", "", "")
    assert prod.journal() == [] and prod.open_intents() == []
    dev.release_lock(dev_lock.id)
    prod.release_lock(prod_lock.id)
    dev.close()
    prod.close()


def test_a_layout_from_a_newer_kinde_iac_is_refused(schema: str) -> None:
    store = StateStore.open(url_of(schema), workspace="dev", create=True)
    pg_support.execute(f'UPDATE "{schema}".kinde_iac_layout SET version = version + 1')
    with pytest.raises(StateError, match="newer kinde-iac"):
        store.put(resource("a"))  # an open store re-checks on every write
    with pytest.raises(StateError, match="newer kinde-iac"):
        StateStore.open(url_of(schema), workspace="dev")
    store.close()


def test_an_older_layout_is_migrated_forward_by_the_first_write(schema: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    StateStore.open(url_of(schema), workspace="dev", create=True).close()
    monkeypatch.setattr(pg_schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(pg_schema.MIGRATIONS, 1, ("ALTER TABLE {s}.resources ADD COLUMN note text",))
    store = StateStore.open(url_of(schema), workspace="dev")
    assert store.serial == 0
    assert pg_support.execute(f'SELECT version FROM "{schema}".kinde_iac_layout') == [(1,)]  # reads migrate nothing
    store.put(resource("a"))
    assert pg_support.execute(f'SELECT version FROM "{schema}".kinde_iac_layout') == [(2,)]
    columns = [c for (c,) in pg_support.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 'resources'",
        schema)]
    assert "note" in columns
    assert store.serial == 1  # a migration is not a resource write
    store.close()


def test_a_schema_holding_other_tables_of_our_names_is_refused(schema: str) -> None:
    pg_support.execute(f'CREATE SCHEMA "{schema}"')
    pg_support.execute(f'CREATE TABLE "{schema}".resources (id int)')
    with pytest.raises(StateError, match="not a kinde-iac state"):
        StateStore.open(url_of(schema), workspace="dev")


@pytest.mark.parametrize("password", ["s3cr3t-Pw0rd", "p%40ss%2Fw0rd%3Axx"])
def test_passwords_never_appear_in_errors(password: str) -> None:
    pg_support.require()
    refused = f"postgresql://postgres:{password}@127.0.0.1:1/test?schema=x&password={password}"
    with pytest.raises(StateError) as err:
        StateStore.open(refused, workspace="dev")
    text = str(err.value)
    assert "cannot connect to state database postgresql://postgres:***@127.0.0.1:1/test" in text
    for spelling in (password, "p@ss/w0rd:xx"):
        assert spelling not in text and spelling not in repr(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__  # no chained driver error
    missing_db = pg_support.server_url().rsplit("/", 1)[0].replace("postgres@", f"postgres:{password}@")
    with pytest.raises(StateError) as err:
        StateStore.open(f"{missing_db}/kiac_no_such_database", workspace="dev")
    assert password not in str(err.value) and "kiac_no_such_database" in str(err.value)


HOLD = """
    import sys
    from kinde_iac.state import StateStore
    store = StateStore.open(sys.argv[1], workspace="dev")
    info = store.acquire_lock("apply")
    print(info.id, flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def holder(schema: str, spawn: Spawn) -> Iterator[tuple[subprocess.Popen[str], str]]:
    StateStore.open(url_of(schema), workspace="dev", create=True).close()
    child = spawn(HOLD, url_of(schema))
    lock_id = child.stdout.readline().strip()  # type: ignore[union-attr]
    assert lock_id, child.stderr.read()  # type: ignore[union-attr]
    yield child, lock_id


def test_force_unlock_refuses_a_holder_whose_session_is_open(schema: str,
                                                             holder: tuple[subprocess.Popen[str], str]) -> None:
    child, lock_id = holder
    admin = StateStore.open(url_of(schema), workspace="dev")
    with pytest.raises(LockError) as err:
        admin.force_unlock(lock_id)
    assert "still has its database session open" in str(err.value) and "backend pid" in str(err.value)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert admin.force_unlock(lock_id).id == lock_id
    assert admin.acquire_lock("apply", poll=no_poll).id != lock_id
    admin.close()


def test_a_holder_whose_row_is_missing_still_excludes(schema: str,
                                                      holder: tuple[subprocess.Popen[str], str]) -> None:
    # The advisory lock is the lock: deleting the row by hand does not let a second run in.
    pg_support.execute(f'DELETE FROM "{schema}".locks')
    other = StateStore.open(url_of(schema), workspace="dev")
    with pytest.raises(LockError, match="taking the lock right now"):
        other.acquire_lock("apply", poll=no_poll)
    other.close()


def test_without_psycopg_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StateError, match=r"pip install 'kinde-iac\[postgres\]'"):
        StateStore.open("postgresql://u:pw@127.0.0.1:1/db", workspace="dev")
