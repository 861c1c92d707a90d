"""Executes a Plan: creates and updates in dependency order with bounded parallelism (each waits only
for what it depends on), then deletes in reverse order. Every API step is journaled in state, and
each object's state row is written in the same transaction as the step's result."""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.engine import plan_model as pm
from kinde_iac.engine.graph import forward_graph, reverse_graph
from kinde_iac.errors import ApiError, KindeIacError
from kinde_iac.resources import BY_NAME, Kind, Resource
from kinde_iac.state import StateResource, StateStore
from kinde_iac.state.secrets import hash_secret, secret_matches


@attrs.define
class ApplyResult:
    applied: list[str] = attrs.field(factory=list)
    failed: list[tuple[str, str]] = attrs.field(factory=list)
    skipped: list[str] = attrs.field(factory=list)
    counts: dict[str, int] = attrs.field(
        factory=lambda: {"added": 0, "changed": 0, "destroyed": 0, "imported": 0, "rechecked": 0})
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def stored_attributes(kind: Kind, resource: Resource, previous: StateResource | None) -> dict[str, Any]:
    """Attributes as state keeps them: secrets as salted hashes (an unchanged secret keeps its hash)."""
    sensitive = kind.sensitive_fields(resource.attributes)
    out: dict[str, Any] = {}
    for name, value in resource.attributes.items():
        if name in sensitive and value is not None:
            old = previous.attributes.get(name) if previous else None
            out[name] = old if old and secret_matches(value, old) else hash_secret(value)
        else:
            out[name] = value
    return out


def adopted_resource(desired: Resource, change: pm.ResourceChange) -> Resource:
    """What state records when adopting a live object: Kinde's values for fields it returns (so any
    remaining difference stays a planned update) and the desired values for fields it cannot return."""
    live = {c.name: c.before for c in change.changes if not c.sensitive and not c.unreadable}
    return attrs.evolve(desired, attributes={**desired.attributes, **live}, kinde_id=change.kinde_id)


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


