"""Executes a Plan: creates and updates in dependency order with bounded parallelism (each waits only
for what it depends on; ``engine.scheduler``), then deletes in reverse order. Every API step is
journaled in state, and each object's state row is written in the same transaction as the step's
result. Progress is told to listeners as typed events (``engine.events``). A create whose reply was
lost is looked for, never sent again (``engine.settle``); a stop request (a signal, ``engine.stop``)
ends scheduling and the apply is recorded as interrupted.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from graphlib import TopologicalSorter
from typing import Any

import attrs

from kinde_iac.engine.events import ApplyListener, Listeners, Outcome, Status, StepCounter
from kinde_iac.engine.graph import forward_graph, forward_nodes, reverse_graph, reverse_nodes
from kinde_iac.engine.moves import renamed
from kinde_iac.engine.plan_model import UNKNOWN, Action, Counts, Plan, ResourceChange
from kinde_iac.engine.scheduler import Scheduler, WalkResult
from kinde_iac.engine.secrets_file import SecretsFile
from kinde_iac.engine.settle import Settle, look_for_lost_create, may_land_later
from kinde_iac.engine.stop import StopRequest
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
    #: The signal that stopped the apply (``"SIGTERM"``), if one did.
    interrupted: str | None = None
    #: Steps still running when the wait for them ended (a second signal, or the grace ran out):
    #: the state lock must stay held, since they may still write.
    abandoned: list[str] = attrs.field(factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and self.interrupted is None

    @property
    def status(self) -> str:
        """The apply's status in the history: "ok", "failed" or "interrupted"."""
        return "interrupted" if self.interrupted is not None else "ok" if self.ok else "failed"


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


#: Retries of a create Kinde keeps answering with an error, for clients without a budget of their own.
DEFAULT_CREATE_RETRIES = 6


class _Applier:
    """The WriteContext kinds see, plus the bookkeeping of one apply run."""

    def __init__(self, plan: Plan, desired: Mapping[str, Resource], state: StateStore, client: Any,
                 listener: ApplyListener, secrets_out: SecretsFile | None = None,
                 settle: Settle | None = None, stop: StopRequest | None = None) -> None:
        self.secrets_out = secrets_out
        self.settle = settle or Settle.for_client(client)
        self.stop = stop
        self.plan = plan
        self.desired = desired
        self.state = state
        self.client = client
        self.events = listener
        # Guards only ``_ids``. State calls need no lock of ours (the store serialises its own
        # connection), and holding one across them queued every worker behind another's transaction.
        self._lock = threading.Lock()
        stored = state.resources()
        self._ids: dict[str, str] = {a: s.kinde_id for a, s in stored.items() if s.kinde_id}
        #: Addresses that may have a state row: held when the run began, or written by it since.
        #: Any other address reads as absent without asking the state (one SELECT per create).
        self._stored: set[str] = set(stored)
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
        if kinde_id:
            with self._lock:
                self._ids[resource.address] = kinde_id
        self._put(self._row(partial, kinde_id))

    def deliver_secret(self, address: str, secret: str) -> None:
        if self.secrets_out is not None:
            self.secrets_out.write(address, secret)
        self.events.secret_delivered(address, self.secrets_out.path if self.secrets_out else None)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _row(self, resource: Resource, kinde_id: str | None) -> StateResource:
        return state_row(attrs.evolve(resource, kinde_id=kinde_id), self._previous(resource.address))

    def _previous(self, address: str) -> StateResource | None:
        return self.state.get(address) if address in self._stored else None

    def _put(self, row: StateResource) -> None:
        self._stored.add(row.address)
        self.state.put(row)

    def _step(self, ch: ResourceChange, action: Action, fn: Callable[[], Any], *,
              put: Callable[[Any], StateResource | None] | None = None, remove: bool = False,
              remove_address: str | None = None) -> Any:
        """One journaled step: intent row, the call, then result + state row in one transaction."""
        address = ch.address
        self.events.step_started(address, action, None if action == Action.CREATE else ch.kinde_id or ch.key)
        entry = self.state.journal_intent(self.apply_id, address, action.value, "", "")
        try:
            value = fn()
        except Exception as err:
            status = Status.AMBIGUOUS if getattr(err, "ambiguous", False) else Status.FAILED
            self.state.journal_result(entry, outcome=status.value, detail=str(err)[:500])
            self.events.step_finished(address, action, Outcome(status, error=str(err)))
            raise
        row = put(value) if put else None
        if row is not None:
            self._stored.add(row.address)
            with self._lock:
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
        previous = self._previous(ch.address)
        row = state_row(attrs.evolve(d, kinde_id=ch.kinde_id), previous)
        if previous is None or previous.attributes != row.attributes or previous.kinde_id != ch.kinde_id \
                or tuple(previous.depends_on) != tuple(d.depends_on) or previous.protect != row.protect:
            self._put(row)

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
        # An error answer gets the same retry budget as any other request; each retry follows a read.
        attempts = getattr(self.client, "max_retries", DEFAULT_CREATE_RETRIES) + 1
        for attempt in range(1, attempts + 1):
            try:
                return kind.create(self, d)
            except ApiError as err:
                if not err.ambiguous:
                    raise
                lost = err
            self.events.create_rechecked(d.address)
            if may_land_later(lost):
                # No answer (or a gateway's): Kinde may still be carrying the create out. It is looked
                # for by natural key for a while and never sent again in this run (engine.settle).
                found = look_for_lost_create(lambda: kind.find(self, d), settle=self.settle, pause=self._pause,
                                             kind=kind.name, lost=lost)
                return self._adopt_created(kind, d, found)
            # Kinde answered with an error, so it has finished with the request: one read settles
            # whether the create landed, and only an object seen missing is sent again.
            seen = kind.find(self, d)
            if seen is not None:
                return self._adopt_created(kind, d, seen)
            if attempt == attempts:
                raise lost
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, seconds: float) -> bool:
        """Wait between two checks; True when the run is stopping (which ends the wait early)."""
        if self.settle.pause is not None:
            self.settle.pause(seconds)
        elif self.stop is not None:
            return self.stop.wait(seconds)
        else:
            time.sleep(seconds)
        return self.stop is not None and self.stop.requested

    def _adopt_created(self, kind: Kind, d: Resource, found: str) -> str | None:
        kinde_id = found if kind.has_ids else None
        self.record_created(d, kinde_id, {})
        # How far the create got is unknown, so every field is (idempotently) written again.
        kind.update(self, d, kinde_id, {}, frozenset(f.name for f in kind.fields))
        return kinde_id


