"""One object's three-way comparison: desired (config), last applied (state) and live (Kinde) into a
``ResourceChange`` with a verdict per field (DESIGN section 5).

Fields Kinde cannot return are compared with the last apply. An object adopted from Kinde has no
last apply, so such a field is unknown: the plan shows ``(unknown: cannot be read back)`` and writes
it, rather than assume Kinde holds what the config says.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kinde_iac.engine.diff import differing_fields, same
from kinde_iac.engine.plan_model import SENSITIVE, UNKNOWN, Action, AttributeChange, ResourceChange, Verdict
from kinde_iac.resources import Field, Kind, Resource
from kinde_iac.resources.base import set_diff
from kinde_iac.state import StateResource, is_secret_hash


def mask(kind: Kind, attributes: Mapping[str, Any] | None, sensitive: frozenset[str]) -> dict[str, Any] | None:
    if attributes is None:
        return None
    return {k: (SENSITIVE if k in sensitive and v is not None and v != UNKNOWN else v) for k, v in attributes.items()}


def live_value(f: Field, sensitive: bool, live: Resource, last: Mapping[str, Any] | None) -> Any:
    """What Kinde holds for a field: read from Kinde, or for a field it cannot return the last-applied
    value, and ``UNKNOWN`` when no apply has recorded one."""
    if f.unreadable or sensitive:
        if last is None or f.name not in last or last[f.name] == UNKNOWN:
            return UNKNOWN
        return last[f.name]
    return live.attributes.get(f.name)


def diff_one(kind: Kind, d: Resource, s: StateResource | None, l: Resource | None, imported: bool,
             deleted_outside: bool, warnings: list[str], *, moved: bool = False) -> ResourceChange:
    """The change that makes ``l`` (live; None when Kinde lacks it) what ``d`` (desired) says, with
    ``s`` (state) deciding each field's verdict. ``moved``: a ``moved`` entry renamed it."""
    sens = kind.sensitive_fields(d.attributes)
    after = mask(kind, d.attributes, sens)
    base: dict[str, Any] = {"address": d.address, "kind": d.kind, "key": d.key, "natural": d.natural,
                            "depends_on": d.depends_on, "after": after, "imported": imported,
                            "deleted_outside": deleted_outside}
    if l is None:
        return ResourceChange(action=Action.CREATE, **base,
                              notes=("deleted outside kinde-iac",) if deleted_outside else ())

    S = s.attributes if s is not None and not imported else None
    live = {f.name: live_value(f, f.name in sens, l, S) for f in kind.fields}
    changes: list[AttributeChange] = []
    set_fields = frozenset(f.name for f in kind.fields if f.is_set)
    # An optional field the config leaves out is not managed: whatever Kinde holds stays.
    compared = [f for f in kind.fields if not (f.optional and d.attributes.get(f.name) is None)]
    # Cheap pass first: in a converged workspace every object is equal and deepdiff is never run.
    candidates = differing_fields({f.name: live[f.name] for f in compared},
                                  {f.name: d.attributes.get(f.name) for f in compared}, set_fields) \
        if not sens else {f.name for f in compared}
    for f in compared:
        if f.name not in candidates:
            continue
        sensitive = f.name in sens
        D, L = d.attributes.get(f.name), live[f.name]
        unknown = L == UNKNOWN
        if not unknown and same(D, L, is_set=f.is_set, sensitive=sensitive):
            continue
        if f.unclearable and D is None and not unknown:
            warnings.append(f"{d.address}: Kinde cannot clear {f.name}; the live value is kept")
            continue
        if f.is_set and L is None:
            continue  # not read (an object kinde-iac had no reason to look into)
        verdict = _verdict(D, L, S.get(f.name) if S is not None else None, S is not None, imported, f.is_set,
                           sensitive, unknown)
        added, removed = set_diff(L, D) if f.is_set and not unknown else ([], [])
        changes.append(AttributeChange(
            name=f.name,
            before=UNKNOWN if unknown else SENSITIVE if sensitive else L,
            after=SENSITIVE if sensitive else D,
            last_applied=_shown_last_applied(S.get(f.name) if S else None, sensitive),
            verdict=verdict, sensitive=sensitive, unreadable=f.unreadable or sensitive,
            # A field that cannot change in place is asserted, not replaced, when nobody knows its value.
            forces_replacement=kind.forces_replacement(f.name, d.attributes) and not (unknown and f.replace),
            business_wide=f.business_wide, is_set=f.is_set, added=tuple(added), removed=tuple(removed),
        ))
    action = Action.NOOP
    if changes:
        action = Action.REPLACE if any(c.forces_replacement for c in changes) else Action.UPDATE
    notes: list[str] = []
    if moved and action == Action.NOOP and l.natural != d.natural and not kind.natural_fields:
        # A moved entry gave it a new natural key that Kinde cannot change in place.
        action = Action.REPLACE
        notes.append(f"its {kind.name} key changes from {kind.natural_label(l.natural)!r} to "
                     f"{kind.natural_label(d.natural)!r}, which Kinde cannot change in place")
    unknown_fields = [c.name for c in changes if c.before == UNKNOWN]
    if unknown_fields:
        notes.append(f"Kinde does not return {', '.join(unknown_fields)}: written now, so that what state "
                     f"records has been applied")
    if any(c.business_wide for c in changes) or action == Action.REPLACE and any(f.business_wide for f in kind.fields):
        notes.extend(kind.warnings(d))
    if action == Action.REPLACE and kind.replace_warning:
        notes.append(kind.replace_warning)
    return ResourceChange(action=action, kinde_id=l.kinde_id, before=mask(kind, live, sens), changes=tuple(changes),
                          notes=tuple(notes), **base)


def _verdict(D: Any, L: Any, s_val: Any, has_state: bool, imported: bool, is_set: bool, sensitive: bool,
             unknown: bool) -> Verdict:
    if not has_state:
        return Verdict.ADOPT if imported else Verdict.PENDING
    if unknown or same(L, s_val, is_set=is_set, sensitive=sensitive):
        return Verdict.PENDING
    if same(D, s_val, is_set=is_set, sensitive=sensitive):
        return Verdict.DRIFT
    return Verdict.CONFLICT


def _shown_last_applied(value: Any, sensitive: bool) -> Any:
    """A value that was secret when applied stays masked, even if the variable is no longer secret."""
    if value == UNKNOWN:
        return value
    return SENSITIVE if sensitive or is_secret_hash(value) else value
