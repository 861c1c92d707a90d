"""What a business-wide change (a feature flag definition) means for the project's other
workspaces: each kind says it (``Kind.business_wide_effects``) from the workspace files beside this
one, read without their secrets. The notes go on the change in the plan."""
from __future__ import annotations

from collections.abc import Sequence

import attrs

from kinde_iac.config.loader import discover_workspaces
from kinde_iac.config.model import Workspace
from kinde_iac.config.offline import load_without_secrets
from kinde_iac.engine.plan_model import UNKNOWN, Action, Plan, ResourceChange
from kinde_iac.engine.session import Session
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import BY_NAME, Resource


def other_workspaces(session: Session) -> list[Workspace]:
    """The workspaces beside this one's file; one that cannot be loaded is left out."""
    own = session.target.config.resolve()
    out = []
    for path in discover_workspaces(session.target.config.parent):
        if path.resolve() == own:
            continue
        try:
            out.append(load_without_secrets(path))
        except KindeIacError:
            continue  # its own validate reports it; a note is no place for that
    return out


def _business_wide(ch: ResourceChange) -> frozenset[str]:
    kind = BY_NAME[ch.kind]
    if ch.action in (Action.DELETE, Action.REPLACE):
        return frozenset(f.name for f in kind.fields if f.business_wide)
    return frozenset(c.name for c in ch.changes if c.business_wide)


def add_effects(plan: Plan, session: Session) -> Plan:
    """``plan`` with each business-wide change noting what it does to the other workspaces."""
    wide = [ch for ch in plan.changes if _business_wide(ch)]
    if not wide:
        return plan
    others: Sequence[Workspace] = other_workspaces(session)
    desired = session.desired_by_address
    updated = {}
    for ch in wide:
        resource = desired.get(ch.address) or Resource(kind=ch.kind, key=ch.key, natural=ch.natural,
                                                       attributes=dict(ch.before or {}))
        unknown = frozenset(c.name for c in ch.changes if c.before == UNKNOWN)
        notes = BY_NAME[ch.kind].business_wide_effects(resource, _business_wide(ch), others,
                                                      deleting=ch.action in (Action.DELETE, Action.REPLACE),
                                                      unknown=unknown)
        if notes:
            updated[ch.address] = attrs.evolve(ch, notes=(*ch.notes, *notes))
    if not updated:
        return plan
    return attrs.evolve(plan, changes=tuple(updated.get(ch.address, ch) for ch in plan.changes))
