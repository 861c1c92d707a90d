"""The saved plan (``plan --out``, ``plan --format json``), shaped like Terraform's JSON plan.

The Terraform-shaped fields (``resource_changes[].change.actions``, ``before``/``after``,
``*_sensitive``, ``replace_paths``, ``importing``) let generic tooling read it; the ``kinde_iac``
block of each change carries everything else, so ``plan_from_document`` rebuilds exactly the
``Plan`` that was reviewed and ``apply`` executes that, not a fresh plan.

The document holds only what the Plan holds (already masked) plus digests and error lines the
caller passes in: it never contains a secret value.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import cattrs

from kinde_iac.engine import plan_model as pm
from kinde_iac.errors import KindeIacError

FORMAT_VERSION = "1"
#: Shipped inside the package; docs/plan.schema.json is a link to it.
SCHEMA_PATH = Path(__file__).resolve().parent / "plan.schema.json"

# Tuples become JSON lists; structuring back follows the attrs type hints, so tuples stay tuples.
_converter = cattrs.Converter(unstruct_collection_overrides={tuple: list})

_ACTIONS = {
    pm.CREATE: ["create"],
    pm.UPDATE: ["update"],
    pm.REPLACE: ["delete", "create"],
    pm.DELETE: ["delete"],
    pm.IMPORT: ["no-op"],
    pm.NOOP: ["no-op"],
    pm.FORGET: ["forget"],
}
# Kept at the top of each change in Terraform's names, so left out of the ``kinde_iac`` block.
_TOP_LEVEL = ("address", "kind", "key", "before", "after")
# Plan fields the document reshapes; every other Plan field is copied to the top level as is.
_PLAN_REBUILT = ("changes", "unmanaged", "coverage")


class PlanFileError(KindeIacError):
    """A saved plan file that cannot be read, is not a plan, or is from another format version."""

    def __init__(self, file: str | Path, path: str | None, message: str) -> None:
        self.file = str(file)
        self.path = path
        self.message = message
        super().__init__(": ".join(p for p in (self.file, path, message) if p))


def kinde_iac_version() -> str:
    try:
        return metadata.version("kinde-iac")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def fingerprint(attributes: Mapping[str, Any] | None) -> str:
    """SHA-256 of canonical JSON of a live object's attributes; ``"absent"`` when it does not exist.

    Callers sort set fields first, so that an unordered list read back in another order still matches.
    """
    if attributes is None:
        return "absent"
    canonical = json.dumps(attributes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _masked(values: Mapping[str, Any] | None, ch: pm.ResourceChange) -> dict[str, bool]:
    if not values:
        return {}
    flagged = {c.name for c in ch.changes if c.sensitive}
    return {name: True for name, v in values.items() if v == pm.SENSITIVE or (name in flagged and v is not None)}


def _resource_change(ch: pm.ResourceChange) -> dict[str, Any]:
    extra = _converter.unstructure(ch)
    for name in _TOP_LEVEL:
        extra.pop(name)
    before = _converter.unstructure(ch.before)
    after = _converter.unstructure(ch.after)
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
    return {"address": ch.address, "type": ch.kind, "name": ch.key, "change": change, "kinde_iac": extra}


def _drift(ch: pm.ResourceChange) -> dict[str, Any]:
    return {
        "address": ch.address, "type": ch.kind, "name": ch.key, "deleted_outside": ch.deleted_outside,
        "fields": [{"name": c.name, "verdict": c.verdict,
                    "last_applied": _converter.unstructure(c.last_applied),
                    "live": _converter.unstructure(c.before)} for c in ch.drift],
    }


def _unmanaged(u: pm.Unmanaged) -> dict[str, Any]:
    d = _converter.unstructure(u)
    d["type"] = d.pop("kind")
    return d


def plan_document(plan: pm.Plan, *, config_digest: str, fingerprints: Mapping[str, str],
                  errors: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON-ready document of a plan; ``fingerprints`` maps addresses to ``fingerprint()`` values."""
    doc: dict[str, Any] = {"format_version": FORMAT_VERSION, "kinde_iac_version": kinde_iac_version()}
    # Plan's own scalar fields (workspace ... blocked) go at the top as they are, so new ones follow.
    doc.update({f.name: _converter.unstructure(getattr(plan, f.name))
                for f in attrs.fields(pm.Plan) if f.name not in _PLAN_REBUILT})
    doc.update({
        "config_digest": config_digest,
        "summary": plan.count(),
        "has_changes": plan.has_changes,
        "resource_changes": [_resource_change(ch) for ch in plan.changes],
        "resource_drift": [_drift(ch) for ch in plan.drifted],
        "unmanaged": [_unmanaged(u) for u in plan.unmanaged],
        "coverage": {kind: {"managed": managed, "live": live} for kind, (managed, live) in plan.coverage.items()},
        "fingerprints": dict(sorted(fingerprints.items())),
        "errors": list(errors),
    })
    return doc


def plan_from_document(doc: Mapping[str, Any]) -> pm.Plan:
    """The exact Plan a document was made from (``summary``, drift and fingerprints are derived data)."""
    changes = [
        {**rc["kinde_iac"], "address": rc["address"], "kind": rc["type"], "key": rc["name"],
         "before": rc["change"]["before"], "after": rc["change"]["after"]}
        for rc in doc["resource_changes"]
    ]
    unmanaged = [{**{k: v for k, v in u.items() if k != "type"}, "kind": u["type"]} for u in doc["unmanaged"]]
    raw = {f.name: doc[f.name] for f in attrs.fields(pm.Plan) if f.name not in _PLAN_REBUILT and f.name in doc}
    raw.update(changes=changes, unmanaged=unmanaged,
               coverage={kind: (c["managed"], c["live"]) for kind, c in doc["coverage"].items()})
    return _converter.structure(raw, pm.Plan)


def _schema() -> dict[str, Any]:
    try:
        return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise KindeIacError(f"cannot read the plan schema {SCHEMA_PATH}: {err}") from err


def _first_problem(doc: Any) -> tuple[str, str] | None:
    # Imported here: only reading a saved plan needs jsonschema.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    err = best_match(Draft202012Validator(_schema()).iter_errors(doc))
    if err is None:
        return None
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [name for name in err.validator_value if name not in err.instance]
        if missing:
            return f"{err.json_path}.{missing[0]}", "required field is missing"
    message = err.message if len(err.message) <= 200 else err.message[:197] + "..."
    return err.json_path, message


def load_plan_file(path: str | Path) -> dict[str, Any]:
    """Read a saved plan and check it against ``docs/plan.schema.json`` before anything trusts it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PlanFileError(path, None, f"cannot read the plan file: {err}") from err
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise PlanFileError(path, None, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from err
    # Checked first so an old or newer plan gets a message about versions, not about shapes.
    if isinstance(doc, dict) and "format_version" in doc and doc["format_version"] != FORMAT_VERSION:
        raise PlanFileError(path, "$.format_version",
                            f"plan format {doc['format_version']!r} is not supported (this kinde-iac "
                            f"{kinde_iac_version()} reads format {FORMAT_VERSION!r}); make the plan again")
    problem = _first_problem(doc)
    if problem is not None:
        where, message = problem
        raise PlanFileError(path, where, f"not a valid kinde-iac plan: {message}")
    return doc
