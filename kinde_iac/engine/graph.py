"""Dependency order of a plan's changes: creates and updates after what they depend on, deletes
before what they depend on (the reverse)."""
from __future__ import annotations

from collections.abc import Sequence
from graphlib import CycleError, TopologicalSorter

from kinde_iac.engine.plan_model import Action, ResourceChange
from kinde_iac.errors import KindeIacError

#: Actions that make or change objects (run first, dependencies first).
FORWARD = (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.NOOP)


def forward_nodes(changes: Sequence[ResourceChange]) -> list[str]:
    """The addresses the forward graph runs, in plan order."""
    return [c.address for c in changes if c.action in FORWARD or c.imported]


def reverse_nodes(changes: Sequence[ResourceChange]) -> list[str]:
    """The addresses the reverse graph runs, in plan order."""
    return [c.address for c in changes if c.action in (Action.DELETE, Action.FORGET)]


def forward_graph(changes: Sequence[ResourceChange]) -> TopologicalSorter:
    """Creates/updates/replacements (and adoptions): each waits for the objects it depends on."""
    nodes = set(forward_nodes(changes))
    ts: TopologicalSorter = TopologicalSorter()
    for c in changes:
        if c.address in nodes:
            ts.add(c.address, *(d for d in c.depends_on if d in nodes))
    return _prepared(ts)


def reverse_graph(changes: Sequence[ResourceChange]) -> TopologicalSorter:
    """Deletes: an object goes only after everything that depends on it has gone."""
    nodes = set(reverse_nodes(changes))
    ts: TopologicalSorter = TopologicalSorter()
    for c in changes:
        if c.address in nodes:
            ts.add(c.address)
            for dep in c.depends_on:
                if dep in nodes:
                    ts.add(dep, c.address)
    return _prepared(ts)


def _prepared(ts: TopologicalSorter) -> TopologicalSorter:
    try:
        ts.prepare()
    except CycleError as err:
        raise KindeIacError(f"dependency cycle between {' -> '.join(err.args[1])}") from None
    return ts
