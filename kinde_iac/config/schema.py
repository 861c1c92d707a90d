"""JSON Schema (draft 2020-12) of the config format, generated from the attrs model.

Walking the model (each kind's ``entry_type`` and the workspace settings) keeps the schema from
drifting away from what the loader accepts. What the loader adds on top of the model comes from
the kinds (``seed_keys``, ``seed_field_aliases``, ``adjust_schema``: shorthand scopes, inline
permissions, derived keys) or is described here (bare-string ignore rules, ``$extends``,
``variables``).

A file with ``$extends`` may hold partial entries that only override fields of a shared entry, so
such files are checked against a variant in which entries need nothing but their ``key``.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

import attrs

from kinde_iac.config.model import KIND_OF_SECTION, LintIgnore, Moved, Workspace
from kinde_iac.config.seed_format import SEED_KEYS, VARIABLE_NAME
from kinde_iac.resources import Kind
from kinde_iac.resources.kind_config import SeedKey

DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: A whole-string ``${var.NAME}`` / ``${env:NAME}``, which may stand for a non-string value.
REFERENCE_PATTERN = r"^\$\{(var\.[A-Za-z_][A-Za-z0-9_-]*|env:[A-Za-z_][A-Za-z0-9_]*)\}$"
_REFERENCE = {"$ref": "#/$defs/reference"}

#: Workspace fields the loader fills in; never written in a file.
_INTERNAL_FIELDS = {"name", "source", "paths", "origins", "unresolved"}
#: Entry model -> the kind that owns it, for the kind's adjustments.
_KIND_OF_ENTRY = {k.entry_type: k for k in KIND_OF_SECTION.values() if k.entry_type}

#: Extra constraints that help an editor; the loader enforces the same (and more) itself.
_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "key": {"minLength": 1, "maxLength": 64},
}


def _is_attrs(t: Any) -> bool:
    return isinstance(t, type) and attrs.has(t)


class _Builder:
    def __init__(self, partial: bool) -> None:
        self.partial = partial
        self.suffix = "Override" if partial else ""
        self.defs: dict[str, Any] = {}

    def ref(self, cl: type) -> dict[str, Any]:
        name = cl.__name__ + self.suffix
        if name not in self.defs:
            self.defs[name] = {}  # placeholder against recursion
            self.defs[name] = self.object_schema(cl)
        return {"$ref": f"#/$defs/{name}"}

    def type_schema(self, t: Any) -> dict[str, Any]:
        origin = typing.get_origin(t)
        args = typing.get_args(t)
        if t is str:
            return {"type": "string"}
        if t is bool:
            return {"anyOf": [{"type": "boolean"}, _REFERENCE]}
        if t is int:
            return {"anyOf": [{"type": "integer"}, _REFERENCE]}
        if t is float:
            return {"anyOf": [{"type": "number"}, _REFERENCE]}
        if origin is Literal:
            return {"anyOf": [{"enum": list(args)}, _REFERENCE]}
        if origin in (Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            if set(options) == {bool, int, str}:  # FlagValue: JSON true, 3 or "text"
                schema: dict[str, Any] = {"type": ["boolean", "integer", "string"]}
            elif len(options) == 1:
                schema = self.type_schema(options[0])
            else:
                schema = {"anyOf": [self.type_schema(a) for a in options]}
            if len(options) < len(args):
                return (
                    {"anyOf": [schema, {"type": "null"}]}
                    if "anyOf" not in schema
                    else {"anyOf": [*schema["anyOf"], {"type": "null"}]}
                )
            return schema
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.type_schema(args[0])}
        if origin is dict:  # free-form JSON object (a connection's upstream_params)
            return {"type": "object"}
        if _is_attrs(t):
            return self.ref(t)
        raise TypeError(f"no JSON Schema mapping for {t!r}")

    def field_schema(self, cl: type, field: attrs.Attribute, hint: Any) -> dict[str, Any]:
        if cl is Workspace and field.name == "ignore":
            # A bare string is a rule without an expiry date.
            items = {"anyOf": [{"type": "string"}, self.type_schema(typing.get_args(hint)[0])]}
            return {"type": "array", "items": items}
        if cl is Workspace and field.name == "moved":
            # Written with the keys "from" and "to", which cannot name the model's fields.
            address = {"type": "string", "pattern": r"^[a-z_]+\..+$"}
            entry = {"type": "object", "description": (Moved.__doc__ or "").strip().splitlines()[0],
                     "properties": {"from": address, "to": address}, "required": ["from", "to"],
                     "additionalProperties": False}
            return {"type": "array", "items": entry, "default": []}
        schema = dict(self.type_schema(hint))
        schema.update(_CONSTRAINTS.get(field.name, {}) if hint is str else {})
        if cl is LintIgnore and field.name in ("rule", "reason"):  # a reason is what makes an ignore reviewable
            schema["minLength"] = 1
        if cl is Workspace and field.name == "max_delete_fraction":
            schema = {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, _REFERENCE]}
        default = field.default
        if default is not attrs.NOTHING and not isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            if isinstance(default, tuple):
                schema["default"] = list(default)
            elif not _is_attrs(type(default)):
                schema["default"] = default
        return schema

    def object_schema(self, cl: type) -> dict[str, Any]:
        hints = typing.get_type_hints(cl)
        props: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cl):
            props[field.name] = self.field_schema(cl, field, hints[field.name])
            if field.default is attrs.NOTHING:
                required.append(field.name)
        schema: dict[str, Any] = {"type": "object"}
        doc = (cl.__doc__ or "").strip()
        if doc and not doc.startswith(cl.__name__ + "("):  # attrs' generated signature is no help
            schema["description"] = doc.splitlines()[0]
        schema["properties"] = props
        schema["additionalProperties"] = False
        if self.partial and "key" in required:
            required = ["key"]
        elif self.partial:
            required = []
        if required:
            schema["required"] = required
        kind = _KIND_OF_ENTRY.get(cl)
        return kind.adjust_schema(schema, self, self.partial) if kind is not None else schema

    def seed_schema(self, kind: Kind, seed: SeedKey) -> dict[str, Any]:
        """A seed-guide key: its entries with the seed spellings of fields, one of each pair only."""
        assert kind.entry_type is not None
        aliases = kind.seed_field_aliases
        if not aliases and not seed.key_from:
            entry = self.ref(kind.entry_type)
        else:
            base = self.object_schema(kind.entry_type)
            props = dict(base["properties"])
            for alias, native in aliases.items():
                props[alias] = dict(props[native])
            entry = {"type": "object"}
            if seed.description:
                entry["description"] = seed.description
            entry["properties"] = props
            entry["additionalProperties"] = False
            both = [{"not": {"required": [alias, native]}} for alias, native in aliases.items()]
            if len(both) == 1:
                entry.update(both[0])
            elif both:
                entry["allOf"] = both
            required = list(base.get("required", []))
            if seed.key_from and self.partial:
                entry["anyOf"] = [{"required": ["key"]}, {"required": [seed.key_from]}]
                required = []
            elif seed.key_from:
                # A missing key is derived from this field, which is then needed.
                required = [r for r in required if r != "key"]
                required += [] if seed.key_from in required else [seed.key_from]
            if required:
                entry["required"] = required
        return entry if seed.single else {"type": "array", "items": entry}

    def file_schema(self) -> dict[str, Any]:
        hints = typing.get_type_hints(Workspace)
        props: dict[str, Any] = {
            "$schema": {"type": "string"},
            "$extends": {
                "description": "Shared part(s) to merge underneath this file, relative to it.",
                "anyOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string", "minLength": 1}},
                ],
            },
            "variables": {
                "description": "Values for ${var.NAME} references.",
                "type": "object",
                "propertyNames": {"pattern": VARIABLE_NAME.pattern},
                "additionalProperties": {"type": ["string", "number", "boolean"]},
            },
        }
        for field in attrs.fields(Workspace):
            if field.name in _INTERNAL_FIELDS:
                continue
            if field.name == "sections":
                for section, kind in KIND_OF_SECTION.items():
                    assert kind.entry_type is not None
                    props[section] = {"type": "array", "items": self.ref(kind.entry_type), "default": []}
            else:
                props[field.name] = self.field_schema(Workspace, field, hints[field.name])
        for name, (kind, seed) in SEED_KEYS.items():
            props[name] = self.seed_schema(kind, seed)
        return {"type": "object", "properties": props, "additionalProperties": False}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a workspace or shared-part file (native and seed-guide keys)."""
    full = _Builder(partial=False)
    partial = _Builder(partial=True)
    defs: dict[str, Any] = {"reference": {"type": "string", "pattern": REFERENCE_PATTERN}}
    file_full = full.file_schema()
    file_partial = partial.file_schema()
    defs.update(full.defs)
    defs.update(partial.defs)
    defs["WorkspaceFile"] = file_full
    defs["ExtendingFile"] = file_partial
    return {
        "$schema": DRAFT,
        "title": "kinde-iac workspace configuration",
        "description": (
            "A kinde-iac workspace file (environments/<workspace>.json) or shared part. Files with "
            "$extends may hold entries that only override fields of a shared entry with the same key."
        ),
        "$defs": defs,
        "if": {"type": "object", "required": ["$extends"]},
        "then": {"$ref": "#/$defs/ExtendingFile"},
        "else": {"$ref": "#/$defs/WorkspaceFile"},
    }
