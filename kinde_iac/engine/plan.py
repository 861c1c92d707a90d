"""Three-way diff of desired (config), last-applied (state) and live (Kinde) into a ``Plan``.

For every field: D = desired, S = last applied, L = live. D = L: nothing to do. D != L and L = S:
pending (the config changed). D != L and D = S: drift (changed outside kinde-iac; the plan reverts
it). All three differ: conflict. Fields Kinde cannot return are compared with S only.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs

from kinde_iac.engine.business_wide import add_effects
from kinde_iac.engine.compare import diff_one, mask
from kinde_iac.engine.events import RefreshListener
from kinde_iac.engine.plan_model import RELINK_NOTE, Action, Plan, ResourceChange, Unmanaged
from kinde_iac.engine.refresh import LiveState
from kinde_iac.engine.session import Session, read_live
from kinde_iac.engine.targeting import check_addresses, restrict
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import BY_NAME, Resource
from kinde_iac.state import StateResource

__all__ = ["PlanError", "build_plan", "make_plan", "mask"]


class PlanError(KindeIacError):
    """The plan cannot be made safely (ambiguous adoption, a protected object destroyed...)."""


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
    moved: Mapping[str, str] | None = None,
    replace: Collection[str] = (),
) -> Plan:
    """Compare and decide one action per object. ``adopt_ids`` pins an address to a live id.

    Several live candidates for one adoption are an error, unless ``on_ambiguous`` takes the
    (address, message) and the object is left unmatched (``import`` of other addresses).
    ``state`` is keyed by the addresses the config uses now, and ``moved`` maps each address a
    ``moved`` entry gave a state object to its old one (``engine.moves``). ``replace`` names
    objects to replace even though nothing forces it (``--replace``)."""
    adopt_ids = dict(adopt_ids or {})
    moved = dict(moved or {})
    matcher = _Matcher(live)
    desired_by_addr = {r.address: r for r in desired}
    warnings: list[str] = []

    # State entries first, so their live objects are claimed before any adoption by natural key.
    live_of: dict[str, Resource | None] = {}
    for address, row in state.items():
        if row.kind in live.kinds:
            live_of[address] = matcher.by_state(row)
    #: Live object -> the address that manages it, for telling duplicates from unmanaged objects.
    owner = {id(r): address for address, r in live_of.items() if r is not None}

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
        if l is not None:
            owner[id(l)] = d.address
        change = diff_one(kind, d, s, l, imported, deleted_outside, warnings, moved=d.address in moved)
        if d.address in replace and l is not None and change.action in (Action.UPDATE, Action.NOOP):
            change = _evolve(change, action=Action.REPLACE, notes=(*change.notes, "replacement requested with --replace"))
        if d.address in moved:
            change = _evolve(change, moved_from=moved[d.address])
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
                redo = diff_one(kind, d, state.get(d.address), relinked, ch.imported, False, warnings)
                changes[d.address] = _evolve(redo, notes=(*redo.notes, RELINK_NOTE),
                                             moved_from=ch.moved_from)

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

    unmanaged = _unmanaged(live, matcher, owner, taken={*desired_by_addr, *state}, warnings=warnings)
    coverage: dict[str, tuple[int, int]] = {}
    for kind_name in live.kinds:
        resources = live.of(kind_name)
        coverage[kind_name] = (sum(1 for r in resources if id(r) in matcher.claimed), len(resources))

    ordered = _order(changes)
    return Plan(
        workspace=workspace, domain=domain, environment=environment, lineage=lineage, serial=serial,
        changes=tuple(ordered), unmanaged=tuple(unmanaged), warnings=tuple(dict.fromkeys(warnings)),
        coverage=coverage,
    )


def _evolve(ch: ResourceChange, **kw: Any) -> ResourceChange:
    return attrs.evolve(ch, **kw)


def _unmanaged(live: LiveState, matcher: _Matcher, owner: Mapping[int, str], *, taken: set[str],
               warnings: list[str]) -> list[Unmanaged]:
    """Live objects nothing claimed, each under an address of its own. One that shares the natural
    key of a managed object (Kinde keeps application names not unique) is that object's duplicate."""
    out = []
    for kind_name in live.kinds:
        kind = BY_NAME[kind_name]
        for r in live.of(kind_name):
            if id(r) in matcher.claimed:
                continue
            address = r.address
            n = 1
            while address in taken:
                n += 1
                address = f"{kind_name}.{r.key}-{n}"
            taken.add(address)
            twins = [o for o in matcher.by_natural.get((kind_name, r.natural), []) if id(o) in owner]
            twin = owner[id(twins[0])] if twins else None
            if twin is not None:
                warnings.append(
                    f"{twin}: Kinde holds another {kind_name} with the same natural key "
                    f"{kind.natural_label(r.natural)!r} (id {r.kinde_id or '?'}), reported as {address}; "
                    f"kinde-iac manages id {twins[0].kinde_id or '?'} and leaves the other alone")
            out.append(Unmanaged(address=address, kind=kind_name, natural=r.natural, kinde_id=r.kinde_id,
                                 duplicate_of=twin))
    return out


def _order(changes: Mapping[str, ResourceChange]) -> Iterable[ResourceChange]:
    """Stable, readable order: by kind registry order, then address."""
    kind_order = {name: i for i, name in enumerate(BY_NAME)}
    return sorted(changes.values(), key=lambda c: (kind_order[c.kind], c.address))


def make_plan(session: Session, *, parallelism: int = 8, adopt_ids: Mapping[str, str] | None = None,
              on_event: RefreshListener | None = None,
              on_ambiguous: Callable[[str, str], None] | None = None,
              targets: Sequence[str] = (), replace: Sequence[str] = ()) -> Plan:
    """The plan of a session's workspace: the environment guard, one refresh, the three-way diff.
    ``targets`` and ``replace`` are ``--target`` and ``--replace`` (``engine.targeting``)."""
    desired = session.desired_by_address
    check_addresses("--replace", replace, desired)
    env, state_rows, live = read_live(session, parallelism=parallelism, on_event=on_event)
    check_addresses("--target", targets, {*desired, *state_rows})
    plan = build_plan(
        workspace=session.target.name, domain=session.api.base_url, environment=env.get("code"),
        desired=session.desired, state=state_rows, lineage=session.state.lineage, serial=session.state.serial,
        live=live, adopt_ids=adopt_ids, on_ambiguous=on_ambiguous, moved=session.moves, replace=replace,
    )
    if targets:
        plan = restrict(plan, targets, desired, state_rows)
    plan = add_effects(plan, session)
    if not session.workspace.kinde.environment:
        warning = (f"{session.target.config}: no kinde.environment set, so kinde-iac cannot check that these "
                   f"credentials reach the intended environment (they reach {env.get('code')!r})")
        plan = attrs.evolve(plan, warnings=(*plan.warnings, warning))
    return plan
