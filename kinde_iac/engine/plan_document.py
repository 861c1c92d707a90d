"""The plan document (``plan --out``, ``plan --format json``), shaped like Terraform's JSON plan, in
both directions: a ``Plan`` to its document and a document back to exactly that ``Plan``.

The Terraform-shaped fields (``resource_changes[].change.actions``, ``before``/``after``,
``*_sensitive``, ``replace_paths``, ``importing``) let generic tooling read it; the ``kinde_iac``
block of each change carries everything else, so ``plan_from_document`` rebuilds exactly the
``Plan`` that was reviewed and ``apply`` executes that, not a fresh plan. Files (writing, reading,
schema checks, freshness) are ``engine.planfile``'s job; printing is ``render.json_plan``'s.

The document holds only what the Plan holds (already masked) plus digests and error lines the
caller passes in: it never contains a secret value.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import cattrs

from kinde_iac.engine.plan_model import SENSITIVE, Action, Plan, ResourceChange, Unmanaged

FORMAT_VERSION = "1"
#: The document's published shape, shipped inside the package; docs/plan.schema.json is a link to it.
SCHEMA_PATH = Path(__file__).resolve().parent / "plan.schema.json"

# Tuples become JSON lists (structuring back follows the attrs type hints, so tuples stay tuples).
converter = cattrs.Converter(unstruct_collection_overrides={tuple: list})

#: Terraform's words for each action; an import is reported beside them (``importing``).
_ACTIONS = {
    Action.CREATE: ["create"],
    Action.UPDATE: ["update"],
    Action.REPLACE: ["delete", "create"],
    Action.DELETE: ["delete"],
    Action.NOOP: ["no-op"],
    Action.FORGET: ["forget"],
}
# Kept at the top of each change in Terraform's names, so left out of the ``kinde_iac`` block.
_TOP_LEVEL = ("address", "kind", "key", "before", "after")
#: Plan fields the document reshapes; every other Plan field is copied to the top level as is.
PLAN_REBUILT = ("changes", "unmanaged", "coverage")


def kinde_iac_version() -> str:
    try:
        return metadata.version("kinde-iac")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _masked(values: Mapping[str, Any] | None, ch: ResourceChange) -> dict[str, bool]:
    if not values:
        return {}
    flagged = {c.name for c in ch.changes if c.sensitive}
    return {name: True for name, v in values.items() if v == SENSITIVE or (name in flagged and v is not None)}


def _resource_change(ch: ResourceChange) -> dict[str, Any]:
    extra = converter.unstructure(ch)
    for name in _TOP_LEVEL:
        extra.pop(name)
    if extra.get("moved_from") is None:
        extra.pop("moved_from", None)
    before = converter.unstructure(ch.before)
    after = converter.unstructure(ch.after)
    change: dict[str, Any] = {
        "actions": list(_ACTIONS[ch.action]),
        "before": before,
        "after": after,
        "before_sensitive": _masked(ch.before, ch),
        "after_sensitive": _masked(ch.after, ch),
        "replace_paths": [[c.name] for c in ch.changes if c.forces_replacement],
    }
    if ch.imported:
        # Terraform 1.5 reports an import beside the action; kinds without ids import by natural key.
        change["importing"] = {"id": ch.kinde_id or "/".join(ch.natural)}
    out = {"address": ch.address, "type": ch.kind, "name": ch.key, "change": change, "kinde_iac": extra}
    if ch.moved_from is not None:
        out["previous_address"] = ch.moved_from
    return out


def _drift(ch: ResourceChange) -> dict[str, Any]:
    return {
        "address": ch.address, "type": ch.kind, "name": ch.key, "deleted_outside": ch.deleted_outside,
        "fields": [{"name": c.name, "verdict": c.verdict.value,
                    "last_applied": converter.unstructure(c.last_applied),
                    "live": converter.unstructure(c.before)} for c in ch.drift],
    }


def _unmanaged(u: Unmanaged) -> dict[str, Any]:
    d = converter.unstructure(u)
    d["type"] = d.pop("kind")
    if d.get("duplicate_of") is None:
        d.pop("duplicate_of", None)
    return d


def plan_document(plan: Plan, *, config_digest: str, fingerprints: Mapping[str, str],
                  errors: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON-ready document of a plan; ``fingerprints`` maps addresses to ``engine.planfile.fingerprint``
    values."""
    doc: dict[str, Any] = {"format_version": FORMAT_VERSION, "kinde_iac_version": kinde_iac_version()}
    # Plan's own scalar fields (workspace ... blocked) go at the top as they are, so new ones follow.
    doc.update({f.name: converter.unstructure(getattr(plan, f.name))
                for f in attrs.fields(Plan) if f.name not in PLAN_REBUILT})
    doc.update({
        "config_digest": config_digest,
        "summary": plan.counts.as_dict(),
        "has_changes": plan.has_changes,
        "resource_changes": [_resource_change(ch) for ch in plan.changes],
        "resource_drift": [_drift(ch) for ch in plan.drifted],
        "unmanaged": [_unmanaged(u) for u in plan.unmanaged],
        "coverage": {kind: {"managed": managed, "live": live} for kind, (managed, live) in plan.coverage.items()},
        "fingerprints": dict(sorted(fingerprints.items())),
        "errors": list(errors),
    })
    return doc


def plan_from_document(doc: Mapping[str, Any]) -> Plan:
    """The exact Plan a document was made from (``summary``, drift and fingerprints are derived data)."""
    changes = [
        {**rc["kinde_iac"], "address": rc["address"], "kind": rc["type"], "key": rc["name"],
         "before": rc["change"]["before"], "after": rc["change"]["after"]}
        for rc in doc["resource_changes"]
    ]
    unmanaged = [{**{k: v for k, v in u.items() if k != "type"}, "kind": u["type"]} for u in doc["unmanaged"]]
    raw = {f.name: doc[f.name] for f in attrs.fields(Plan) if f.name not in PLAN_REBUILT and f.name in doc}
    raw.update(changes=changes, unmanaged=unmanaged,
               coverage={kind: (c["managed"], c["live"]) for kind, c in doc["coverage"].items()})
    return converter.structure(raw, Plan)
