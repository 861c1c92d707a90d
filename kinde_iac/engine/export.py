"""A complete native config from a live environment: no Kinde ids, defaults omitted, keys sorted,
stable order, secrets as ``${env:KEY}`` references. Fields Kinde cannot return are taken from the
last apply when kinde-iac manages the object, and otherwise named in ``$comment``. Objects Kinde
holds twice under one natural key (an application name) get distinct keys and a warning."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kinde_iac.engine.plan_model import UNKNOWN
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
        if value == UNKNOWN:
            unknown.append(f.name)
        elif not is_secret_hash(value):
            attributes[f.name] = value
    return Resource(kind=resource.kind, key=resource.key, natural=resource.natural, attributes=attributes,
                    depends_on=resource.depends_on, kinde_id=resource.kinde_id), unknown


def _distinct(resources: list[Resource], state: Mapping[str, StateResource], taken: set[str],
              notes: list[str]) -> list[Resource]:
    """Each object under an address of its own: Kinde keeps some natural keys (application names)
    not unique, and two entries with one key would merge into one when the config is loaded. The
    one state manages keeps its address."""
    def order(r: Resource) -> tuple[str, bool, str]:
        s = state.get(r.address)
        return r.address, not (s is not None and s.kinde_id == r.kinde_id), r.kinde_id or ""

    out = []
    for resource in sorted(resources, key=order):
        if resource.address in taken:
            n = 2
            while f"{resource.kind}.{resource.key}-{n}" in taken:
                n += 1
            first = resource.address
            resource = attrs.evolve(resource, key=f"{resource.key}-{n}")
            notes.append(f"duplicate: Kinde holds more than one {resource.kind} with the natural key "
                         f"{'/'.join(resource.natural)!r}; id {resource.kinde_id} is exported as {resource.address} "
                         f"beside {first}. Adopting them by that key is ambiguous: rename one in Kinde, or "
                         f"pin each with `kinde-iac import ADDRESS=ID`")
        taken.add(resource.address)
        out.append(resource)
    return out


def export_config(live: LiveState, state: Mapping[str, StateResource], *, environment: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {}
    notes: list[str] = []
    entries: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    for kind in KINDS:
        for resource in _distinct(live.of(kind.name), state, taken, notes):
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


def export_warnings(config: Mapping[str, Any]) -> list[str]:
    """The notes of an export that the user must act on (duplicates), for stderr."""
    return [note for note in config.get("$comment", []) if note.startswith("duplicate: ")]
