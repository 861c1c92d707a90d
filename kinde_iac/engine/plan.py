"""Three-way diff of desired (config), last-applied (state) and live (Kinde) into a ``Plan``.

For every field: D = desired, S = last applied, L = live. D = L: nothing to do. D != L and L = S:
pending (the config changed). D != L and D = S: drift (changed outside kinde-iac; the plan reverts
it). All three differ: conflict. Fields Kinde cannot return are compared with S only.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from kinde_iac.engine.diff import differing_fields, same
from kinde_iac.engine.events import RefreshListener
from kinde_iac.engine.plan_model import (
    SENSITIVE,
    Action,
    AttributeChange,
    Plan,
    ResourceChange,
    Unmanaged,
    Verdict,
)
from kinde_iac.engine.refresh import LiveState
from kinde_iac.engine.session import Session, read_live
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import BY_NAME, Kind, Resource
from kinde_iac.resources.base import set_diff
from kinde_iac.state import StateResource, is_secret_hash


class PlanError(KindeIacError):
    """The plan cannot be made safely (ambiguous adoption, a protected object destroyed...)."""


def mask(kind: Kind, attributes: Mapping[str, Any] | None, sensitive: frozenset[str]) -> dict[str, Any] | None:
    if attributes is None:
        return None
    return {k: (SENSITIVE if k in sensitive and v is not None else v) for k, v in attributes.items()}


def _index_live(live: LiveState) -> tuple[dict[tuple[str, str], Resource], dict[tuple[str, tuple[str, ...]], list[Resource]]]:
    by_id: dict[tuple[str, str], Resource] = {}
    by_natural: dict[tuple[str, tuple[str, ...]], list[Resource]] = {}
    for kind, resources in live.by_kind.items():
        for r in resources:
            if r.kinde_id:
                by_id[(kind, r.kinde_id)] = r
            by_natural.setdefault((kind, r.natural), []).append(r)
    return by_id, by_natural


class _Matcher:
    """Pairs desired and state objects with live ones: by Kinde id first, then by natural key."""

    def __init__(self, live: LiveState) -> None:
        self.by_id, self.by_natural = _index_live(live)
        self.claimed: set[int] = set()

    def claim(self, r: Resource | None) -> Resource | None:
        if r is not None:
            self.claimed.add(id(r))
        return r

    def by_state(self, s: StateResource) -> Resource | None:
        if s.kinde_id and (s.kind, s.kinde_id) in self.by_id:
            return self.claim(self.by_id[(s.kind, s.kinde_id)])
        if not s.kinde_id:  # kinds keyed by natural key (feature flags)
            found = self.unclaimed(s.kind, tuple(s.natural))
            return self.claim(found[0]) if found else None
        return None

    def unclaimed(self, kind: str, natural: tuple[str, ...]) -> list[Resource]:
        return [r for r in self.by_natural.get((kind, natural), []) if id(r) not in self.claimed]


def build_plan(
    *,
    workspace: str,
    domain: str,
    environment: str | None,
    desired: Sequence[Resource],
    state: Mapping[str, StateResource],
    lineage: str,
    serial: int,
    live: LiveState,
    adopt_ids: Mapping[str, str] | None = None,
    on_ambiguous: Callable[[str, str], None] | None = None,
) -> Plan:
    """Compare and decide one action per object. ``adopt_ids`` pins an address to a live id.

    Several live candidates for one adoption are an error, unless ``on_ambiguous`` takes the
    (address, message) and the object is left unmatched (``import`` of other addresses)."""
    adopt_ids = dict(adopt_ids or {})
    matcher = _Matcher(live)
    desired_by_addr = {r.address: r for r in desired}
    warnings: list[str] = []

    # State entries first, so their live objects are claimed before any adoption by natural key.
    live_of: dict[str, Resource | None] = {}
    for address, row in state.items():
        if row.kind in live.kinds:
            live_of[address] = matcher.by_state(row)

    changes: dict[str, ResourceChange] = {}
    replaced: set[str] = set()
    for d in desired:
        kind = BY_NAME[d.kind]
        s = state.get(d.address)
        l = live_of.get(d.address)
        deleted_outside = s is not None and l is None
        imported = False
        if l is None:
            if d.address in adopt_ids:
                l = matcher.claim(matcher.by_id.get((d.kind, adopt_ids[d.address])))
                if l is None:
                    raise PlanError(f"{d.address}: no live {d.kind} has id {adopt_ids[d.address]}")
            else:
                candidates = matcher.unclaimed(d.kind, d.natural)
                if len(candidates) > 1:
                    ids = ", ".join(c.kinde_id or "?" for c in candidates)
                    message = (f"{d.address}: {len(candidates)} live {d.kind}s match "
                               f"{kind.natural_label(d.natural)!r} (ids {ids}); choose one with "
                               f"`kinde-iac import {d.address}=<id>`")
                    if on_ambiguous is None:
                        raise PlanError(message)
                    on_ambiguous(d.address, message)
                    for c in candidates:
                        matcher.claim(c)
                    candidates = []
                l = matcher.claim(candidates[0]) if candidates else None
            imported = l is not None and (s is None or deleted_outside)
            if imported:
                deleted_outside = False
        change = _diff_one(kind, d, s, l, imported, deleted_outside, warnings)
        if change.action == Action.REPLACE:
            replaced.add(d.address)
        changes[d.address] = change

    # A replaced parent takes its children (scopes of an API) with it.
    for d in desired:
        kind = BY_NAME[d.kind]
        if kind.parent_kind and any(dep in replaced for dep in d.depends_on):
            ch = changes[d.address]
            if ch.action in (Action.UPDATE, Action.NOOP):
                warning = (kind.replace_warning,) if kind.replace_warning else ()
                changes[d.address] = _evolve(ch, action=Action.REPLACE,
                                             notes=ch.notes + ("replaced with its parent", *warning))
                replaced.add(d.address)

    # Links to replaced objects vanish with them and must be made again.
    if replaced:
        for d in desired:
            ch = changes[d.address]
            kind = BY_NAME[d.kind]
            if ch.before is None or ch.action in (Action.CREATE, Action.REPLACE):
                continue
            lost = {f.name: {k for k in (ch.before.get(f.name) or []) if f"{f.ref_kind}.{k}" in replaced}
                    for f in kind.fields if f.ref_kind}
            if any(lost.values()):
                before = dict(ch.before)
                for name, keys in lost.items():
                    if keys:
                        before[name] = sorted(set(before[name]) - keys)
                relinked = Resource(kind=d.kind, key=d.key, natural=d.natural, attributes=before,
                                    kinde_id=ch.kinde_id)
                redo = _diff_one(kind, d, state.get(d.address), relinked, ch.imported, False, warnings)
                changes[d.address] = _evolve(redo, notes=redo.notes + ("re-links objects being replaced",))

    # In state but no longer in config: destroy (or just forget when Kinde has already lost it).
    for address, row in state.items():
        if address in desired_by_addr or row.kind not in live.kinds:
            continue
        kind = BY_NAME[row.kind]
        gone = live_of.get(address)
        if gone is None:
            changes[address] = ResourceChange(
                address=address, kind=row.kind, key=row.key, action=Action.FORGET, kinde_id=row.kinde_id,
                natural=tuple(row.natural), depends_on=tuple(row.depends_on), deleted_outside=True,
                notes=("already deleted outside kinde-iac; only forgotten from state",))
            continue
        sens = kind.sensitive_fields(row.attributes)
        changes[address] = ResourceChange(
            address=address, kind=row.kind, key=row.key, action=Action.DELETE, kinde_id=gone.kinde_id,
            natural=tuple(row.natural), before=mask(kind, gone.attributes, sens),
            depends_on=tuple(row.depends_on), notes=tuple(kind.warnings(gone)),
        )

    unmanaged = []
    coverage: dict[str, tuple[int, int]] = {}
    for kind_name in live.kinds:
        resources = live.of(kind_name)
        managed = sum(1 for r in resources if id(r) in matcher.claimed)
        coverage[kind_name] = (managed, len(resources))
        for r in resources:
            if id(r) not in matcher.claimed:
                unmanaged.append(Unmanaged(address=r.address, kind=kind_name, natural=r.natural,
                                              kinde_id=r.kinde_id))

    ordered = _order(changes)
    return Plan(
        workspace=workspace, domain=domain, environment=environment, lineage=lineage, serial=serial,
        changes=tuple(ordered), unmanaged=tuple(unmanaged), warnings=tuple(dict.fromkeys(warnings)),
        coverage=coverage,
    )


def _evolve(ch: ResourceChange, **kw: Any) -> ResourceChange:
    return attrs.evolve(ch, **kw)


def _diff_one(kind: Kind, d: Resource, s: StateResource | None, l: Resource | None, imported: bool,
              deleted_outside: bool, warnings: list[str]) -> ResourceChange:
    sens = kind.sensitive_fields(d.attributes)
    after = mask(kind, d.attributes, sens)
    base: dict[str, Any] = {"address": d.address, "kind": d.kind, "key": d.key, "natural": d.natural,
                            "depends_on": d.depends_on, "after": after, "imported": imported,
                            "deleted_outside": deleted_outside}
    if l is None:
        return ResourceChange(action=Action.CREATE, **base,
                              notes=("deleted outside kinde-iac",) if deleted_outside else ())

    S = s.attributes if s is not None and not imported else None
    changes: list[AttributeChange] = []
    set_fields = frozenset(f.name for f in kind.fields if f.is_set)
    # An optional field the config leaves out is not managed: whatever Kinde holds stays.
    compared = [f for f in kind.fields if not (f.optional and d.attributes.get(f.name) is None)]
    # Cheap pass first: in a converged workspace every object is equal and deepdiff is never run.
    candidates = differing_fields(
        {f.name: _effective_live(f.name, f.unreadable or f.name in sens, l, S, d) for f in compared},
        {f.name: d.attributes.get(f.name) for f in compared},
        set_fields,
    ) if not sens else {f.name for f in compared}
    for f in compared:
        if f.name not in candidates:
            continue
        sensitive = f.name in sens
        unreadable = f.unreadable or sensitive
        D = d.attributes.get(f.name)
        L = _effective_live(f.name, unreadable, l, S, d)
        if same(D, L, is_set=f.is_set, sensitive=sensitive):
            continue
        if f.unclearable and D is None:
            warnings.append(f"{d.address}: Kinde cannot clear {f.name}; the live value is kept")
            continue
        if f.is_set and L is None:
            continue  # not read (an object kinde-iac had no reason to look into)
        if S is None:
            verdict = Verdict.ADOPT if imported else Verdict.PENDING
        else:
            s_val = S.get(f.name)
            if same(L, s_val, is_set=f.is_set, sensitive=sensitive):
                verdict = Verdict.PENDING
            elif same(D, s_val, is_set=f.is_set, sensitive=sensitive):
                verdict = Verdict.DRIFT
            else:
                verdict = Verdict.CONFLICT
        added, removed = set_diff(L, D) if f.is_set else ([], [])
        changes.append(AttributeChange(
            name=f.name,
            before=SENSITIVE if sensitive else L,
            after=SENSITIVE if sensitive else D,
            last_applied=_shown_last_applied(S.get(f.name) if S else None, sensitive),
            verdict=verdict, sensitive=sensitive, unreadable=unreadable,
            forces_replacement=kind.forces_replacement(f.name, d.attributes),
            business_wide=f.business_wide, is_set=f.is_set, added=tuple(added), removed=tuple(removed),
        ))
    before = mask(kind, {f.name: _effective_live(f.name, f.unreadable or f.name in sens, l, S, d)
                         for f in kind.fields}, sens)
    if not changes:
        action = Action.NOOP
    elif any(c.forces_replacement for c in changes):
        action = Action.REPLACE
    else:
        action = Action.UPDATE
    notes: list[str] = []
    if any(c.business_wide for c in changes) or action == Action.REPLACE and any(f.business_wide for f in kind.fields):
        notes.extend(kind.warnings(d))
    if action == Action.REPLACE and kind.replace_warning:
        notes.append(kind.replace_warning)
    return ResourceChange(action=action, kinde_id=l.kinde_id, before=before, changes=tuple(changes),
                             notes=tuple(notes), **base)


def _shown_last_applied(value: Any, sensitive: bool) -> Any:
    """A value that was secret when applied stays masked, even if the variable is no longer secret."""
    return SENSITIVE if sensitive or is_secret_hash(value) else value


def _effective_live(name: str, unreadable: bool, l: Resource, S: Mapping[str, Any] | None, d: Resource) -> Any:
    """What Kinde holds for a field; for fields it cannot return, the last-applied value (or, when
    adopting with no history, the desired value: there is nothing to compare against)."""
    if unreadable:
        return S.get(name) if S is not None else d.attributes.get(name)
    return l.attributes.get(name)


def _order(changes: Mapping[str, ResourceChange]) -> Iterable[ResourceChange]:
    """Stable, readable order: by kind registry order, then address."""
    kind_order = {name: i for i, name in enumerate(BY_NAME)}
    return sorted(changes.values(), key=lambda c: (kind_order[c.kind], c.address))


def make_plan(session: Session, *, parallelism: int = 8, adopt_ids: Mapping[str, str] | None = None,
              on_event: RefreshListener | None = None,
              on_ambiguous: Callable[[str, str], None] | None = None) -> Plan:
    """The plan of a session's workspace: the environment guard, one refresh, the three-way diff."""
    env, state_rows, live = read_live(session, parallelism=parallelism, on_event=on_event)
    plan = build_plan(
        workspace=session.target.name, domain=session.api.base_url, environment=env.get("code"),
        desired=session.desired, state=state_rows, lineage=session.state.lineage, serial=session.state.serial,
        live=live, adopt_ids=adopt_ids, on_ambiguous=on_ambiguous,
    )
    if not session.workspace.kinde.environment:
        warning = (f"{session.target.config}: no kinde.environment set, so kinde-iac cannot check that these "
                   f"credentials reach the intended environment (they reach {env.get('code')!r})")
        plan = attrs.evolve(plan, warnings=(*plan.warnings, warning))
    return plan
