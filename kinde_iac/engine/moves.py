"""Addresses that change while the Kinde object stays: ``moved`` entries in the config (as
Terraform's moved blocks) and ``kinde-iac state mv`` / ``state rm``.

A ``moved`` entry renames a state entry before the refresh and the plan see it, so the plan
compares the object under its new address, keeps its Kinde id and shows
``# application.old has moved to application.web`` instead of a destroy and a create. Apply records
the new address as a journaled ``move`` step. Once state has it under the new address the entry
does nothing, so it may stay in the config for workspaces that have not applied it yet.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kinde_iac.config.model import Moved
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import BY_NAME
from kinde_iac.state import StateResource, StateStore


def split_address(address: str) -> tuple[str, str]:
    """``role.admin`` -> ("role", "admin"); refuses an address of no known kind."""
    kind, sep, key = address.partition(".")
    if not sep or not key or kind not in BY_NAME:
        known = ", ".join(BY_NAME)
        raise KindeIacError(f"{address!r} is not an address: expected <kind>.<key> with a kind among {known}")
    return kind, key


def renamed(row: StateResource, address: str, renames: Mapping[str, str] | None = None) -> StateResource:
    """``row`` under ``address``; ``renames`` (old -> new) also follows moved objects it depends on."""
    _, key = split_address(address)
    deps = tuple((renames or {}).get(d, d) for d in row.depends_on)
    return attrs.evolve(row, address=address, key=key, depends_on=deps)


def apply_moves(rows: Mapping[str, StateResource], moved: Sequence[Moved]
                ) -> tuple[dict[str, StateResource], dict[str, str]]:
    """State as the config names it now: each moved entry's ``from`` row under its ``to`` address,
    entries applied in order (so chains work). Returns the rows by address, and for each address
    that moved, the address state holds it under."""
    out = dict(rows)
    origin: dict[str, str] = {}
    for entry in moved:
        if entry.source not in out:
            continue  # moved already, or never managed here
        if entry.target in out:
            raise KindeIacError(
                f"moved: state holds both {entry.source} and {entry.target}, so {entry.source} cannot move to "
                f"{entry.target}; stop managing one of them with `kinde-iac state rm ADDRESS`")
        out[entry.target] = out.pop(entry.source)
        origin[entry.target] = origin.pop(entry.source, entry.source)
    renames = {old: new for new, old in origin.items()}
    for address, row in out.items():
        if address in origin:
            out[address] = renamed(row, address, renames)
        elif any(d in renames for d in row.depends_on):
            out[address] = attrs.evolve(row, depends_on=tuple(renames.get(d, d) for d in row.depends_on))
    return dict(sorted(out.items())), origin


def move_in_state(store: StateStore, source: str, target: str, *, who: str) -> StateResource:
    """``kinde-iac state mv``: the object state knows as ``source`` is known as ``target`` from now
    on; Kinde is not called. The caller holds the state lock; the move is journaled."""
    rows = store.resources()
    if source not in rows:
        raise KindeIacError(f"{source} is not in state {store.path or store.workspace}")
    if target in rows:
        raise KindeIacError(f"{target} is already in state; `kinde-iac state rm {target}` first if it should go")
    if split_address(source)[0] != split_address(target)[0]:
        raise KindeIacError(f"cannot move {source} to {target}: an object keeps its kind")
    row = renamed(rows[source], target)
    _journaled(store, target, "move", who, put=row, remove=source, detail=f"moved from {source} (state mv)")
    return row


def remove_from_state(store: StateStore, address: str, *, who: str) -> StateResource:
    """``kinde-iac state rm``: stop managing ``address``; the object stays in Kinde, untouched."""
    row = store.get(address)
    if row is None:
        raise KindeIacError(f"{address} is not in state {store.path or store.workspace}")
    _journaled(store, address, "forget", who, remove=address, detail="removed from state (state rm); Kinde keeps it")
    return row


def _journaled(store: StateStore, address: str, action: str, who: str, *, put: StateResource | None = None,
               remove: str | None = None, detail: str = "") -> None:
    # A state edit is a one-step apply in the history, so `state journal` shows who did what.
    apply_id = store.begin_apply(who=who, summary={"state": action, "address": address})
    entry = store.journal_intent(apply_id, address, action, "", "")
    store.journal_result(entry, outcome="ok", detail=detail, kinde_id=put.kinde_id if put else None, put=put,
                         remove=remove)
    store.end_apply(apply_id, status="ok", summary={"state": action, "address": address})
