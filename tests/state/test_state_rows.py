"""The one converter between state records and table rows."""
from __future__ import annotations

from typing import Any

import pytest

from kinde_iac.errors import StateError
from kinde_iac.state import JournalEntry, LockInfo, StateResource
from kinde_iac.state.records import ApplyRecord
from kinde_iac.state.rows import from_row, to_row


def test_resource_row_has_canonical_json_columns() -> None:
    res = StateResource("api_scope.orders/read", "api_scope", "orders/read", None, ("https://o", "read"),
                        {"z": 1, "a": {"y": [1.5, None], "b": True}}, depends_on=("api.orders",), protect=True)
    row = to_row(res, "state of it")
    assert row == {
        "address": "api_scope.orders/read", "kind": "api_scope", "key": "orders/read", "kinde_id": None,
        "natural": '["https://o","read"]', "attributes": '{"a":{"b":true,"y":[1.5,null]},"z":1}',
        "depends_on": '["api.orders"]', "protect": True, "updated_at": "",
    }
    assert from_row(row, StateResource, "f.db") == res
    # SQLite hands booleans back as integers.
    assert from_row({**row, "protect": 0}, StateResource, "f.db").protect is False


@pytest.mark.parametrize("record", [
    JournalEntry(7, "apply-1", "role.a", "create", "POST", "/api/v1/roles", "t0", None, None, "", None),
    JournalEntry(8, "apply-1", "role.b", "delete", "", "", "t0", "t1", "ok", "gone", "id_b"),
    LockInfo("lock-1", "apply", "alice", "ci-7", 4242, "t0"),
    ApplyRecord("apply-1", "alice", "ci-7", 4242, None, "t0", None, "running", {"add": 2, "plan": {"x": [1]}}),
])
def test_every_record_round_trips(record: Any) -> None:
    row = to_row(record, "it")
    assert from_row(row, type(record), "f.db") == record


def test_apply_summary_is_a_json_column() -> None:
    row = to_row(ApplyRecord("i", "w", "h", 1, "l", "t0", "t1", "ok", {"b": 1, "a": 2}), "apply summary")
    assert row["summary"] == '{"a":2,"b":1}'


@pytest.mark.parametrize("bad", [{"a", "b"}, float("nan"), object()])
def test_unstorable_values_name_what_was_being_stored(bad: object) -> None:
    with pytest.raises(StateError, match="cannot store state of role.x: not JSON-serialisable"):
        to_row(StateResource("role.x", "role", "x", None, ("x",), {"v": bad}), "state of role.x")


def test_undecodable_rows_name_the_file_and_the_column() -> None:
    row = to_row(StateResource("role.x", "role", "x", None, ("x",), {}), "it")
    with pytest.raises(StateError, match=r"state file f\.db: damaged StateResource row: .* @ \$\.attributes"):
        from_row({**row, "attributes": "{not json"}, StateResource, "f.db")
    with pytest.raises(StateError, match=r"required field missing @ \$\.kind"):
        from_row({k: v for k, v in row.items() if k != "kind"}, StateResource, "f.db")
