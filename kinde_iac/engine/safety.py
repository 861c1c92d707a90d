"""The safety rails a plan passes before apply may run it: protected objects are never destroyed,
and a plan destroying more than the workspace's share of managed objects needs --allow-mass-delete."""
from __future__ import annotations

import attrs

from kinde_iac.engine.plan import PlanError
from kinde_iac.engine.plan_model import Action, Plan
from kinde_iac.engine.session import Session


def check_safety(plan: Plan, session: Session, *, allow_mass_delete: bool) -> Plan:
    """Refuses a plan destroying a protected object; marks a mass delete ``blocked`` (apply refuses it,
    plan shows why) unless ``allow_mass_delete``. The default share is half."""
    desired = session.desired_by_address
    state_rows = session.state.resources()
    protected = []
    for ch in plan.changes:
        if ch.action not in (Action.DELETE, Action.REPLACE):
            continue
        d = desired.get(ch.address)
        s = state_rows.get(ch.address)
        if (d is not None and d.protect) or (s is not None and s.protect):
            protected.append(ch.address)
    if protected:
        raise PlanError(f"{', '.join(protected)}: protected (\"protect\": true) but this plan would destroy "
                        f"{'it' if len(protected) == 1 else 'them'}; apply once with protect removed first")
    destroys = sum(1 for ch in plan.changes if ch.action == Action.DELETE)
    managed = len(state_rows)
    share = session.workspace.max_delete_fraction
    if managed and destroys > share * managed and not allow_mass_delete:
        message = (f"this plan destroys {destroys} of {managed} managed objects (more than {share:.0%}); "
                   f"apply needs --allow-mass-delete")
        plan = attrs.evolve(plan, warnings=(*plan.warnings, message), blocked=message)
    return plan
