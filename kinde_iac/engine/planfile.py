"""Saved plans (as Terraform's ``plans/planfile`` beside ``command/jsonplan``): ``plan --out FILE``
writes the document ``engine.plan_document`` makes; ``apply FILE`` reads it back, checks it against the
published schema, rebuilds exactly the Plan that was reviewed, and applies it only after checking
that nothing it touches moved since (state, config, and each live object)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.engine.plan import mask
from kinde_iac.engine.plan_document import (
    FORMAT_VERSION,
    SCHEMA_PATH,
    kinde_iac_version,
    plan_document,
    plan_from_document,
)
from kinde_iac.engine.plan_model import Action, Plan, ResourceChange
from kinde_iac.engine.private_file import write_private_file
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import BY_NAME, Resource
from kinde_iac.state.secrets import hash_secret, secret_matches


class PlanFileError(KindeIacError):
    """A saved plan file that cannot be read, is not a plan, or is from another format version."""

    def __init__(self, file: str | Path, path: str | None, message: str) -> None:
        self.file = str(file)
        self.path = path
        self.message = message
        super().__init__(": ".join(p for p in (self.file, path, message) if p))


class StalePlanError(KindeIacError):
    """The saved plan no longer describes what apply would do."""


@attrs.frozen
class SavedPlan:
    """A plan file as read: the document (digests, fingerprints) and the Plan it rebuilds."""

    path: str
    document: dict[str, Any]
    plan: Plan


# -- writing ----------------------------------------------------------------------------------------

def fingerprint(attributes: Mapping[str, Any] | None) -> str:
    """SHA-256 of canonical JSON of a live object's attributes; ``"absent"`` when it does not exist.

    Callers sort set fields first, so that an unordered list read back in another order still matches.
    """
    if attributes is None:
        return "absent"
    canonical = json.dumps(attributes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def config_digest(desired: Sequence[Resource]) -> str:
    """Digest of the desired objects. Secret values are masked first: a plan file must not carry
    even a hash an attacker could test guesses against."""
    rows = []
    for r in sorted(desired, key=lambda r: r.address):
        kind = BY_NAME[r.kind]
        rows.append([r.address, mask(kind, r.attributes, kind.sensitive_fields(r.attributes)),
                     list(r.depends_on), r.protect])
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


def touched(plan: Plan) -> list[ResourceChange]:
    return [ch for ch in plan.changes if ch.is_change or ch.action == Action.FORGET]


def fingerprints(plan: Plan) -> dict[str, str]:
    """What every object the plan touches looks like live now ("absent" for objects to create)."""
    return {ch.address: fingerprint(ch.before) for ch in touched(plan)}


def saved_document(plan: Plan, desired: Sequence[Resource], *, config_path: str | Path | None = None,
                   state_path: str | Path | None = None, inputs: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The plan document that `plan --out` saves and `plan --format json` prints. ``config_path`` and
    ``state_path`` let `apply FILE` find them again with no options; ``inputs`` (the ``${env:NAME}``
    values the config read) are kept as salted hashes, so a secret changed since is noticed."""
    doc = plan_document(plan, config_digest=config_digest(desired), fingerprints=fingerprints(plan))
    if config_path is not None:
        doc["config_path"] = _relative(config_path)
    if state_path is not None:
        doc["state_path"] = _relative(state_path)
    if inputs is not None:
        doc["inputs"] = {name: hash_secret(value) for name, value in sorted(inputs.items())}
    return doc


