"""Issuing a new one-time secret for a managed object (``kinde-iac api-key rotate``): under the state
lock, after the environment guard, journaled like an apply step. Which kinds can do it, and how,
is theirs to say (``Kind.rotatable``)."""
from __future__ import annotations

from collections.abc import Callable

from kinde_iac.engine.session import Session, check_environment, who
from kinde_iac.errors import KindeIacError
from kinde_iac.kinde import is_not_found
from kinde_iac.resources import BY_NAME


def rotate_secret(session: Session, address: str, *, lock_timeout: float = 0.0,
                  on_wait: Callable[[str], None] | None = None) -> tuple[str, str]:
    """(Kinde id, new secret) of the managed object at ``address``; the old secret stops working."""
    kind = BY_NAME.get(address.partition(".")[0])
    if kind is None or not kind.rotatable:
        rotatable = ", ".join(f"{k.name}.<key>" for k in BY_NAME.values() if k.rotatable)
        raise KindeIacError(f"{address} names no object with a secret to rotate (addresses: {rotatable})")
    state = session.state
    with session.locked("rotate", lock_timeout, on_wait):
        row = state.get(address)
        if row is None or not row.kinde_id:
            raise KindeIacError(f"{address} is not in state {session.target.state}; only objects kinde-iac "
                                f"manages can be rotated")
        check_environment(session)
        apply_id = state.begin_apply(who=who(), summary={"rotated": address})
        entry = state.journal_intent(apply_id, address, "rotate", *kind.rotate_request(row.kinde_id))
        try:
            secret = kind.rotate(session.api, row.kinde_id)
        except KindeIacError as err:
            state.journal_result(entry, outcome="failed", detail=str(err)[:500])
            state.end_apply(apply_id, status="failed", summary={"rotated": 0})
            if is_not_found(err):
                raise KindeIacError(f"{address}: Kinde has no {kind.name} {row.kinde_id} (deleted outside "
                                    f"kinde-iac?); run `kinde-iac plan`") from None
            raise
        state.journal_result(entry, outcome="ok", kinde_id=row.kinde_id)
        state.end_apply(apply_id, status="ok", summary={"rotated": 1})
    if not secret:
        raise KindeIacError(f"{address}: rotated [id={row.kinde_id}], but Kinde returned no secret; rotate again")
    return row.kinde_id, secret
