"""Schema migrations: a file written by an older kinde-iac is read as is and moved forward by the
first write; ``protect`` is a column of its own."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from state_helpers import meta, query, resource

from kinde_iac.errors import LockError, StateError
from kinde_iac.state import SCHEMA_VERSION, StateResource, StateStore

# The layout kinde-iac wrote as schema 1 (read back from such a file's sqlite_master).
SCHEMA_1 = """
CREATE TABLE "meta" ("key" TEXT PRIMARY KEY, "value" TEXT);
CREATE TABLE "resources" (
   "address" TEXT PRIMARY KEY, "kind" TEXT NOT NULL, "key" TEXT NOT NULL, "kinde_id" TEXT,
   "natural" TEXT NOT NULL, "attributes" TEXT NOT NULL, "depends_on" TEXT NOT NULL, "updated_at" TEXT NOT NULL
);
CREATE INDEX "idx_resources_kind" ON "resources" ("kind");
CREATE TABLE "applies" (
   "id" TEXT PRIMARY KEY, "who" TEXT NOT NULL, "host" TEXT, "pid" INTEGER, "lock_id" TEXT,
   "started_at" TEXT NOT NULL, "finished_at" TEXT, "status" TEXT NOT NULL, "summary" TEXT NOT NULL
);
CREATE TABLE "journal" (
   "id" INTEGER PRIMARY KEY, "apply_id" TEXT NOT NULL REFERENCES "applies"("id"), "address" TEXT NOT NULL,
   "action" TEXT NOT NULL, "method" TEXT NOT NULL, "path" TEXT NOT NULL, "started_at" TEXT NOT NULL,
   "finished_at" TEXT, "outcome" TEXT, "detail" TEXT NOT NULL, "kinde_id" TEXT
);
CREATE INDEX "idx_journal_apply_id" ON "journal" ("apply_id");
CREATE INDEX "idx_journal_finished_at" ON "journal" ("finished_at");
CREATE TABLE "lock" (
   "slot" INTEGER PRIMARY KEY, "id" TEXT NOT NULL, "operation" TEXT NOT NULL, "who" TEXT NOT NULL,
   "host" TEXT NOT NULL, "pid" INTEGER NOT NULL, "since" TEXT NOT NULL
);
"""
LINEAGE = "af8abf3c-b8d9-48d4-b633-dad96df68fbc"
WHEN = "2025-01-01T10:00:00.000+00:00"


@pytest.fixture
def v1_path(state_path: Path) -> Path:
    """A schema-1 state: role.admin protected (the flag hidden in its attributes), role.user not."""
    state_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(state_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA_1)
    with conn:
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("schema_version", "1"), ("lineage", LINEAGE), ("serial", "2"), ("workspace", "staging"),
            ("created_at", WHEN), ("domain", "acme-staging.kinde.com"),
        ])
        conn.executemany("INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            ("role.admin", "role", "admin", "id_admin", '["admin"]', '{"_protect":true,"name":"Admin"}', "[]", WHEN),
            ("role.user", "role", "user", "id_user", '["user"]', '{"name":"User"}', '["role.admin"]', WHEN),
        ])
    conn.close()
    return state_path


def raw_resources(path: Path) -> dict[str, dict]:
    return {row["address"]: row for row in query(path, "SELECT * FROM resources")}


def columns(path: Path, table: str) -> list[tuple]:
    return [(c["name"], c["type"], c["notnull"], c["dflt_value"], c["pk"])
            for c in query(path, f"SELECT * FROM pragma_table_info('{table}')")]


def test_schema_1_is_read_as_is_and_reading_changes_nothing(v1_path: Path) -> None:
    store = StateStore.open(v1_path, workspace="staging")
    admin, user = store.get("role.admin"), store.get("role.user")
    assert admin is not None and user is not None
    assert (admin.protect, admin.attributes) == (True, {"name": "Admin"})
    assert (user.protect, user.attributes, user.depends_on) == (False, {"name": "User"}, ("role.admin",))
    assert store.resources() == {"role.admin": admin, "role.user": user}
    assert (store.lineage, store.serial) == (LINEAGE, 2)
    store.close()
    assert meta(v1_path)["schema_version"] == "1"
    assert raw_resources(v1_path)["role.admin"]["attributes"] == '{"_protect":true,"name":"Admin"}'


def test_first_write_migrates_schema_1_forward(v1_path: Path, tmp_path: Path) -> None:
    store = StateStore.open(v1_path, workspace="staging")
    store.put(resource("new"))
    assert meta(v1_path)["schema_version"] == str(SCHEMA_VERSION) == "2"
    # The migration is not a resource write: the serial counts the put only, the lineage stays.
    assert (store.lineage, store.serial) == (LINEAGE, 3)
    rows = raw_resources(v1_path)
    assert (rows["role.admin"]["attributes"], rows["role.admin"]["protect"]) == ('{"name":"Admin"}', 1)
    assert (rows["role.user"]["attributes"], rows["role.user"]["protect"]) == ('{"name":"User"}', 0)
    assert rows["role.admin"]["updated_at"] == WHEN
    assert rows["role.new"]["protect"] == 0
    assert store.get("role.admin") == StateResource("role.admin", "role", "admin", "id_admin", ("admin",),
                                                    {"name": "Admin"}, protect=True, updated_at=WHEN)
    store.close()
    # A migrated file has the layout of a file created by this version.
    fresh = tmp_path / "fresh.db"
    StateStore.open(fresh, workspace="staging", create=True).close()
    for table in ("meta", "resources", "applies", "journal", "lock"):
        assert columns(v1_path, table) == columns(fresh, table), table


def test_taking_the_lock_is_a_first_write_too(v1_path: Path) -> None:
    store = StateStore.open(v1_path, workspace="staging")
    store.acquire_lock("apply")
    assert meta(v1_path)["schema_version"] == "2"
    assert store.serial == 2
    store.close()


def test_a_refused_write_leaves_schema_1_untouched(v1_path: Path) -> None:
    conn = sqlite3.connect(v1_path)
    with conn:  # an older kinde-iac is applying
        conn.execute("INSERT INTO lock VALUES (1, 'old-run', 'apply', 'alice', 'ci-7', 4242, ?)", [WHEN])
    conn.close()
    store = StateStore.open(v1_path, workspace="staging")
    with pytest.raises(LockError, match="old-run"):
        store.put(resource("new"))
    store.close()
    assert meta(v1_path)["schema_version"] == "1"
    assert "protect" not in raw_resources(v1_path)["role.admin"]
    assert set(raw_resources(v1_path)) == {"role.admin", "role.user"}


def test_protect_is_a_column_not_an_attribute(state_path: Path, store: StateStore) -> None:
    store.put(StateResource("role.admin", "role", "admin", "id_1", ("admin",), {"name": "Admin"}, protect=True))
    store.put(resource("user"))
    rows = raw_resources(state_path)
    assert (rows["role.admin"]["attributes"], rows["role.admin"]["protect"]) == ('{"name":"Admin"}', 1)
    assert rows["role.user"]["protect"] == 0
    admin = store.get("role.admin")
    assert admin is not None and admin.protect is True
    assert store.resources()["role.user"].protect is False


def test_a_file_a_newer_kinde_iac_migrated_meanwhile_is_refused_on_write(state_path: Path, store: StateStore) -> None:
    store.put(resource("a"))
    conn = sqlite3.connect(state_path)
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.close()
    with pytest.raises(StateError, match="newer kinde-iac"):
        store.put(resource("b"))
    assert store.get("role.b") is None


def test_a_damaged_row_is_one_error_naming_the_file(state_path: Path, store: StateStore) -> None:
    store.put(resource("a"))
    conn = sqlite3.connect(state_path)
    with conn:
        conn.execute("UPDATE resources SET attributes = '[1, 2' WHERE address = 'role.a'")
    conn.close()
    with pytest.raises(StateError, match=f"state file {state_path}: damaged StateResource row"):
        store.resources()


@pytest.mark.parametrize("version", ["0", "-1", "two"])
def test_a_schema_version_no_kinde_iac_wrote_is_refused(v1_path: Path, version: str) -> None:
    conn = sqlite3.connect(v1_path)
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [version])
    conn.close()
    with pytest.raises(StateError, match="is not a kinde-iac state database: schema_version"):
        StateStore.open(v1_path, workspace="staging")
