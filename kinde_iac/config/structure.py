"""Structuring: the merged, substituted document -> ``Workspace``, with one strict cattrs converter.

No unknown keys, no coercion between strings, numbers and booleans. Each section is structured
into its kind's ``entry_type``; every failure is collected with its path, and the first one in
document order is raised, located in the file the user wrote.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, override

from kinde_iac.config.model import KIND_OF_SECTION, Workspace
from kinde_iac.config.seed_format import suggest, type_name
from kinde_iac.config.sources import SourceNode, document_position
from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import JsonPath, PathPart, quote

#: Entry model -> its kind's seed spellings, suggested when a native entry uses one.
_SEED_ALIASES = {k.entry_type: k.seed_field_aliases for k in KIND_OF_SECTION.values() if k.entry_type}
#: JSON scalar types by the word messages use for them.
_SCALAR_WORDS = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _strict(kind: type, label: str) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        # bool is an int in Python; JSON true is not a number.
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise TypeError(f"expected {label}, got {type_name(value)}")
        return value

    return hook


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {type_name(value)}")
    return float(value)


def _is_literal(t: Any) -> bool:
    return typing.get_origin(t) is Literal


def _literal_hook(t: Any) -> Callable[[Any, Any], Any]:
    allowed = typing.get_args(t)
    shown = ", ".join(json.dumps(a) for a in allowed)

    def hook(value: Any, _: Any) -> Any:
        if not any(value == a and type(value) is type(a) for a in allowed):
            got = json.dumps(value) if isinstance(value, (str, int, float, bool)) else type_name(value)
            raise ValueError(f"expected one of {shown}, got {got}")
        return value

    return hook


def _scalar_members(t: Any) -> tuple[type, ...]:
    """The scalar types of a union of two or more of them (``bool | int | str``, maybe ``| None``)."""
    if typing.get_origin(t) not in (Union, types.UnionType):
        return ()
    members = tuple(a for a in typing.get_args(t) if a is not type(None))
    return members if len(members) > 1 and all(m in _SCALAR_WORDS for m in members) else ()


def _scalar_union_hook(t: Any) -> Callable[[Any, Any], Any]:
    members = _scalar_members(t)
    optional = type(None) in typing.get_args(t)
    words = [_SCALAR_WORDS[m] for m in members]
    label = f"a {', '.join(words[:-1])} or {words[-1]}"

    def hook(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        # The value keeps its JSON type: a flag value of true stays a boolean.
        if not isinstance(value, members) or isinstance(value, bool) and bool not in members:
            raise TypeError(f"expected {label}, got {type_name(value)}")
        return value

    return hook


def _is_homogeneous_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner: Callable[[Any, Any], Any] = homogenous_tuple_structure_factory(t, converter)

    def hook(value: Any, t2: Any) -> Any:
        # cattrs would turn a string into a tuple of characters.
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type_name(value)}")
        return inner(value, t2)

    return hook


def _attrs_hook(cl: type, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    if cl is Workspace:
        # Sections are structured one by one, by their kinds' models; the rest is the loader's.
        inner = make_dict_structure_fn(cl, converter, _cattrs_forbid_extra_keys=True, sections=override(omit=True),
                                       paths=override(omit=True), origins=override(omit=True),
                                       unresolved=override(omit=True))
    else:
        inner = make_dict_structure_fn(cl, converter, _cattrs_forbid_extra_keys=True)

    def hook(value: Any, t: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type_name(value)}")
        return inner(value, t)

    return hook


def make_converter() -> cattrs.Converter:
    """The one converter from config dicts to the model: strict scalars, no extra keys."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(bool, _strict(bool, "a boolean"))
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook_factory(lambda t: bool(_scalar_members(t)), _scalar_union_hook)
    conv.register_structure_hook_factory(_is_literal, _literal_hook)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook)
    conv.register_structure_hook_factory(attrs.has, _attrs_hook)
    return conv


CONVERTER = make_converter()


def _leaf_errors(exc: BaseException, path: JsonPath) -> list[tuple[JsonPath, str]]:
    """Flatten cattrs' exception groups into (path in the document, message)."""
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        with_notes, without = exc.group_exceptions()
        out: list[tuple[JsonPath, str]] = []
        for sub, note in with_notes:
            part: PathPart = note.name if isinstance(note, AttributeValidationNote) else note.index
            out.extend(_leaf_errors(sub, path + (part,)))
        for sub in without:
            out.extend(_leaf_errors(sub, path))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        names = [f.name for f in attrs.fields(exc.cl)]
        aliases = _SEED_ALIASES.get(exc.cl, {})
        out = []
        for key in sorted(exc.extra_fields):
            hint = f" (did you mean {quote(aliases[key])}?)" if key in aliases else suggest(key, names)
            out.append((path + (key,), f"unknown key {quote(key)}{hint}"))
        return out
    if isinstance(exc, KeyError):
        return [(path, "required key is missing")]
    return [(path, str(exc))]


def _entries_type(cl: type) -> Any:
    return tuple[cl, ...]  # type: ignore[valid-type]


def structure(doc: dict[str, Any], root: SourceNode, *, name: str, source: str) -> Workspace:
    """The merged, substituted document -> Workspace; the first problem in document order raises."""
    errors: list[tuple[JsonPath, str]] = []

    def attempt(value: Any, cl: Any, path: JsonPath) -> Any:
        try:
            return CONVERTER.structure(value, cl)
        except BaseValidationError as exc:  # cattrs reports every failure through exception groups
            leaves = _leaf_errors(exc, path)
            if not leaves:
                raise ConfigError(f"cannot read configuration: {exc}", file=source) from None
            errors.extend(leaves)
            return None

    settings = {k: v for k, v in doc.items() if k not in KIND_OF_SECTION}
    ws = attempt({"name": name, "source": source, **settings}, Workspace, ())
    sections = {
        section: attempt(doc[section], _entries_type(kind.entry_type), (section,))
        for section, kind in KIND_OF_SECTION.items()
        if section in doc and kind.entry_type is not None
    }
    if errors:
        path, message = min(errors, key=lambda e: document_position(doc, e[0]))
        file, where = root.locate(path)
        raise ConfigError(message, file=file, path=where)
    return attrs.evolve(ws, sections=sections, origins=root)
