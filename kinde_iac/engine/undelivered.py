"""One-time secrets that never reached anyone (issue 13 point 6).

Kinde shows an API key's secret once, in the reply to its creation. If the run that created it died
before handing the secret over (killed after Kinde made the key, or its reply lost and the key only
found later by the next run's refresh), the key exists, kinde-iac adopts or keeps it, and nobody
can use it. The journal says so: that run's create step for the address never ended "ok". Such a
key is flagged in the plan with the exact command that gives it a usable secret.

Only kinds with one-time secrets (``Kind.rotatable``) are looked at, so other plans read no journal.
"""
from __future__ import annotations

import shlex
from collections.abc import Iterable

import attrs

from kinde_iac.engine.plan_model import Action, Plan
from kinde_iac.engine.session import Session, Target
from kinde_iac.resources import BY_NAME
from kinde_iac.state import JournalEntry

#: Journal actions that hand a secret over when they end "ok".
_DELIVERING = ("create", "rotate")


def rotate_command(address: str, target: Target) -> str:
    """The command that rotates ``address`` in this workspace, spelt as the user would run it."""
    return shlex.join(["kinde-iac", "api-key", "rotate", address, *target.cli_args(), "--secrets-out", "FILE"])


def _never_delivered(entries: Iterable[JournalEntry], addresses: set[str]) -> set[str]:
    """Addresses whose last secret-delivering step in ``entries`` did not end "ok"."""
    last: dict[str, bool] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.address in addresses and entry.action in _DELIVERING:
            last[entry.address] = entry.outcome == "ok"
    return {address for address, delivered in last.items() if not delivered}


def flag_undelivered_secrets(plan: Plan, session: Session) -> Plan:
    """``plan`` with a warning (and a note on the change) for every object whose one-time secret the
    journal shows was never delivered."""
    rotatable = [ch for ch in plan.changes if BY_NAME[ch.kind].rotatable]
    adopted = {ch.address for ch in rotatable if ch.imported}
    kept = {ch.address for ch in rotatable if ch.action == Action.NOOP and not ch.imported}
    if not adopted and not kept:
        return plan
    state = session.state
    # A run killed after Kinde made the key leaves its create step open; a run that gave up on a
    # lost reply closed it "ambiguous" in the latest apply's journal. Read that only when adopting.
    entries = {e.id: e for e in state.open_intents()}
    if adopted:
        entries.update({e.id: e for e in state.journal()})
    flagged = _never_delivered(entries.values(), adopted | kept)
    if not flagged:
        return plan
    warnings = []
    changes = []
    for ch in plan.changes:
        if ch.address in flagged:
            when = "once this apply has adopted it, " if ch.imported else ""
            note = (f"its one-time secret was never delivered (the run that created it stopped before handing it "
                    f"over); {when}get a usable secret with `{rotate_command(ch.address, session.target)}`")
            warnings.append(f"{ch.address}: {note}")
            ch = attrs.evolve(ch, notes=(*ch.notes, note))
        changes.append(ch)
    return attrs.evolve(plan, changes=tuple(changes), warnings=(*plan.warnings, *warnings))