def _relative(path: str | Path) -> str:
    """``path`` relative to the working directory when it is inside it, as the user would type it."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def write_plan_file(path: str | Path, doc: dict[str, Any]) -> None:
    """Owner-only (0600): a plan names every object it touches, as the state does."""
    write_private_file(path, json.dumps(doc, indent=2, sort_keys=True) + "\n", what="plan file")


# -- reading ----------------------------------------------------------------------------------------

#: Deeper than any plan document (attribute values included): what lies beyond is refused before the
#: schema check, which, like every recursive walk, would otherwise run out of stack.
MAX_DEPTH = 64


def _too_deep(doc: Any) -> str | None:
    """The JSON path of the first value nested deeper than MAX_DEPTH, or None; iterative, so a hostile
    document cannot exhaust the stack here either."""
    stack: list[tuple[Any, str, int]] = [(doc, "$", 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            return where
        if isinstance(node, dict):
            stack.extend((v, f"{where}.{k}", depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node))
    return None


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
    except RecursionError:
        doc = None
    where = _too_deep(doc) if doc is not None else "$"
    if where is not None:
        raise PlanFileError(path, where, f"nested more than {MAX_DEPTH} levels deep; a kinde-iac plan never is")
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


def read_plan_file(path: str | Path) -> SavedPlan:
    doc = load_plan_file(path)
    return SavedPlan(path=str(path), document=doc, plan=plan_from_document(doc))


# -- freshness --------------------------------------------------------------------------------------

def check_inputs(saved: SavedPlan, inputs: Mapping[str, str]) -> None:
    """Refuse a saved plan whose ``${env:NAME}`` inputs changed since it was made, naming the
    variable (never the value): a secret differs only there, since the config digest masks it."""
    recorded: Mapping[str, str] = saved.document.get("inputs") or {}
    for name in sorted(set(recorded) | set(inputs)):
        if name not in inputs:
            raise StalePlanError(f"the configuration no longer reads ${{env:{name}}}, which the plan was made "
                                 f"with; plan again; refusing")
        if name not in recorded:
            raise StalePlanError(f"the configuration now reads ${{env:{name}}}, which the plan was made "
                                 f"without; plan again; refusing")
        if not secret_matches(inputs[name], recorded[name]):
            raise StalePlanError(f"environment variable {name} has a different value than when the plan was "
                                 f"made (compared by salted hash); plan again; refusing")


def check_fresh(saved: SavedPlan, *, workspace: str, lineage: str, serial: int,
                desired: Sequence[Resource], fresh: Plan, inputs: Mapping[str, str] | None = None) -> None:
    """Refuse, naming the cause, unless the saved plan still holds exactly. ``inputs`` are the
    ``${env:NAME}`` values the configuration read now (None: not checked)."""
    plan, doc = saved.plan, saved.document
    if plan.workspace != workspace:
        raise StalePlanError(f"the saved plan is for workspace {plan.workspace!r}, not {workspace!r}; refusing")
    if fresh.environment != plan.environment or fresh.domain != plan.domain:
        raise StalePlanError(f"the saved plan is for Kinde environment {plan.environment!r} at {plan.domain}, "
                             f"but the credentials reach {fresh.environment!r} at {fresh.domain}; refusing")
    # A plan made before the state file existed may meet the file that taking the lock created.
    unborn = plan.lineage == "" and plan.serial == 0 and serial == 0
    if not unborn and plan.lineage != lineage:
        raise StalePlanError(f"the state lineage changed since the plan was made ({plan.lineage or 'none'} -> "
                             f"{lineage}); this plan belongs to another state file; refusing")
    if not unborn and plan.serial != serial:
        raise StalePlanError(f"the state changed since the plan was made (serial {plan.serial} -> {serial}); "
                             f"plan again; refusing")
    if inputs is not None and "inputs" in doc:
        check_inputs(saved, inputs)
    if doc.get("config_digest") != config_digest(desired):
        raise StalePlanError("the configuration changed since the plan was made; plan again; refusing")
    now = {ch.address: ch for ch in fresh.changes}
    for ch in touched(plan):
        expected = doc["fingerprints"].get(ch.address)
        current = now.get(ch.address)
        live = current.before if current is not None else None
        if expected is not None and fingerprint(live) != expected:
            raise StalePlanError(f"{ch.address} changed in Kinde since the plan was made "
                                 f"({_moved(ch.before, live)}); plan again; refusing")


def _step_words(ch: ResourceChange) -> str:
    words = str(ch.action) if ch.action != Action.NOOP else "adopt"
    if ch.imported and ch.action != Action.NOOP:
        words = f"adopt and {words}"
    return words


def _difference(saved: ResourceChange | None, fresh: ResourceChange | None) -> str | None:
    """How one address differs between the saved plan and a fresh one, in words (None: it does not)."""
    if saved is None and fresh is not None:
        return f"{fresh.address}: a fresh plan would {_step_words(fresh)} it, but the saved plan does not"
    if fresh is None and saved is not None:
        return f"{saved.address}: the saved plan would {_step_words(saved)} it, but a fresh plan would not change it"
    assert saved is not None and fresh is not None
    if (saved.action, saved.imported) != (fresh.action, fresh.imported):
        return (f"{saved.address}: the saved plan would {_step_words(saved)} it, but a fresh plan would "
                f"{_step_words(fresh)} it")
    if saved.kinde_id != fresh.kinde_id:
        return (f"{saved.address}: the saved plan names Kinde id {saved.kinde_id or 'none'}, a fresh plan "
                f"{fresh.kinde_id or 'none'}")
    changed_saved = sorted(c.name for c in saved.changes)
    changed_fresh = sorted(c.name for c in fresh.changes)
    if changed_saved != changed_fresh:
        return (f"{saved.address}: the saved plan changes {', '.join(changed_saved) or 'nothing'}, a fresh plan "
                f"{', '.join(changed_fresh) or 'nothing'}")
    return None


def check_same_changes(saved: Plan, fresh: Plan) -> None:
    """Refuse unless a fresh plan takes exactly the saved plan's steps: the same addresses, each with
    the same action, adoption, Kinde id and changed fields. A plan file is only JSON: whatever was
    edited into it (an update turned into a delete, an added delete, another id) is caught here,
    and the first difference is named."""
    mine = {ch.address: ch for ch in touched(saved)}
    theirs = {ch.address: ch for ch in touched(fresh)}
    order = list(mine) + [a for a in theirs if a not in mine]
    for address in order:
        problem = _difference(mine.get(address), theirs.get(address))
        if problem:
            raise StalePlanError(f"the saved plan does not match what apply would do now ({problem}); the file was "
                                 f"edited, or it is stale: plan again; refusing")


def _moved(before: dict[str, Any] | None, now: dict[str, Any] | None) -> str:
    if before is None:
        return "it now exists"
    if now is None:
        return "it was deleted"
    fields = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
    parts = [f"{k}: {json.dumps(before.get(k))} -> {json.dumps(now.get(k))}" for k in fields]
    return "; ".join(parts) or "attributes differ"
