"""The safety rails a plan passes before apply may run it: protected objects are never destroyed, a
plan destroying more than the workspace's share of managed objects needs --allow-mass-delete, and
the objects kinde-iac must never change (its own M2M application, the Management API) are never
touched.

``check_safety`` runs on every fresh plan (``plan`` shows a mass delete as blocked). ``enforce_rails``
runs on exactly what apply is about to execute, including a saved plan read back from a file, whose
``blocked`` field (like everything in the file) may have been edited: nothing in it is trusted.
"""
from __future__ import annotations

from collections.abc import Mapping

import attrs

from kinde_iac.engine.plan import PlanError
from kinde_iac.engine.plan_model import Action, Plan
from kinde_iac.engine.session import Session, own_client_id
from kinde_iac.resources import Resource
from kinde_iac.state import StateResource

_DESTROYS = (Action.DELETE, Action.REPLACE)


def protected_destroys(plan: Plan, desired: Mapping[str, Resource], state_rows: Mapping[str, StateResource]) -> list[str]:
    """Addresses the plan would destroy although config or state marks them ``protect``."""
    out = []
    for ch in plan.changes:
        if ch.action not in _DESTROYS:
            continue
        d = desired.get(ch.address)
        s = state_rows.get(ch.address)
        if (d is not None and d.protect) or (s is not None and s.protect):
            out.append(ch.address)
    return out


def protect_message(addresses: list[str]) -> str:
    return (f"{', '.join(addresses)}: protected (\"protect\": true) but this plan would destroy "
            f"{'it' if len(addresses) == 1 else 'them'}; apply once with protect removed first")


def mass_delete_message(plan: Plan, managed: int, share: float) -> str | None:
    """Why the plan destroys too much (None when it does not)."""
    destroys = sum(1 for ch in plan.changes if ch.action == Action.DELETE)
    if managed and destroys > share * managed:
        return (f"this plan destroys {destroys} of {managed} managed objects (more than {share:.0%}); "
                f"apply needs --allow-mass-delete")
    return None


def untouchable_changes(plan: Plan, never: Mapping[str, str]) -> list[str]:
    """One line per change aimed at an object kinde-iac must never change (``never``: Kinde id ->
    what it is). Any action counts, and an import too: adopting it would hand it to a later delete."""
    return [f"{ch.address}: Kinde id {ch.kinde_id} is {never[ch.kinde_id]}, which kinde-iac never changes"
            for ch in plan.changes if ch.kinde_id and ch.kinde_id in never and (ch.is_change or ch.action == Action.FORGET)]


def never_touched(session: Session) -> dict[str, str]:
    """Kinde ids of the objects no plan may touch: the M2M application whose credentials this run
    uses, and whatever the refresh was told to leave alone (the Management API)."""
    never = dict(session.live.never_touch) if session.live is not None else {}
    never[own_client_id(session)] = "kinde-iac's own M2M application (the client id it runs as)"
    return never


def check_safety(plan: Plan, session: Session, *, allow_mass_delete: bool) -> Plan:
    """Refuses a plan destroying a protected object or changing an object that is never touched;
    marks a mass delete ``blocked`` (apply refuses it, plan shows why) unless ``allow_mass_delete``.
    The default share is half."""
    state_rows = session.state.resources()
    problems = untouchable_changes(plan, never_touched(session))
    if problems:
        raise PlanError("; ".join(problems) + "; refusing")
    protected = protected_destroys(plan, session.desired_by_address, state_rows)
    if protected:
        raise PlanError(protect_message(protected))
    message = mass_delete_message(plan, len(state_rows), session.workspace.max_delete_fraction)
    if message and not allow_mass_delete:
        plan = attrs.evolve(plan, warnings=(*plan.warnings, message), blocked=message)
    return plan


def enforce_rails(plan: Plan, session: Session, *, allow_mass_delete: bool) -> None:
    """Raise, naming the rail, if apply must not run ``plan`` as it stands. Every rail is worked out
    again from the plan's actions, the config and the state."""
    problems = untouchable_changes(plan, never_touched(session))
    if problems:
        raise PlanError("; ".join(problems) + "; refusing")
    state_rows = session.state.resources()
    protected = protected_destroys(plan, session.desired_by_address, state_rows)
    if protected:
        raise PlanError(protect_message(protected))
    message = mass_delete_message(plan, len(state_rows), session.workspace.max_delete_fraction)
    if message and not allow_mass_delete:
        raise PlanError(message)
