"""The executor (``apply_plan``) against the in-process Kinde: dependency order, what a failure stops,
ambiguous creates, and the journal and state rows every step writes."""
from __future__ import annotations

from typing import Any

import pytest
from engine_harness import Workspace, config, permissions
from inprocess_kinde import Call, InProcessKinde

ROLES = [
    {"key": "admin", "name": "Admin", "permissions": ["orders:read", "orders:write"],
     "scopes": ["orders-api/read"]},
    {"key": "viewer", "name": "Viewer", "permissions": ["orders:read"]},
]
API = {"key": "orders-api", "name": "Orders API", "audience": "https://orders.example", "scopes": ["read", "write"],
       "applications": ["web"]}
APP = {"key": "web", "name": "Web", "type": "reg"}
DOC = config(permissions=permissions("orders:read", "orders:write"), roles=ROLES, apis=[API], applications=[APP])


def first(calls: list[Call], method: str, path: str, **body: Any) -> int:
    """Position of the first call of ``method`` on ``path`` whose JSON body holds ``body``."""
    for i, c in enumerate(calls):
        if c.method == method and c.path == path and all((c.json or {}).get(k) == v for k, v in body.items()):
            return i
    raise AssertionError(f"no {method} {path} {body} among {[(c.method, c.path) for c in calls]}")


def live_keys(kinde: InProcessKinde, path: str, key: str) -> list[str]:
    return sorted(item["key"] for item in kinde.paginate(path, key))


# With one worker, steps that are ready together run in address order, which puts api.orders-api
# before the application.web it authorizes: only the dependency graph can make it wait.
@pytest.mark.parametrize("parallelism", [1, 4])
def test_creates_run_after_what_they_depend_on(ws: Workspace, kinde: InProcessKinde, parallelism: int) -> None:
    result = ws.apply(DOC, parallelism=parallelism)
    assert result.ok and result.skipped == [], result.failed
    writes = kinde.writes()
    admin = first(writes, "POST", "/api/v1/roles", key="admin")
    viewer = first(writes, "POST", "/api/v1/roles", key="viewer")
    read = first(writes, "POST", "/api/v1/permissions", key="orders:read")
    write = first(writes, "POST", "/api/v1/permissions", key="orders:write")
    api = first(writes, "POST", "/api/v1/apis")
    admin_id = ws.state.get("role.admin").kinde_id
    api_id = ws.state.get("api.orders-api").kinde_id
    scope = first(writes, "POST", f"/api/v1/apis/{api_id}/scopes", key="read")
    assert read < admin and write < admin and read < viewer
    assert api < scope < admin  # a role links a scope only once the scope exists
    links = first(writes, "PATCH", f"/api/v1/roles/{admin_id}/permissions")
    assert admin < links
    assert first(writes, "POST", "/api/v1/applications") < first(writes, "PATCH", f"/api/v1/apis/{api_id}/applications")
    ws.assert_converged(DOC)


