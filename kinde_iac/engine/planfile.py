"""Saved plans: ``plan --out FILE`` writes exactly what was reviewed; ``apply FILE`` applies exactly
that, after checking that nothing it touches moved since (state, config, and each live object)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kinde_iac.engine import plan_model as pm
from kinde_iac.engine.plan import mask
from kinde_iac.errors import KindeIacError
from kinde_iac.render.json_plan import fingerprint, plan_document
from kinde_iac.resources import BY_NAME, Resource


class StalePlanError(KindeIacError):
    """The saved plan no longer describes what apply would do."""


def config_digest(desired: Sequence[Resource]) -> str:
    """Digest of the desired objects. Secret values are masked first: a plan file must not carry
    even a hash an attacker could test guesses against."""
    rows = []
    for r in sorted(desired, key=lambda r: r.address):
        kind = BY_NAME[r.kind]
        rows.append([r.address, mask(kind, r.attributes, kind.sensitive_fields(r.attributes)),
                     list(r.depends_on), r.protect])
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


def touched(plan: pm.Plan) -> list[pm.ResourceChange]:
    return [ch for ch in plan.changes if ch.is_change or ch.action == pm.FORGET]


def fingerprints(plan: pm.Plan) -> dict[str, str]:
    """What every object the plan touches looks like live now ("absent" for objects to create)."""
    return {ch.address: fingerprint(ch.before) for ch in touched(plan)}


def saved_document(plan: pm.Plan, desired: Sequence[Resource]) -> dict[str, Any]:
    """The plan document that `plan --out` saves and `plan --format json` prints."""
    return plan_document(plan, config_digest=config_digest(desired), fingerprints=fingerprints(plan))


def write_plan_file(path: str | Path, doc: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def check_fresh(saved: pm.Plan, doc: dict[str, Any], *, workspace: str, lineage: str, serial: int,
                desired: Sequence[Resource], fresh: pm.Plan) -> None:
    """Refuse, naming the cause, unless the saved plan still holds exactly."""
    if saved.workspace != workspace:
        raise StalePlanError(f"the saved plan is for workspace {saved.workspace!r}, not {workspace!r}; refusing")
    if fresh.environment != saved.environment or fresh.domain != saved.domain:
        raise StalePlanError(f"the saved plan is for Kinde environment {saved.environment!r} at {saved.domain}, "
                             f"but the credentials reach {fresh.environment!r} at {fresh.domain}; refusing")
    # A plan made before the state file existed may meet the file that taking the lock created.
    unborn = saved.lineage == "" and saved.serial == 0 and serial == 0
    if not unborn and saved.lineage != lineage:
        raise StalePlanError(f"the state lineage changed since the plan was made ({saved.lineage or 'none'} -> "
                             f"{lineage}); this plan belongs to another state file; refusing")
    if not unborn and saved.serial != serial:
        raise StalePlanError(f"the state changed since the plan was made (serial {saved.serial} -> {serial}); "
                             f"plan again; refusing")
    if doc.get("config_digest") != config_digest(desired):
        raise StalePlanError("the configuration changed since the plan was made; plan again; refusing")
    now = {ch.address: ch for ch in fresh.changes}
    for ch in touched(saved):
        expected = doc["fingerprints"].get(ch.address)
        current = now.get(ch.address)
        live = current.before if current is not None else None
        if expected is not None and fingerprint(live) != expected:
            raise StalePlanError(f"{ch.address} changed in Kinde since the plan was made "
                                 f"({_moved(ch.before, live)}); plan again; refusing")


def _moved(before: dict[str, Any] | None, now: dict[str, Any] | None) -> str:
    if before is None:
        return "it now exists"
    if now is None:
        return "it was deleted"
    fields = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
    parts = [f"{k}: {json.dumps(before.get(k))} -> {json.dumps(now.get(k))}" for k in fields]
    return "; ".join(parts) or "attributes differ"