class SecretsFile:
    """A JSON file of one-time secrets keyed by address, mode 0600, written atomically per secret."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def check_writable(self) -> None:
        """Fail before Kinde shows a secret once (a create or a rotate), not after."""
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise KindeIacError(f"cannot write the secrets file {self.path}: {folder} is not a writable directory")
        if self.path.is_dir() or (self.path.exists() and not os.access(self.path, os.W_OK)):
            raise KindeIacError(f"cannot write the secrets file {self.path}: it is not a writable file")
        self.read()

    def read(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            raise KindeIacError(f"cannot read the secrets file {self.path}: {err}") from None

    def write(self, address: str, secret: str) -> None:
        with self._lock:
            data = {**self.read(), address: secret}
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)


class _Applier:
    """The WriteContext kinds see, plus the bookkeeping of one apply run."""

    def __init__(self, plan: pm.Plan, desired: Mapping[str, Resource], state: StateStore, client: Any,
                 on_event: Callable[[str], None] | None, secrets_out: SecretsFile | None = None) -> None:
        self.secrets_out = secrets_out
        self.plan = plan
        self.desired = desired
        self.state = state
        self.client = client
        self._emit = on_event or (lambda _line: None)
        self._lock = threading.RLock()
        self._ids: dict[str, str] = {a: s.kinde_id for a, s in state.resources().items() if s.kinde_id}
        for ch in plan.changes:
            if ch.kinde_id and ch.action != pm.REPLACE:
                self._ids.setdefault(ch.address, ch.kinde_id)
        self.apply_id = ""
        self.result = ApplyResult()

    # -- WriteContext --------------------------------------------------------------------------
    def id_of(self, address: str) -> str:
        with self._lock:
            return self._ids[address]

    def record_created(self, resource: Resource, kinde_id: str | None, attributes: Mapping[str, Any]) -> None:
        kind = BY_NAME[resource.kind]
        partial = attrs.evolve(resource, attributes=dict(attributes))
        with self._lock:
            if kinde_id:
                self._ids[resource.address] = kinde_id
            self.state.put(self._row(kind, partial, kinde_id))

    def deliver_secret(self, address: str, secret: str) -> None:
        if self.secrets_out is None:
            self._emit(f"{address}: its one-time secret was discarded (no --secrets-out FILE given)")
            return
        self.secrets_out.write(address, secret)
        self._emit(f"{address}: one-time secret written to {self.secrets_out.path}")

    # -- bookkeeping ---------------------------------------------------------------------------
    def _row(self, kind: Kind, resource: Resource, kinde_id: str | None) -> StateResource:
        return state_row(attrs.evolve(resource, kinde_id=kinde_id), self.state.get(resource.address))

    def _step(self, address: str, action: str, fn: Callable[[], Any], *, put: Callable[[Any], StateResource | None]
              | None = None, remove: bool = False) -> Any:
        """One journaled step: intent row, the call, then result + state row in one transaction."""
        with self._lock:
            entry = self.state.journal_intent(self.apply_id, address, action, "", "")
        try:
            value = fn()
        except Exception as err:
            with self._lock:
                outcome = "ambiguous" if isinstance(err, ApiError) and err.ambiguous else "failed"
                self.state.journal_result(entry, outcome=outcome, detail=str(err)[:500])
            raise
        with self._lock:
            row = put(value) if put else None
            if row is not None:
                self._ids.pop(address, None)
                if row.kinde_id:
                    self._ids[address] = row.kinde_id
            self.state.journal_result(entry, outcome="ok", kinde_id=row.kinde_id if row else None,
                                      put=row, remove=address if remove else None)
        return value

    # -- actions --------------------------------------------------------------------------------
    def forward(self, ch: pm.ResourceChange) -> None:
        kind = BY_NAME[ch.kind]
        d = self.desired[ch.address]
        if ch.action == pm.REPLACE:
            old = self._resource_from_state(ch) or attrs.evolve(d, kinde_id=ch.kinde_id)
            self._emit(f"{ch.address}: Destroying... [id={ch.kinde_id or ch.key}]")
            self._step(ch.address, "delete", lambda: kind.delete(self, old, ch.kinde_id), remove=True)
        if ch.action in (pm.CREATE, pm.REPLACE):
            self._emit(f"{ch.address}: Creating...")
            kinde_id = self._step(ch.address, "create", lambda: self._create(kind, d),
                                  put=lambda kid: self._row(kind, d, kid))
            self._emit(f"{ch.address}: Creation complete" + (f" [id={kinde_id}]" if kinde_id else ""))
            self._count("added" if ch.action == pm.CREATE else "changed")
            return
        if ch.imported:
            self._emit(f"{ch.address}: Importing... [id={ch.kinde_id or ch.key}]")
            adopted = adopted_resource(d, ch)
            self._step(ch.address, "import", lambda: None, put=lambda _v: self._row(kind, adopted, ch.kinde_id))
            self._count("imported")
        if ch.action == pm.UPDATE:
            changed = frozenset(c.name for c in ch.changes)
            self._emit(f"{ch.address}: Modifying... [id={ch.kinde_id or ch.key}]")
            self._step(ch.address, "update",
                       lambda: kind.update(self, d, ch.kinde_id, ch.before or {}, changed),
                       put=lambda _v: self._row(kind, d, ch.kinde_id))
            self._emit(f"{ch.address}: Modifications complete")
            self._count("changed")
        elif ch.action == pm.NOOP:
            previous = self.state.get(ch.address)
            row = self._row(kind, d, ch.kinde_id)
            if previous is None or previous.attributes != row.attributes or previous.kinde_id != ch.kinde_id \
                    or tuple(previous.depends_on) != tuple(d.depends_on) or previous.protect != row.protect:
                with self._lock:
                    self.state.put(row)

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
            self._emit(f"{d.address}: create outcome unknown; checking Kinde by natural key")
            self._count("rechecked")
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

    def backward(self, ch: pm.ResourceChange) -> None:
        if ch.action == pm.FORGET:
            self._step(ch.address, "forget", lambda: None, remove=True)
            return
        kind = BY_NAME[ch.kind]
        old = self._resource_from_state(ch)
        self._emit(f"{ch.address}: Destroying... [id={ch.kinde_id or ch.key}]")
        self._step(ch.address, "delete", lambda: kind.delete(self, old, ch.kinde_id), remove=True)
        self._emit(f"{ch.address}: Destruction complete")
        self._count("destroyed")

    def _resource_from_state(self, ch: pm.ResourceChange) -> Resource | None:
        s = self.state.get(ch.address)
        if s is None:
            return None
        return Resource(kind=s.kind, key=s.key, natural=tuple(s.natural), attributes=dict(s.attributes),
                        depends_on=tuple(s.depends_on), kinde_id=s.kinde_id)

    def _count(self, what: str) -> None:
        with self._lock:
            self.result.counts[what] += 1


def _walk(ts: TopologicalSorter, by_address: Mapping[str, pm.ResourceChange], run: Callable[[pm.ResourceChange], None],
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
    plan: pm.Plan,
    *,
    desired: Mapping[str, Resource],
    state: StateStore,
    client: Any,
    parallelism: int = 4,
    who: str = "",
    on_event: Callable[[str], None] | None = None,
    secrets_out: SecretsFile | None = None,
) -> ApplyResult:
    """Carry out ``plan``. ``desired`` holds the real (unmasked) desired objects by address."""
    started = time.monotonic()
    applier = _Applier(plan, desired, state, client, on_event, secrets_out)
    state.ensure_created()
    # Steps a killed run began but never finished: the plan just made has settled them by reading
    # Kinde by natural key (adopting what landed, redoing what did not), so they are closed here.
    for entry in state.open_intents():
        state.journal_result(entry.id, outcome="ambiguous",
                             detail="the run ended before this step's result; reconciled by natural key "
                                    "in the next apply")
    applier.apply_id = state.begin_apply(who=who, summary=plan.count())
    by_address = {c.address: c for c in plan.changes}
    result = applier.result
    try:
        _walk(forward_graph(plan.changes), by_address, applier.forward, parallelism, result)
        if result.ok:
            _walk(reverse_graph(plan.changes), by_address, applier.backward, parallelism, result)
        else:
            result.skipped.extend(sorted(c.address for c in plan.changes
                                         if c.action in (pm.DELETE, pm.FORGET) and c.address not in result.skipped))
    finally:
        result.seconds = time.monotonic() - started
        state.end_apply(applier.apply_id, status="ok" if result.ok else "failed",
                        summary={**result.counts, "failed": len(result.failed)})
    return result
