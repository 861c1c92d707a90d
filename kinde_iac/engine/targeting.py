"""``--target ADDRESS`` and ``--replace ADDRESS`` on plan and apply, as Terraform has them.

A targeted plan holds only the targets and what they depend on (transitively), plus the objects a
replacement among those takes with it (an API's scopes). It says it is partial, since everything
else the configuration would change is left out.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import attrs

from kinde_iac.engine.plan_model import RELINK_NOTE, Action, Plan
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import Resource
from kinde_iac.state import StateResource


def check_addresses(option: str, addresses: Sequence[str], known: Collection[str]) -> None:
    """Every address an option names must be one the configuration (or state) has."""
    unknown = [a for a in addresses if a not in known]
    if unknown:
        raise KindeIacError(f"{option} {unknown[0]}: no object in the configuration or state has this address")


def with_dependencies(targets: Sequence[str], desired: Mapping[str, Resource],
                      state: Mapping[str, StateResource]) -> set[str]:
    """The targets and everything they depend on, by the configuration (or, for an object being
    destroyed, by state)."""
    keep: set[str] = set()
    todo = list(targets)
    while todo:
        address = todo.pop()
        if address in keep:
            continue
        keep.add(address)
        if address in desired:
            todo.extend(desired[address].depends_on)
        elif address in state:
            todo.extend(state[address].depends_on)
    return keep


def restrict(plan: Plan, targets: Sequence[str], desired: Mapping[str, Resource],
             state: Mapping[str, StateResource]) -> Plan:
    """The part of ``plan`` that ``--target`` asks for, marked partial."""
    keep = with_dependencies(targets, desired, state)
    by_address = {ch.address: ch for ch in plan.changes}
    grew = True
    while grew:  # what a kept replacement takes with it, or must re-link, comes along
        grew = False
        for ch in plan.changes:
            cascades = ch.action == Action.REPLACE or RELINK_NOTE in ch.notes
            if ch.address in keep or not cascades:
                continue
            if any(d in keep and by_address.get(d) is not None and by_address[d].action == Action.REPLACE
                   for d in ch.depends_on):
                keep.add(ch.address)
                grew = True
    warning = (f"this plan is partial (--target {', '.join(targets)}): it holds only "
               f"{'that object' if len(targets) == 1 else 'those objects'} and what "
               f"{'it depends' if len(targets) == 1 else 'they depend'} on; other changes the configuration "
               f"asks for are not shown and will not be applied")
    return attrs.evolve(plan, changes=tuple(ch for ch in plan.changes if ch.address in keep),
                        targets=tuple(targets), warnings=(warning, *plan.warnings))
