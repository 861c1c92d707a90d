"""Executes a Plan: creates and updates in dependency order with bounded parallelism (each waits only
for what it depends on), then deletes in reverse order. Every API step is journaled in state, and
each object's state row is written in the same transaction as the step's result. Progress is told
to listeners as typed events (``engine.events``)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter
from typing import Any

import attrs

from kinde_iac.engine.events import ApplyListener, Listeners, Outcome, Status, StepCounter
from kinde_iac.engine.graph import forward_graph, reverse_graph
from kinde_iac.engine.moves import renamed
from kinde_iac.engine.plan_model import UNKNOWN, Action, Counts, Plan, ResourceChange
from kinde_iac.engine.secrets_file import SecretsFile
from kinde_iac.errors import ApiError, KindeIacError
from kinde_iac.resources import BY_NAME, Kind, Resource
from kinde_iac.state import StateResource, StateStore
from kinde_iac.state.secrets import hash_secret, secret_matches


@attrs.define
class ApplyResult:
    applied: list[str] = attrs.field(factory=list)
    failed: list[tuple[str, str]] = attrs.field(factory=list)
    skipped: list[str] = attrs.field(factory=list)
    #: Steps that finished, counted as the plan counts them.
    counts: Counts = attrs.field(factory=Counts)
    #: Creates whose reply was lost and that were settled by reading Kinde by natural key.
    rechecked: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def stored_attributes(kind: Kind, resource: Resource, previous: StateResource | None) -> dict[str, Any]:
    """Attributes as state keeps them: secrets as salted hashes (an unchanged secret keeps its hash)."""
    sensitive = kind.sensitive_fields(resource.attributes)
    out: dict[str, Any] = {}
    for name, value in resource.attributes.items():
        if name in sensitive and value is not None and value != UNKNOWN:
            old = previous.attributes.get(name) if previous else None
            out[name] = old if old and secret_matches(value, old) else hash_secret(value)
        else:
            out[name] = value
    return out


def adopted_resource(desired: Resource, change: ResourceChange) -> Resource:
    """What state records when adopting a live object: Kinde's values for fields it returns (so any
    remaining difference stays a planned update), and for fields it cannot return ``UNKNOWN`` until
    a write makes them known (the desired value where the plan found nothing to write)."""
    live = {c.name: c.before for c in change.changes if not c.sensitive and not c.unreadable}
    unknown = {c.name: UNKNOWN for c in change.changes if c.before == UNKNOWN}
    return attrs.evolve(desired, attributes={**desired.attributes, **live, **unknown}, kinde_id=change.kinde_id)


def state_row(resource: Resource, previous: StateResource | None) -> StateResource:
    kind = BY_NAME[resource.kind]
    attributes = stored_attributes(kind, resource, previous)
    return StateResource(
        address=resource.address, kind=resource.kind, key=resource.key, kinde_id=resource.kinde_id,
        natural=tuple(resource.natural), attributes=attributes, depends_on=tuple(resource.depends_on),
        protect=resource.protect,
    )


#: Retries of a create whose outcome keeps coming back unknown, for clients without a budget of their own.
DEFAULT_CREATE_RETRIES = 6


class _Applier:
    """The WriteContext kinds see, plus the bookkeeping of one apply run."""

    def __init__(self, plan: Plan, desired: Mapping[str, Resource], state: StateStore, client: Any,
                 listener: ApplyListener, secrets_out: SecretsFile | None = None) -> None:
        self.secrets_out = secrets_out
        self.plan = plan
        self.desired = desired
        self.state = state
        self.client = client
        self.events = listener
        # Re-entrant: kinds call back into id_of/record_created while a step holds it.
        self._lock = threading.RLock()
        self._ids: dict[str, str] = {a: s.kinde_id for a, s in state.resources().items() if s.kinde_id}
        for ch in plan.changes:
            if ch.moved_from is not None:
                self._ids.pop(ch.moved_from, None)  # its links are made under the new address only
            if ch.kinde_id and ch.action != Action.REPLACE:
                self._ids.setdefault(ch.address, ch.kinde_id)
        self.apply_id = ""

    # -- WriteContext --------------------------------------------------------------------------
    def id_of(self, address: str) -> str:
        with self._lock:
            return self._ids[address]

    def record_created(self, resource: Resource, kinde_id: str | None, attributes: Mapping[str, Any]) -> None:
        partial = attrs.evolve(resource, attributes=dict(attributes))
        with self._lock:
            if kinde_id:
                self._ids[resource.address] = kinde_id
            self.state.put(self._row(partial, kinde_id))

    def deliver_secret(self, address: str, secret: str) -> None:
        if self.secrets_out is not None:
            self.secrets_out.write(address, secret)
        self.events.secret_delivered(address, self.secrets_out.path if self.secrets_out else None)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _row(self, resource: Resource, kinde_id: str | None) -> StateResource:
        return state_row(attrs.evolve(resource, kinde_id=kinde_id), self.state.get(resource.address))

    def _step(self, ch: ResourceChange, action: Action, fn: Callable[[], Any], *,
              put: Callable[[Any], StateResource | None] | None = None, remove: bool = False,
              remove_address: str | None = None) -> Any:
        """One journaled step: intent row, the call, then result + state row in one transaction."""
        address = ch.address
        self.events.step_started(address, action, None if action == Action.CREATE else ch.kinde_id or ch.key)
        with self._lock:
            entry = self.state.journal_intent(self.apply_id, address, action.value, "", "")
        try:
            value = fn()
        except Exception as err:
            status = Status.AMBIGUOUS if isinstance(err, ApiError) and err.ambiguous else Status.FAILED
            with self._lock:
                self.state.journal_result(entry, outcome=status.value, detail=str(err)[:500])
            self.events.step_finished(address, action, Outcome(status, error=str(err)))
            raise
        with self._lock:
            row = put(value) if put else None
            if row is not None:
                self._ids.pop(address, None)
                if row.kinde_id:
                    self._ids[address] = row.kinde_id
            self.state.journal_result(entry, outcome=Status.OK.value, kinde_id=row.kinde_id if row else None,
                                      put=row, remove=address if remove else remove_address)
        self.events.step_finished(address, action, Outcome(Status.OK, kinde_id=row.kinde_id if row else None))
        return value

    # -- steps ----------------------------------------------------------------------------------
    def run(self, ch: ResourceChange) -> None:
        """Every step of one change, in the order ``ResourceChange.steps`` gives."""
        for action in ch.steps:
            self._run_step(ch, action)
        if ch.action == Action.NOOP and ch.address in self.desired:
            self._refresh_row(ch)

    def _run_step(self, ch: ResourceChange, action: Action) -> None:
        kind = BY_NAME[ch.kind]
        if action == Action.MOVE:
            self._move(ch)
        elif action == Action.IMPORT:
            adopted = adopted_resource(self.desired[ch.address], ch)
            self._step(ch, action, lambda: None, put=lambda _v: self._row(adopted, ch.kinde_id))
        elif action == Action.DELETE:
            old = self._old_resource(ch)
            self._step(ch, action, lambda: kind.delete(self, old, ch.kinde_id), remove=True)
        elif action == Action.CREATE:
            d = self.desired[ch.address]
            self._step(ch, action, lambda: self._create(kind, d), put=lambda kid: self._row(d, kid))
        elif action == Action.UPDATE:
            d = self.desired[ch.address]
            changed = frozenset(c.name for c in ch.changes)
            self._step(ch, action, lambda: kind.update(self, d, ch.kinde_id, ch.before or {}, changed),
                       put=lambda _v: self._row(d, ch.kinde_id))
        elif action == Action.FORGET:
            self._step(ch, action, lambda: None, remove=True)

    def _move(self, ch: ResourceChange) -> None:
        """A ``moved`` entry: the state row takes its new address (Kinde is not called)."""
        assert ch.moved_from is not None
        old = self.state.get(ch.moved_from)
        if old is None:
            return  # moved by an earlier, interrupted run
        self._step(ch, Action.MOVE, lambda: None, put=lambda _v: renamed(old, ch.address), remove_address=ch.moved_from)

    def _refresh_row(self, ch: ResourceChange) -> None:
        """An unchanged object's row still follows the config (protect, dependencies, an adopted id):
        not a step, since Kinde is not called."""
        d = self.desired[ch.address]
        previous = self.state.get(ch.address)
        row = self._row(d, ch.kinde_id)
        if previous is None or previous.attributes != row.attributes or previous.kinde_id != ch.kinde_id \
                or tuple(previous.depends_on) != tuple(d.depends_on) or previous.protect != row.protect:
            with self._lock:
                self.state.put(row)

    def _old_resource(self, ch: ResourceChange) -> Resource:
        """The object being destroyed, as state last recorded it (a replaced object that state never
        held is destroyed with its desired shape and live id)."""
        s = self.state.get(ch.address)
        if s is not None:
            return Resource(kind=s.kind, key=s.key, natural=tuple(s.natural), attributes=dict(s.attributes),
                            depends_on=tuple(s.depends_on), kinde_id=s.kinde_id)
        if ch.address in self.desired:
            return attrs.evolve(self.desired[ch.address], kinde_id=ch.kinde_id)
        raise KindeIacError(f"{ch.address}: not in state, so kinde-iac cannot tell what to destroy")

    def _create(self, kind: Kind, d: Resource) -> str | None:
        # A create gets the same retry budget as any other request; each retry follows a read.
        attempts = getattr(self.client, "max_retries", DEFAULT_CREATE_RETRIES) + 1
        for attempt in range(1, attempts + 1):
            try:
                return kind.create(self, d)
            except ApiError as err:
                if not err.ambiguous or attempt == attempts:
                    raise
            # The reply was lost: a read by natural key decides whether the create landed. A create
            # is never repeated blindly, only after Kinde has been seen not to have the object.
            self.events.create_rechecked(d.address)
            found = kind.find(self, d)
            if found is not None:
                return self._adopt_created(kind, d, found)
        raise AssertionError("unreachable")  # pragma: no cover

    def _adopt_created(self, kind: Kind, d: Resource, found: str) -> str | None:
        kinde_id = found if kind.has_ids else None
        self.record_created(d, kinde_id, {})
        # How far the create got is unknown, so every field is (idempotently) written again.
        kind.update(self, d, kinde_id, {}, frozenset(f.name for f in kind.fields))
        return kinde_id


def _walk(ts: TopologicalSorter, by_address: Mapping[str, ResourceChange], run: Callable[[ResourceChange], None],
          parallelism: int, result: ApplyResult) -> None:
    """Run nodes as soon as their dependencies are done; after a failure, start nothing new."""
    failed = False
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="apply") as pool:
        running: dict[Future, str] = {}
        while ts.is_active():
            if not failed:
                for address in sorted(ts.get_ready()):
                    running[pool.submit(run, by_address[address])] = address
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                address = running.pop(fut)
                err = fut.exception()
                if err is None:
                    result.applied.append(address)
                    ts.done(address)
                else:
                    failed = True
                    message = str(err) if isinstance(err, KindeIacError) else f"{type(err).__name__}: {err}"
                    result.failed.append((address, message))
        if failed:
            started = set(result.applied) | {a for a, _ in result.failed}
            result.skipped.extend(sorted(a for a in by_address if a not in started))


def apply_plan(
    plan: Plan,
    *,
    desired: Mapping[str, Resource],
    state: StateStore,
    client: Any,
    parallelism: int = 4,
    who: str = "",
    listener: ApplyListener | None = None,
    secrets_out: SecretsFile | None = None,
) -> ApplyResult:
    """Carry out ``plan``. ``desired`` holds the real (unmasked) desired objects by address."""
    started = time.monotonic()
    counter = StepCounter()
    applier = _Applier(plan, desired, state, client, Listeners([counter, listener]), secrets_out)
    state.ensure_created()
    # Steps a killed run began but never finished: the plan just made has settled them by reading
    # Kinde by natural key (adopting what landed, redoing what did not), so they are closed here.
    for entry in state.open_intents():
        state.journal_result(entry.id, outcome=Status.AMBIGUOUS.value,
                             detail="the run ended before this step's result; reconciled by natural key "
                                    "in the next apply")
    applier.apply_id = state.begin_apply(who=who, summary=plan.counts.as_dict())
    by_address = {c.address: c for c in plan.changes}
    result = ApplyResult()
    try:
        _walk(forward_graph(plan.changes), by_address, applier.run, parallelism, result)
        if result.ok:
            _walk(reverse_graph(plan.changes), by_address, applier.run, parallelism, result)
        else:
            result.skipped.extend(sorted(c.address for c in plan.changes
                                         if c.action in (Action.DELETE, Action.FORGET)
                                         and c.address not in result.skipped))
    finally:
        result.seconds = time.monotonic() - started
        result.counts, result.rechecked = counter.counts, counter.rechecked
        state.end_apply(applier.apply_id, status="ok" if result.ok else "failed",
                        summary={**result.counts.as_dict(), "rechecked": result.rechecked,
                                 "failed": len(result.failed)})
    return result
