"""JSON Schema (draft 2020-12) of the config format, generated from the attrs model.

Walking the model keeps the schema from drifting away from what the loader accepts; only the
spellings the loader adds on top of the model (seed-guide keys, bare-string scopes and ignore
rules, inline role permissions, ``$extends``, ``variables``) are described by hand here.

A file with ``$extends`` may hold partial entries that only override fields of a shared entry, so
such files are checked against a variant in which entries need nothing but their ``key``.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

import attrs

from kinde_iac.config import model
from kinde_iac.config.seed_format import VARIABLE_NAME

DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: A whole-string ``${var.NAME}`` / ``${env:NAME}``, which may stand for a non-string value.
REFERENCE_PATTERN = r"^\$\{(var\.[A-Za-z_][A-Za-z0-9_-]*|env:[A-Za-z_][A-Za-z0-9_]*)\}$"
_REFERENCE = {"$ref": "#/$defs/reference"}

#: Fields the loader fills in; never written in a file.
_INTERNAL_FIELDS = {(model.Workspace, "name"), (model.Workspace, "source"), (model.Workspace, "paths")}

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
        if _is_attrs(t):
            return self.ref(t)
        raise TypeError(f"no JSON Schema mapping for {t!r}")

    def field_schema(self, cl: type, field: attrs.Attribute, hint: Any) -> dict[str, Any]:
        # The loader's extra spellings on top of the model.
        if cl is model.Api and field.name == "scopes":
            items = {"anyOf": [{"type": "string"}, self.ref(model.ApiScope)]}
            return {"type": "array", "items": items}
        if cl is model.Role and field.name == "permissions":
            items = {"anyOf": [{"type": "string"}, self.ref(model.Permission)]}
            return {"type": "array", "items": items}
        if cl is model.Workspace and field.name == "ignore":
            items = {"anyOf": [{"type": "string"}, self.ref(model.IgnoreRule)]}
            return {"type": "array", "items": items}
        schema = dict(self.type_schema(hint))
        schema.update(_CONSTRAINTS.get(field.name, {}) if hint is str else {})
        if cl is model.LintIgnore and field.name in ("rule", "reason"):  # lint (issue 18): no empty reasons
            schema["minLength"] = 1
        if cl is model.Workspace and field.name == "max_delete_fraction":
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
            if (cl, field.name) in _INTERNAL_FIELDS:
                continue
            props[field.name] = self.field_schema(cl, field, hints[field.name])
            if field.default is attrs.NOTHING:
                required.append(field.name)
        schema: dict[str, Any] = {"type": "object"}
        doc = (cl.__doc__ or "").strip()
        if doc and not doc.startswith(cl.__name__ + "("):  # attrs' generated signature is no help
            schema["description"] = doc.splitlines()[0]
        schema["properties"] = props
        schema["additionalProperties"] = False
        if cl is model.Api:
            # The key may be left out: it is derived from the audience.
            required = [r for r in required if r != "key"]
            if self.partial:
                schema["anyOf"] = [{"required": ["key"]}, {"required": ["audience"]}]
                required = []
        elif self.partial and "key" in required:
            required = ["key"]
        elif self.partial:
            required = []
        if required:
            schema["required"] = required
        return schema

    def seed_application(self) -> dict[str, Any]:
        base = self.object_schema(model.Application)
        props = dict(base["properties"])
        # The seed guide writes these in camelCase; the key comes from the name when left out.
        props["redirectUrls"] = props["redirect_urls"]
        props["logoutUrls"] = props["logout_urls"]
        schema = {
            "type": "object",
            "description": "The seed guide's single application; its key is a slug of its name unless given.",
            "properties": props,
            "additionalProperties": False,
        }
        schema["anyOf" if self.partial else "required"] = (
            [{"required": ["key"]}, {"required": ["name"]}] if self.partial else ["name"]
        )
        return schema

    def seed_env_var(self) -> dict[str, Any]:
        base = self.object_schema(model.EnvVar)
        props = dict(base["properties"])
        props["sensitive"] = dict(props["is_secret"])
        schema = {
            "type": "object",
            "description": "The seed guide's env var: `sensitive` means `is_secret`.",
            "properties": props,
            "additionalProperties": False,
            "not": {"required": ["sensitive", "is_secret"]},
        }
        if base.get("required"):
            schema["required"] = base["required"]
        return schema

    def file_schema(self) -> dict[str, Any]:
        ws = self.object_schema(model.Workspace)
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
        props.update(ws["properties"])
        props["application"] = self.seed_application()
        props["featureFlags"] = {"type": "array", "items": self.ref(model.FeatureFlag)}
        props["envVars"] = {"type": "array", "items": self.seed_env_var()}
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
