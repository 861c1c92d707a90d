"""A refresh of a converged workspace is one round of requests deep: every list, and the sub-lists
of every object the state names (their ids are in the state), go out at once, with the environment
guard; ids become keys afterwards without a request. Objects only the config names (to adopt) wait
for their list, one round more.

Each request is held at a barrier until the whole round it belongs to is in flight, so a refresh
that waits for one request before sending another of the same round never fills its round and
fails (the barrier's timeout only bounds how long such a failure takes to show)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_harness import WORKSPACE, Workspace
from inprocess_kinde import CLIENT_ID, InProcessKinde
from test_refresh_requests import FULL, FULL_COST

from kinde_iac.engine.refresh import refresh
from kinde_iac.engine.session import Session, Target, read_live
from kinde_iac.state import StateStore

#: Only a failing refresh waits this long: a round that never fills.
FAILURE_BOUND_S = 10.0
#: Every request of a no-op refresh of FULL: six lists, and the sub-lists of the objects in state.
REQUESTS = sum(FULL_COST.values())


class RoundsKinde(InProcessKinde):
    """Answers GETs in rounds: the n-th round's requests wait until all of them have arrived."""

    def __init__(self) -> None:
        super().__init__()
        self._rounds: list[threading.Barrier] = []
        self._arrived = 0
        self._count = threading.Lock()
        self.round_of: list[tuple[int, str]] = []

    def hold_in_rounds(self, *sizes: int) -> None:
        self._rounds = [threading.Barrier(n, timeout=FAILURE_BOUND_S) for n in sizes]
        self._arrived = 0
        self.round_of = []

    def request(self, method: str, path: str, **kw: object) -> dict:
        if self._rounds and method == "GET":
            with self._count:
                index, seen = 0, self._arrived
                while index < len(self._rounds) and seen >= self._rounds[index].parties:
                    seen -= self._rounds[index].parties
                    index += 1
                self._arrived += 1
                self.round_of.append((index, path))
            if index < len(self._rounds):
                self._rounds[index].wait()
        return super().request(method, path, **kw)  # type: ignore[arg-type]


@pytest.fixture
def rounds_kinde() -> Iterator[RoundsKinde]:
    k = RoundsKinde()
    yield k
    k.close()


def test_a_converged_refresh_is_one_round(tmp_path: Path, rounds_kinde: RoundsKinde, state: StateStore) -> None:
    ws = Workspace(tmp_path, rounds_kinde, state)
    assert ws.apply(FULL).ok
    desired = ws.desired(FULL)
    rounds_kinde.hold_in_rounds(REQUESTS)
    live = refresh(rounds_kinde, own_client_id=CLIENT_ID, desired=desired, state=state.resources(),
                   parallelism=REQUESTS)
    assert len(rounds_kinde.round_of) == REQUESTS  # nothing read twice, nothing left over
    # Keys, not ids, although the roles' and the API's sub-lists went out before either list was in.
    admin = next(r for r in live.of("role") if r.key == "admin")
    assert admin.attributes["scopes"] == ["orders-api/read"]
    [api] = live.of("api")
    assert api.attributes["applications"] == ["web"]
    [scope, _] = sorted(live.of("api_scope"), key=lambda r: r.key)
    assert scope.address == "api_scope.orders-api/read" and scope.depends_on == ("api.orders-api",)


def test_objects_only_the_config_names_wait_for_their_list(tmp_path: Path, rounds_kinde: RoundsKinde,
                                                           state: StateStore) -> None:
    ws = Workspace(tmp_path, rounds_kinde, state)
    assert ws.apply(FULL).ok
    rounds_kinde.post("/api/v1/roles", json={"key": "support", "name": "Support"})  # to adopt: not in state
    doc = {**FULL, "roles": [*FULL["roles"], {"key": "support", "name": "Support"}]}
    rounds_kinde.hold_in_rounds(REQUESTS, 2)
    live = refresh(rounds_kinde, own_client_id=CLIENT_ID, desired=ws.desired(doc), state=state.resources(),
                   parallelism=REQUESTS)
    support_id = next(r.kinde_id for r in live.of("role") if r.key == "support")
    assert sorted(path for n, path in rounds_kinde.round_of if n == 1) == [
        f"/api/v1/roles/{support_id}/permissions", f"/api/v1/roles/{support_id}/scopes"]
    assert next(r for r in live.of("role") if r.key == "support").attributes["permissions"] == []


def test_a_role_deleted_outside_kinde_iac_is_read_as_gone(tmp_path: Path, kinde: InProcessKinde,
                                                           state: StateStore) -> None:
    ws = Workspace(tmp_path, kinde, state)
    assert ws.apply(FULL).ok
    viewer = next(r for r in state.resources().values() if r.address == "role.viewer")
    kinde.delete(f"/api/v1/roles/{viewer.kinde_id}")
    # Its sub-lists were asked for by the state's id and answered "not found": that is no error.
    live = ws.refresh(ws.desired(FULL))
    assert sorted(r.key for r in live.of("role")) == ["admin"]
    assert ws.plan(FULL).counts.add == 1


def test_the_environment_guard_goes_out_with_the_lists(tmp_path: Path, rounds_kinde: RoundsKinde,
                                                        state: StateStore) -> None:
    ws = Workspace(tmp_path, rounds_kinde, state)
    assert ws.apply(FULL).ok
    session = Session(target=Target(name=WORKSPACE, config=tmp_path / "dev.json", state=tmp_path / "unused.db"),
                      workspace=ws.workspace(FULL), desired=ws.desired(FULL), state=state,
                      client=rounds_kinde)  # type: ignore[arg-type]
    rounds_kinde.hold_in_rounds(REQUESTS + 1)
    env, _, live = read_live(session, parallelism=REQUESTS + 1)
    assert env["code"] == "development"
    assert (0, "/api/v1/environment") in rounds_kinde.round_of
    assert sorted(r.address for r in live.of("role")) == ["role.admin", "role.viewer"]


def test_a_failed_environment_guard_is_the_error_reported(tmp_path: Path, kinde: InProcessKinde,
                                                          state: StateStore) -> None:
    from kinde_iac.errors import KindeIacError

    ws = Workspace(tmp_path, kinde, state)
    doc = {**FULL, "kinde": {"environment": "production"}}
    session = Session(target=Target(name=WORKSPACE, config=tmp_path / "dev.json", state=tmp_path / "unused.db"),
                      workspace=ws.workspace(doc), desired=ws.desired(doc), state=state,
                      client=kinde)  # type: ignore[arg-type]
    kinde.inject("GET", "/api/v1/roles", status=500, code="BROKEN")  # the refresh fails too
    with pytest.raises(KindeIacError, match="expects Kinde environment 'production'"):
        read_live(session, parallelism=4)
