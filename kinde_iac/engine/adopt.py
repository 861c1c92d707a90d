"""``kinde-iac import``: adopt live objects that match configured ones by natural key into state.
Kinde is not changed; the next plan shows whatever still differs."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from kinde_iac.engine.apply import adopted_resource, state_row
from kinde_iac.engine.plan import make_plan
from kinde_iac.engine.plan_model import ResourceChange
from kinde_iac.engine.session import Session
from kinde_iac.errors import KindeIacError
from kinde_iac.state import StateResource


def import_objects(session: Session, *, addresses: Sequence[str], everything: bool,
                   pins: Mapping[str, str], parallelism: int = 8) -> list[ResourceChange]:
    """Adopt ``addresses`` (or every match with ``everything``); ``pins`` maps an address to the
    live id to adopt when several live objects share its natural key."""
    ambiguous: dict[str, str] = {}
    wanted = set(addresses) | set(pins)
    unknown = sorted(a for a in wanted if a not in session.desired_by_address)
    if unknown:
        raise KindeIacError(f"{', '.join(unknown)}: not in {session.target.config}; only configured objects "
                            f"can be imported")
    if not wanted and not everything:
        raise KindeIacError("name the addresses to import (or ADDRESS=ID), or use --all")
    plan = make_plan(session, parallelism=parallelism, adopt_ids=pins,
                     on_ambiguous=lambda address, message: ambiguous.__setitem__(address, message))
    state_rows = session.state.resources()
    _check_pins(session, pins, state_rows)
    blocking = [m for a, m in sorted(ambiguous.items()) if everything or a in wanted]
    if blocking:
        raise KindeIacError("; ".join(blocking))
    chosen = [ch for ch in plan.changes if ch.imported and (everything or ch.address in wanted)]
    missing = sorted(wanted - {ch.address for ch in chosen} - set(state_rows))
    if missing:
        raise KindeIacError(f"{', '.join(missing)}: no live object matches by natural key; nothing to import "
                            f"(apply creates it)")
    desired = session.desired_by_address
    for ch in chosen:
        session.state.put(state_row(adopted_resource(desired[ch.address], ch), session.state.get(ch.address)))
    return chosen


def _check_pins(session: Session, pins: Mapping[str, str], state_rows: Mapping[str, StateResource]) -> None:
    """``ADDRESS=ID`` for an address already managed under another id adopts nothing (the plan matches
    the address by its state id): say so instead of reporting "0 objects adopted"."""
    for address, pin in sorted(pins.items()):
        row = state_rows.get(address)
        if row is None or row.kinde_id == pin:
            continue
        kind = session.desired_by_address[address].kind
        live = session.live.of(kind) if session.live is not None else []
        which = (f"id {pin} is another live {kind}" if any(r.kinde_id == pin for r in live)
                 else f"no live {kind} has id {pin}")
        raise KindeIacError(f"{address} is already managed (state has it as Kinde id {row.kinde_id}) and {which}; "
                            f"import only adopts objects that kinde-iac does not manage yet")
