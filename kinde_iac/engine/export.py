"""A complete native config from a live environment: no Kinde ids, defaults omitted, keys sorted,
stable order, secrets as ``${env:KEY}`` references. Fields Kinde cannot return are taken from the
last apply when kinde-iac manages the object, and otherwise named in ``$comment``."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kinde_iac.engine.refresh import LiveState
from kinde_iac.engine.session import Session, read_live
from kinde_iac.resources import BY_NAME, KINDS, Resource
from kinde_iac.state import StateResource, is_secret_hash


def _with_last_applied(resource: Resource, state: Mapping[str, StateResource]) -> tuple[Resource, list[str]]:
    """Fill fields Kinde never returns from state; report the ones state cannot supply either."""
    kind = BY_NAME[resource.kind]
    s = state.get(resource.address)
    attributes = dict(resource.attributes)
    unknown = []
    for f in kind.fields:
        if not f.unreadable:
            continue
        if s is None:
            # An optional field left out of the export is simply not managed: nothing to review.
            if attributes.get(f.name) is None and not f.optional:
                unknown.append(f.name)
            continue
        value = s.attributes.get(f.name)
        if not is_secret_hash(value):
            attributes[f.name] = value
    return Resource(kind=resource.kind, key=resource.key, natural=resource.natural, attributes=attributes,
                    depends_on=resource.depends_on, kinde_id=resource.kinde_id), unknown


def export_config(live: LiveState, state: Mapping[str, StateResource], *, environment: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {}
    notes: list[str] = []
    entries: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        for resource in sorted(live.of(kind.name), key=lambda r: r.address):
            full, unknown = _with_last_applied(resource, state)
            entry = kind.export_entry(full)
            entries[resource.address] = entry
            if unknown:
                notes.append(f"{resource.address}: Kinde does not return {', '.join(unknown)}; "
                             f"placeholders were written, review them")
            if kind.parent_kind and kind.nested_field:
                parent = next((entries[d] for d in resource.depends_on if d in entries), None)
                if parent is not None:
                    parent.setdefault(kind.nested_field, []).append(entry)
            elif kind.config_section:
                config.setdefault(kind.config_section, []).append(entry)
    for section in config.values():
        for entry in section:
            for value in entry.values():
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    value.sort(key=lambda e: e.get("key", ""))
    out: dict[str, Any] = {}
    if notes:
        out["$comment"] = notes
    if environment:
        out["kinde"] = {"environment": environment}
    out.update({k: config[k] for k in sorted(config)})
    return out


def make_export(session: Session, *, parallelism: int = 8) -> dict[str, Any]:
    """The export of a session's live environment (every kind is read)."""
    env, state_rows, live = read_live(session, parallelism=parallelism, everything=True)
    return export_config(live, state_rows, environment=env.get("code"))