def test_deletes_run_in_reverse_dependency_order_after_creates(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(DOC).ok
    ids = {a: s.kinde_id for a, s in ws.state.resources().items()}
    kinde.reset_counts()
    result = ws.apply(config(permissions=permissions("reports:read")), parallelism=4)
    assert result.ok, result.failed
    writes = kinde.writes()
    created = first(writes, "POST", "/api/v1/permissions", key="reports:read")
    deleted = {c.path: i for i, c in enumerate(writes) if c.method == "DELETE"}

    def gone(collection: str, address: str) -> int:
        return deleted[f"/api/v1/{collection}/{ids[address]}"]

    api = gone("apis", "api.orders-api")
    scope = deleted[f"/api/v1/apis/{ids['api.orders-api']}/scopes/{ids['api_scope.orders-api/read']}"]
    assert created < min(deleted.values())
    admin, viewer = gone("roles", "role.admin"), gone("roles", "role.viewer")
    read, write = gone("permissions", "permission.orders:read"), gone("permissions", "permission.orders:write")
    assert admin < read and viewer < read and admin < write
    assert admin < scope < api
    assert api < gone("applications", "application.web")  # the API authorized the app
    assert sorted(ws.state.resources()) == ["permission.reports:read"]
    assert live_keys(kinde, "/api/v1/roles", "roles") == []


def test_a_failure_stops_scheduling_and_names_the_skipped_steps(ws: Workspace, kinde: InProcessKinde) -> None:
    assert ws.apply(config(permissions=permissions("old"))).ok
    doc = config(permissions=permissions("a", "b"),
                 roles=[{"key": "needs-a", "name": "A", "permissions": ["a"]},
                        {"key": "needs-b", "name": "B", "permissions": ["b"]}])
    kinde.inject("POST", "/api/v1/permissions", body_has={"key": "a"}, status=400, code="PERMISSION_INVALID")
    kinde.reset_counts()

    # One worker: both permissions are ready (and queued) at once, "a" runs first and fails.
    result = ws.apply(doc, parallelism=1)

    assert not result.ok
    assert [(address, "PERMISSION_INVALID" in message) for address, message in result.failed] == \
        [("permission.a", True)]
    assert result.applied == ["permission.b"]
    # role.needs-b only waited for permission.b, which succeeded: it still must not start.
    assert sorted(result.skipped) == ["permission.old", "role.needs-a", "role.needs-b"]
    assert [(c.method, c.path) for c in kinde.writes() if c.status is not None] == [("POST", "/api/v1/permissions")]
    assert sorted(ws.state.resources()) == ["permission.b", "permission.old"]
    outcomes = {(e.address, e.action): e.outcome for e in ws.state.journal()}
    assert outcomes == {("permission.a", "create"): "failed", ("permission.b", "create"): "ok"}

    # Nothing half-done: the next run finishes the job without duplicates.
    assert ws.apply(doc).ok
    assert live_keys(kinde, "/api/v1/permissions", "permissions") == ["a", "b"]
    assert live_keys(kinde, "/api/v1/roles", "roles") == ["needs-a", "needs-b"]
    ws.assert_converged(doc)


@pytest.mark.parametrize("lands", [True, False], ids=["write-landed", "write-lost"])
@pytest.mark.parametrize(("path", "key", "list_key"), [
    ("/api/v1/roles", "admin", "roles"),
    ("/api/v1/permissions", "orders:read", "permissions"),
])
def test_an_ambiguous_create_is_rechecked_by_natural_key_never_duplicated(
        ws: Workspace, kinde: InProcessKinde, lands: bool, path: str, key: str, list_key: str) -> None:
    kinde.inject("POST", path, body_has={"key": key}, ambiguous=True, lands=lands)
    result = ws.apply(DOC, parallelism=1)
    address = f"{list_key[:-1]}.{key}"

    posts = [i for i, c in enumerate(kinde.calls) if c.method == "POST" and c.path == path
             and c.json.get("key") == key]
    # A lost create is never sent again in the same run (issue 13): Kinde may still carry it out.
    assert len(posts) == 1
    rechecks = [i for i, c in enumerate(kinde.calls) if c.method == "GET" and c.path == path and i > posts[0]]
    live = [item for item in kinde.paginate(path, list_key) if item["key"] == key]
    if lands:
        assert result.ok, result.failed
        assert len(rechecks) >= 1 and ws.pauses == []  # seen at the first check, no waiting
        assert len(live) == 1
        assert ws.state.get(address).kinde_id == live[0]["id"]
        # The adopted object got every field written, links included.
        admin = ws.state.get("role.admin").kinde_id
        assert live_keys(kinde, f"/api/v1/roles/{admin}/permissions", "permissions") == \
            ["orders:read", "orders:write"]
    else:
        # Looked for at once, then after pauses doubling up to the budget; then that step stops.
        assert ws.pauses == pytest.approx([0.2, 0.4, 0.8, 1.6]) and sum(ws.pauses) == pytest.approx(3.0)
        assert [a for a, _ in result.failed] == [address]
        message = result.failed[0][1]
        assert "was not sent again" in message and "5 checks by natural key over 3s" in message
        assert live == [] and ws.state.get(address) is None
        outcomes = {(e.address, e.action): e.outcome for e in ws.state.journal()}
        assert outcomes[(address, "create")] == "ambiguous"
        # The next run finds nothing by natural key and creates it, once.
        assert ws.apply(DOC, parallelism=1).ok
        assert len([item for item in kinde.paginate(path, list_key) if item["key"] == key]) == 1
    ws.assert_converged(DOC)


def test_a_create_that_stays_unseen_is_never_resent_and_fails_after_the_checks(
        ws: Workspace, kinde: InProcessKinde) -> None:
    kinde.inject("POST", "/api/v1/permissions", ambiguous=True, lands=False, times=99)
    result = ws.apply(config(permissions=permissions("orders:read")))
    assert [a for a, _ in result.failed] == ["permission.orders:read"]
    sequence = [c.method for c in kinde.calls if c.path == "/api/v1/permissions"][1:]  # after the refresh
    assert sequence == ["POST"] + ["GET"] * 5
    assert [(e.address, e.outcome) for e in ws.state.journal()] == [("permission.orders:read", "ambiguous")]
    assert ws.state.get("permission.orders:read") is None
    assert live_keys(kinde, "/api/v1/permissions", "permissions") == []


@pytest.mark.parametrize(("status", "resent"), [(500, True), (502, False), (503, False), (504, False)])
def test_an_error_answer_from_kinde_is_settled_by_one_read_but_a_gateway_s_is_not(
        ws: Workspace, kinde: InProcessKinde, status: int, resent: bool) -> None:
    # A 500 is Kinde's own answer: it has finished with the request, so a read that finds nothing
    # proves the create did not land. A gateway's 502-504 proves nothing: Kinde may still carry it out.
    kinde.inject("POST", "/api/v1/permissions", ambiguous=True, lands=False, answered=status)
    result = ws.apply(config(permissions=permissions("orders:read")))
    sequence = [c.method for c in kinde.calls if c.path == "/api/v1/permissions"][1:]  # after the refresh
    if resent:
        assert result.ok, result.failed
        assert sequence == ["POST", "GET", "POST"] and ws.pauses == []
        assert live_keys(kinde, "/api/v1/permissions", "permissions") == ["orders:read"]
    else:
        assert [a for a, _ in result.failed] == ["permission.orders:read"]
        assert sequence == ["POST"] + ["GET"] * 5 and len(ws.pauses) == 4
        assert live_keys(kinde, "/api/v1/permissions", "permissions") == []


def test_each_step_is_journaled_before_its_call_and_its_row_written_after(ws: Workspace,
                                                                         kinde: InProcessKinde) -> None:
    seen: list[tuple[str, str, list[tuple[str, str]], set[str]]] = []

    def snapshot(method: str, path: str, body: Any) -> None:
        open_steps = [(e.address, e.action) for e in ws.state.open_intents()]
        seen.append((method, path, open_steps, set(ws.state.resources())))

    kinde.before_call = snapshot
    doc = config(permissions=permissions("orders:read"), roles=[{"key": "viewer", "name": "Viewer",
                                                                 "permissions": ["orders:read"]}])
    assert ws.apply(doc, parallelism=1).ok
    role_id = ws.state.get("role.viewer").kinde_id
    by_call = {(m, p): (steps, rows) for m, p, steps, rows in seen}
    # Every call happens inside its step's open intent, before the row exists...
    assert by_call[("POST", "/api/v1/permissions")] == ([("permission.orders:read", "create")], set())
    assert by_call[("POST", "/api/v1/roles")] == ([("role.viewer", "create")], {"permission.orders:read"})
    # ...except that a created object is recorded at once, before its follow-up calls (crash safety).
    assert by_call[("PATCH", f"/api/v1/roles/{role_id}/permissions")] == \
        ([("role.viewer", "create")], {"permission.orders:read", "role.viewer"})

    journal = ws.state.journal()
    assert [(e.address, e.action, e.outcome) for e in journal] == \
        [("permission.orders:read", "create", "ok"), ("role.viewer", "create", "ok")]
    rows = ws.state.resources()
    assert all(e.finished_at is not None and e.kinde_id == rows[e.address].kinde_id for e in journal)
    assert ws.state.open_intents() == []

    serial = ws.state.serial
    seen.clear()
    renamed = config(permissions=[{"key": "orders:read", "name": "Read orders"}],
                     roles=doc["roles"])
    assert ws.apply(renamed, parallelism=1).ok
    assert [(m, steps) for m, _p, steps, _rows in seen] == [("PATCH", [("permission.orders:read", "update")])]
    assert ws.state.get("permission.orders:read").attributes["name"] == "Read orders"
    assert [(e.address, e.action, e.outcome) for e in ws.state.journal()] == \
        [("permission.orders:read", "update", "ok")]
    assert ws.state.serial > serial


def test_a_failed_update_keeps_the_last_applied_row_and_journals_the_outcome(ws: Workspace,
                                                                            kinde: InProcessKinde) -> None:
    doc = config(permissions=permissions("orders:read"))
    assert ws.apply(doc).ok
    before = ws.state.get("permission.orders:read")
    kinde.inject("PATCH", "/api/v1/permissions/*", ambiguous=True, lands=False)
    renamed = config(permissions=[{"key": "orders:read", "name": "Read orders"}])
    result = ws.apply(renamed)
    assert [a for a, _ in result.failed] == ["permission.orders:read"]
    assert ws.state.get("permission.orders:read").attributes == before.attributes
    assert [(e.address, e.action, e.outcome) for e in ws.state.journal()] == \
        [("permission.orders:read", "update", "ambiguous")]
    assert ws.apply(renamed).ok
    ws.assert_converged(renamed)


def test_secret_values_reach_kinde_but_state_keeps_a_salted_hash(ws: Workspace, kinde: InProcessKinde) -> None:
    ws.env = {"PAYMENT_KEY": "pay-secret-91d2"}
    doc = config(env_vars=[{"key": "PAYMENT_KEY", "value": "${env:PAYMENT_KEY}", "is_secret": True}])
    assert ws.apply(doc).ok
    sent = first(kinde.writes(), "POST", "/api/v1/environment_variables", key="PAYMENT_KEY")
    assert kinde.writes()[sent].json["value"] == "pay-secret-91d2"
    stored = ws.state.get("env_var.PAYMENT_KEY").attributes["value"]
    assert stored.startswith("sha256$") and "pay-secret-91d2" not in stored
    ws.assert_converged(doc)


def test_creates_read_back_only_the_rows_this_run_wrote(ws: Workspace, kinde: InProcessKinde,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 19: a create of an address the state never held reads no row (one SELECT per step at
    # 20,000 objects); the API, the application and the roles write a partial row right after their
    # POST and must still read it back for their final row, and an update reads the row it replaces.
    read: list[str] = []
    get = ws.state.get

    def counting_get(address: str) -> Any:
        read.append(address)
        return get(address)

    monkeypatch.setattr(ws.state, "get", counting_get)
    assert ws.apply(DOC).ok
    assert sorted(read) == ["api.orders-api", "application.web", "role.admin", "role.viewer"]
    read.clear()
    renamed = config(permissions=[{"key": "orders:read", "name": "Read orders"},
                                  {"key": "orders:write", "name": "Orders:Write"}],
                     roles=ROLES, apis=[API], applications=[APP])
    assert ws.apply(renamed).ok
    assert "permission.orders:read" in read
    monkeypatch.undo()
    assert ws.state.get("permission.orders:read").attributes["name"] == "Read orders"
    ws.assert_converged(renamed)
