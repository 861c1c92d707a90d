"""What moved outside kinde-iac since the last apply: no config diff, only last-applied (state)
against live (Kinde), plus live objects that no config and no state names (unmanaged)."""
from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping, Sequence

import attrs

from kinde_iac.config.model import IgnoreRule
from kinde_iac.engine.events import RefreshListener
from kinde_iac.engine.plan import build_plan
from kinde_iac.engine.plan_model import Action, ResourceChange, Unmanaged
from kinde_iac.engine.refresh import LiveState
from kinde_iac.engine.session import Session, read_live
from kinde_iac.resources import Resource
from kinde_iac.state import StateResource


@attrs.frozen
class DriftReport:
    workspace: str
    domain: str
    environment: str | None
    #: Managed objects whose fields moved (per field: last applied vs live).
    changed: tuple[ResourceChange, ...]
    #: Managed objects Kinde no longer has.
    deleted: tuple[ResourceChange, ...]
    #: Managed objects deleted and re-created outside kinde-iac (same natural key, new id).
    recreated: tuple[ResourceChange, ...]
    unmanaged: tuple[Unmanaged, ...]
    ignored: tuple[tuple[Unmanaged, str], ...]
    expired_rules: tuple[IgnoreRule, ...]
    #: Per kind: (managed, all live) objects.
    coverage: dict[str, tuple[int, int]]
    #: Live objects with the natural key of a managed one (Kinde does not keep names unique): someone
    #: made a second one outside kinde-iac, and adopting by that key is ambiguous from now on.
    duplicates: tuple[Unmanaged, ...] = ()
    #: Live objects the config names but state does not yet manage: the next apply adopts them.
    adoptable: tuple[Unmanaged, ...] = ()

    @property
    def in_sync(self) -> bool:
        return not (self.changed or self.deleted or self.recreated or self.duplicates)

    def total_coverage(self) -> tuple[int, int]:
        return (sum(m for m, _ in self.coverage.values()), sum(t for _, t in self.coverage.values()))


def state_as_desired(state: Mapping[str, StateResource]) -> list[Resource]:
    """Last-applied objects posing as the desired ones, so every live difference is a drift verdict."""
    return [Resource(kind=s.kind, key=s.key, natural=tuple(s.natural), attributes=dict(s.attributes),
                     depends_on=tuple(s.depends_on), kinde_id=s.kinde_id, protect=s.protect)
            for s in state.values()]


def matching_rule(address: str, rules: Sequence[IgnoreRule], today: dt.date) -> IgnoreRule | None:
    for rule in rules:
        if fnmatch.fnmatchcase(address, rule.address) and not _expired(rule, today):
            return rule
    return None


def _expired(rule: IgnoreRule, today: dt.date) -> bool:
    return rule.until is not None and dt.date.fromisoformat(rule.until) < today


def build_drift(
    *,
    workspace: str,
    domain: str,
    environment: str | None,
    desired: Sequence[Resource],
    state: Mapping[str, StateResource],
    live: LiveState,
    ignore: Sequence[IgnoreRule] = (),
    today: dt.date | None = None,
) -> DriftReport:
    today = today or dt.date.today()
    plan = build_plan(workspace=workspace, domain=domain, environment=environment, desired=state_as_desired(state),
                      state=state, lineage="", serial=0, live=live)
    wanted = {(r.kind, r.natural) for r in desired}
    changed, deleted, recreated = [], [], []
    for ch in plan.changes:
        if ch.deleted_outside or (ch.action == Action.CREATE and ch.address in state):
            deleted.append(ch)
        elif ch.imported:
            recreated.append(ch)
        elif ch.drift:
            changed.append(ch)
    unmanaged, ignored, duplicates, adoptable = [], [], [], []
    for u in plan.unmanaged:
        if u.duplicate_of is None and (u.kind, u.natural) in wanted:
            adoptable.append(u)  # in config, waiting to be adopted by the next apply: not unmanaged
            continue
        rule = matching_rule(u.address, ignore, today)
        if rule is not None:
            ignored.append((u, rule.address))
        elif u.duplicate_of is not None:
            duplicates.append(u)
        else:
            unmanaged.append(u)
    expired = tuple(r for r in ignore if _expired(r, today))
    return DriftReport(workspace=workspace, domain=domain, environment=environment, changed=tuple(changed),
                       deleted=tuple(deleted), recreated=tuple(recreated), unmanaged=tuple(unmanaged),
                       ignored=tuple(ignored), expired_rules=expired, coverage=plan.coverage,
                       duplicates=tuple(duplicates), adoptable=tuple(adoptable))


def make_drift(session: Session, *, parallelism: int = 8, on_event: RefreshListener | None = None) -> DriftReport:
    """Last apply against live, with every kind read so unmanaged objects are found too."""
    env, state_rows, live = read_live(session, parallelism=parallelism, everything=True, on_event=on_event)
    return build_drift(workspace=session.target.name, domain=session.api.base_url, environment=env.get("code"),
                       desired=session.desired, state=state_rows, live=live,
                       ignore=session.workspace.ignore)
