"""``kinde-iac import``: adopt live objects that match configured ones by natural key into state.
Kinde is not changed; the next plan shows whatever still differs."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from kinde_iac.engine.apply import adopted_resource, state_row
from kinde_iac.engine.plan import make_plan
from kinde_iac.engine.plan_model import ResourceChange
from kinde_iac.engine.session import Session
from kinde_iac.errors import KindeIacError


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