def _walk(graph: TopologicalSorter[str], nodes: list[str], by_address: Mapping[str, ResourceChange],
          run: Callable[[ResourceChange], None], scheduler: Scheduler, result: ApplyResult) -> WalkResult:
    """Run one graph's steps and add what became of them to ``result``."""
    walked = scheduler.run(graph, nodes, lambda address: run(by_address[address]))
    result.applied.extend(walked.done)
    for address, err in walked.failed:
        message = str(err) if isinstance(err, KindeIacError) else f"{type(err).__name__}: {err}"
        result.failed.append((address, message))
    result.abandoned.extend(walked.abandoned)
    return walked


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
    stop: StopRequest | None = None,
    settle: Settle | None = None,
) -> ApplyResult:
    """Carry out ``plan``. ``desired`` holds the real (unmasked) desired objects by address.

    ``stop`` ends scheduling when requested (the result is then ``interrupted``); ``settle`` says
    how long a create whose reply was lost is looked for (default: the client's read timeout)."""
    started = time.monotonic()
    counter = StepCounter()
    applier = _Applier(plan, desired, state, client, Listeners([counter, listener]), secrets_out,
                       settle=settle, stop=stop)
    state.ensure_created()
    # Steps a killed run began but never finished: the plan just made has settled them by reading
    # Kinde by natural key (adopting what landed, redoing what did not), so they are closed here.
    for entry in state.open_intents():
        state.journal_result(entry.id, outcome=Status.AMBIGUOUS.value,
                             detail="the run ended before this step's result; reconciled by natural key "
                                    "in the next apply")
    applier.apply_id = state.begin_apply(who=who, summary=plan.counts.as_dict())
    by_address = {c.address: c for c in plan.changes}
    scheduler = Scheduler(parallelism, stop=stop, on_stop=lambda n: applier.events.stopping(
        stop.name if stop else "stop", n, stop.grace if stop else 0.0))
    result = ApplyResult()
    try:
        walked = _walk(forward_graph(plan.changes), forward_nodes(plan.changes), by_address, applier.run,
                       scheduler, result)
        skipped = list(walked.not_started)
        stopping = stop is not None and stop.requested
        if not walked.failed and not stopping:
            walked = _walk(reverse_graph(plan.changes), reverse_nodes(plan.changes), by_address, applier.run,
                           scheduler, result)
            skipped += walked.not_started
        else:
            skipped += reverse_nodes(plan.changes)
        result.skipped = sorted(skipped)
        if stop is not None and stop.requested and (skipped or result.abandoned or walked.stopped):
            result.interrupted = stop.name
    finally:
        result.seconds = time.monotonic() - started
        result.counts, result.rechecked = counter.counts, counter.rechecked
        state.end_apply(applier.apply_id, status=result.status,
                        summary={**result.counts.as_dict(), "rechecked": result.rechecked,
                                 "failed": len(result.failed), "not_attempted": len(result.skipped),
                                 **({"interrupted": result.interrupted} if result.interrupted else {})})
    return result
