"""Apply tells its listeners typed events; the progress display and the counters are two listeners of
them, so what is shown, what is counted and what the plan said agree. Plans here need no API call
(adopting into state, forgetting), so the executor runs for real on an in-memory state store."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.engine.apply import apply_plan
from kinde_iac.engine.events import ApplyListener, Outcome, Status
from kinde_iac.engine.plan import build_plan
from kinde_iac.engine.plan_model import Action, Counts, Plan
from kinde_iac.engine.refresh import LiveState
from kinde_iac.render.progress import PLAIN, TTY, Progress
from kinde_iac.resources import Resource
from kinde_iac.state import StateResource, StateStore

KINDS = ("role", "permission")


def role(key: str, rid: str | None = None) -> Resource:
    return Resource(kind="role", key=key, natural=(key,), kinde_id=rid,
                    attributes={"name": key.title(), "description": None, "is_default_role": False,
                                "permissions": [], "scopes": []})


def row(r: Resource, rid: str) -> StateResource:
    return StateResource(address=r.address, kind=r.kind, key=r.key, kinde_id=rid, natural=r.natural,
                         attributes=dict(r.attributes), depends_on=r.depends_on)


def plan_of(desired: list[Resource], state: list[StateResource], live: list[Resource]) -> Plan:
    return build_plan(workspace="dev", domain="http://kinde", environment="development", desired=desired,
                      state={s.address: s for s in state}, lineage="L", serial=1,
                      live=LiveState(by_kind={"role": live}, kinds=KINDS))


class Recorder(ApplyListener):
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def step_started(self, address: str, action: Action, object_id: str | None = None) -> None:
        self.events.append(("started", address, action, object_id))

    def step_finished(self, address: str, action: Action, outcome: Outcome) -> None:
        self.events.append(("finished", address, action, outcome.status))

    def secret_delivered(self, address: str, path: Path | None) -> None:
        self.events.append(("secret", address, path))


def adopt_two_and_forget_one() -> tuple[Plan, dict[str, Resource], StateStore]:
    """Two live roles adopted by natural key (import only) and one gone from Kinde and config (forget)."""
    desired = [role("admin"), role("viewer")]
    store = StateStore.memory(workspace="dev")
    store.put(row(role("gone"), "r-gone"))
    plan = plan_of(desired, [row(role("gone"), "r-gone")], [role("admin", "r1"), role("viewer", "r2")])
    assert [(c.address, c.action, c.imported) for c in plan.changes] == [
        ("role.admin", Action.NOOP, True), ("role.gone", Action.FORGET, False), ("role.viewer", Action.NOOP, True)]
    return plan, {r.address: r for r in desired}, store


def test_import_only_steps_are_events_and_the_progress_count_reaches_the_total() -> None:
    plan, desired, store = adopt_two_and_forget_one()
    out = io.StringIO()
    progress = Progress(out, mode=TTY)
    progress.expect(plan.step_count)
    result = apply_plan(plan, desired=desired, state=store, client=None, parallelism=1, listener=progress)
    progress.finish()
    assert result.ok and plan.step_count == 2
    text = out.getvalue()
    assert "role.admin: Import complete [id=r1]\n" in text and "role.viewer: Import complete [id=r2]\n" in text
    assert "[2/2]" in text and "[3/" not in text
    assert set(store.resources()) == {"role.admin", "role.viewer"}


def test_events_name_each_step_and_its_outcome_and_forgetting_is_a_step_too() -> None:
    plan, desired, store = adopt_two_and_forget_one()
    recorder = Recorder()
    apply_plan(plan, desired=desired, state=store, client=None, parallelism=1, listener=recorder)
    assert sorted(recorder.events, key=str) == sorted([
        ("started", "role.admin", Action.IMPORT, "r1"), ("finished", "role.admin", Action.IMPORT, Status.OK),
        ("started", "role.viewer", Action.IMPORT, "r2"), ("finished", "role.viewer", Action.IMPORT, Status.OK),
        ("started", "role.gone", Action.FORGET, "r-gone"), ("finished", "role.gone", Action.FORGET, Status.OK),
    ], key=str)
    assert [e[0] for e in recorder.events if e[1] == "role.admin"] == ["started", "finished"]


def test_apply_counts_what_the_plan_counts() -> None:
    plan, desired, store = adopt_two_and_forget_one()
    result = apply_plan(plan, desired=desired, state=store, client=None, parallelism=1)
    assert plan.counts == result.counts == Counts(import_=2)
    # creates and adoptions first, then what goes away; each step journaled with its outcome
    assert [(e.address, e.action, e.outcome) for e in store.journal()] == [
        ("role.admin", "import", "ok"), ("role.viewer", "import", "ok"), ("role.gone", "forget", "ok")]


def test_plain_progress_lines_for_each_step() -> None:
    out = io.StringIO()
    progress = Progress(out, mode=PLAIN)
    progress.step_started("api.orders", Action.DELETE, "a1")
    progress.step_finished("api.orders", Action.DELETE, Outcome(Status.OK))
    progress.step_started("api.orders", Action.CREATE)
    progress.step_finished("api.orders", Action.CREATE, Outcome(Status.OK, kinde_id="a2"))
    progress.step_started("role.admin", Action.UPDATE, "r1")
    progress.step_finished("role.admin", Action.UPDATE, Outcome(Status.FAILED, error="HTTP 500"))
    progress.create_rechecked("role.viewer")
    progress.secret_delivered("api_key.ci", None)
    progress.step_finished("role.gone", Action.FORGET, Outcome(Status.OK))
    assert out.getvalue().splitlines() == [
        "api.orders: Destroying... [id=a1]", "api.orders: Destruction complete",
        "api.orders: Creating...", "api.orders: Creation complete [id=a2]",
        "role.admin: Modifying... [id=r1]",
        "role.viewer: create outcome unknown; checking Kinde by natural key",
        "api_key.ci: its one-time secret was discarded (no --secrets-out FILE given)",
    ]
    assert progress.done == 2


def test_replacement_and_adoption_count_alike_in_plan_and_steps() -> None:
    plan = plan_of([role("admin")], [], [role("admin", "r1")])
    replaced = plan.changes[0]
    both = attrs.evolve(replaced, action=Action.REPLACE)
    assert both.steps == (Action.IMPORT, Action.DELETE, Action.CREATE)
    assert Counts.of_steps(both.steps) == Counts(add=1, destroy=1, import_=1)
