"""``kinde-iac import``: adopt live objects that match configured ones by natural key into state.

Kinde is not changed, except for what it cannot show: a field Kinde never returns (a flag's
definition, a secret's value) is written once, as the config says, and recorded, so that state
never claims a value nobody has verified. A write that would replace a protected object is left
to the next plan, which shows the field as unknown. Everything else that differs stays for the
next plan to show."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kinde_iac.engine.apply import adopted_resource, apply_plan, state_row
from kinde_iac.engine.plan import make_plan
from kinde_iac.engine.plan_model import UNKNOWN, Action, ResourceChange
from kinde_iac.engine.session import Session, who
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import Resource
from kinde_iac.state import StateResource


@attrs.frozen
class Imported:
    """What ``import`` did: the objects adopted, and the changes that wrote what Kinde cannot return."""

    adopted: tuple[ResourceChange, ...]
    written: tuple[ResourceChange, ...] = ()


def import_objects(session: Session, *, addresses: Sequence[str], everything: bool,
                   pins: Mapping[str, str], parallelism: int = 8) -> list[ResourceChange]:
    """Adopt ``addresses`` (or every match with ``everything``); ``pins`` maps an address to the
    live id to adopt when several live objects share its natural key."""
    return list(adopt(session, addresses=addresses, everything=everything, pins=pins,
                      parallelism=parallelism).adopted)


def adopt(session: Session, *, addresses: Sequence[str], everything: bool, pins: Mapping[str, str],
          parallelism: int = 8) -> Imported:
    """``import_objects``, reporting also the writes of fields Kinde cannot return."""
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
    writes = {w.address: w for ch in chosen if (w := _unknown_write(ch, desired[ch.address])) is not None}
    if writes:
        # Only the unknown fields take the config's values; the rest stays as adopted from Kinde.
        shapes = {a: _written_shape(desired[a], ch) for a, ch in writes.items()}
        result = apply_plan(attrs.evolve(plan, changes=tuple(writes.values())), desired=shapes,
                            state=session.state, client=session.api, parallelism=parallelism, who=who())
        if not result.ok:
            failures = "; ".join(f"{address}: {message}" for address, message in result.failed)
            raise KindeIacError(f"adopted into state, but writing what Kinde cannot return failed: {failures}; "
                                f"the next plan shows it as unknown and writes it")
    return Imported(adopted=tuple(chosen), written=tuple(writes.values()))


def _unknown_write(ch: ResourceChange, desired: Resource) -> ResourceChange | None:
    """The change that writes just the fields of ``ch`` nobody could read, if there are any."""
    fields = tuple(c for c in ch.changes if c.before == UNKNOWN)
    if not fields:
        return None
    replace = any(c.forces_replacement for c in fields)
    if replace and desired.protect:
        return None  # the next plan shows it, and the protect rail refuses to replace it there
    return attrs.evolve(ch, action=Action.REPLACE if replace else Action.UPDATE, changes=fields, imported=False,
                        moved_from=None, notes=())


def _written_shape(desired: Resource, ch: ResourceChange) -> Resource:
    adopted = adopted_resource(desired, ch)
    unknown = {c.name for c in ch.changes if c.before == UNKNOWN}
    return attrs.evolve(adopted, attributes={**adopted.attributes,
                                             **{k: v for k, v in desired.attributes.items() if k in unknown}})


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
