"""Per-file normalisation: the seed guide's keys become native ones before files are merged.

Translating each file on its own (rather than the merged result) lets a shared part written in
the seed format be extended by a native workspace file and vice versa: both sides reach the merge
with the same key names. Every rewritten value keeps a ``SourceNode`` pointing at what the user
actually wrote, so errors name ``$.featureFlags[0]`` and not ``$.feature_flags[0]``.

Which keys feed which section, and how an entry is translated, is each kind's declaration
(``seed_keys``, ``seed_field_aliases``, ``normalise_entry``); this module applies them.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from kinde_iac.config.model import KIND_OF_SECTION, SECTIONS
from kinde_iac.config.sources import SourceNode
from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import JsonPath, PathPart, format_path, quote, type_name
from kinde_iac.resources import KINDS, Kind
from kinde_iac.resources.kind_config import SeedKey

#: Top-level keys of the native format besides the resource sections.
NATIVE_SCALAR_KEYS = ("kinde", "ignore", "moved", "max_delete_fraction", "lint")
META_KEYS = ("$schema", "$extends", "variables")
#: Seed-guide key -> the kind whose section it feeds, and how.
SEED_KEYS: dict[str, tuple[Kind, SeedKey]] = {s.name: (k, s) for k in KINDS for s in k.seed_keys}

TOP_LEVEL_KEYS = (*META_KEYS, "kinde", *SECTIONS, "ignore", "moved", "max_delete_fraction", "lint", *SEED_KEYS)
#: How a ``moved`` entry is written, and the model's field each key fills (``config.model.Moved``).
MOVED_KEYS = {"from": "source", "to": "target"}

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def suggest(word: str, candidates: Any) -> str:
    """`` (did you mean "x"?)`` or an empty string."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {quote(match[0])}?)" if match else ""


def _error(message: str, file: str, path: JsonPath) -> ConfigError:
    return ConfigError(message, file=file, path=format_path(path))


class _Entry:
    """One dict entry being translated (``resources.kind_config.ConfigEntry``)."""

    def __init__(self, owner: _Normaliser, data: dict[str, Any], node: SourceNode, path: JsonPath,
                 written: str) -> None:
        self.owner = owner
        self.data = data
        self.node = node
        self.path = path
        self.written = written
        self._copied: set[str] = set()  # list fields already copied before an in-place edit

    def error(self, message: str, *path: PathPart) -> ConfigError:
        return _error(message, self.owner.file, self.path + path)

    def rename(self, old: str, new: str) -> None:
        """Rename a seed field in place, keeping its position (document order) and origin."""
        if old not in self.data:
            return
        if new in self.data:
            raise self.error(f"both {quote(old)} and {quote(new)} are given; use one of them", old)
        self.data = {(new if k == old else k): v for k, v in self.data.items()}
        self.node.children = {(new if k == old else k): v for k, v in self.node.children.items()}

    def set_key(self, key: str, *, derived_from: str) -> None:
        # First, so the entry reads like a native one.
        self.data = {"key": key, **self.data}
        self.node.children["key"] = self.node.children[derived_from]

    def expand_strings(self, field: str, keys: tuple[str, ...]) -> None:
        """Each new field points back at the string the user wrote."""
        list_node = self.node.children[field].shallow_copy()
        self.node.children[field] = list_node
        out: list[Any] = []
        for j, item in enumerate(self.data[field]):
            if isinstance(item, str):
                snode = list_node.children[j]
                out.append({k: item for k in keys})
                list_node.children[j] = SourceNode(snode.file, snode.path, {k: snode for k in keys})
            else:
                out.append(item)
        self.data[field] = out

    def define_inline(self, field: str, index: int, section: str) -> None:
        if field not in self._copied:
            self._copied.add(field)
            self.data[field] = list(self.data[field])
            self.node.children[field] = self.node.children[field].shallow_copy()
        items, list_node = self.data[field], self.node.children[field]
        definition = dict(items[index])
        origin = list_node.children[index]
        items[index] = definition["key"]
        # The reference is the inline key: a wrong type is reported where the key was written.
        list_node.children[index] = origin.child("key")
        self.owner.derived.add(id(definition))
        self.owner.append(section, definition, origin)


class _Normaliser:
    """Builds the native document and its source tree for one file."""

    def __init__(self, raw: dict[str, Any], file: str) -> None:
        self.raw = raw
        self.file = file
        self.raw_node = SourceNode.mirror(raw, file)
        self.doc: dict[str, Any] = {}
        self.node = SourceNode(file, ())
        # Ids of entries that only exist because another entry defined them inline.
        self.derived: set[int] = set()

    def _list(self, section: str) -> tuple[list[Any], SourceNode]:
        if section not in self.doc:
            self.doc[section] = []
            # A list made of several written lists has no single origin; errors about the list
            # as a whole are raised here, with the written key, before this node matters.
            self.node.children[section] = SourceNode(self.file, (section,))
        return self.doc[section], self.node.children[section]

    def append(self, section: str, value: Any, node: SourceNode) -> None:
        items, list_node = self._list(section)
        list_node.children[len(items)] = node
        items.append(value)

    def run(self) -> tuple[dict[str, Any], SourceNode]:
        for key, value in self.raw.items():
            vnode = self.raw_node.children[key]
            path: JsonPath = (key,)
            if key not in TOP_LEVEL_KEYS:
                raise _error(f"unknown key {quote(key)}{suggest(key, TOP_LEVEL_KEYS)}", self.file, path)
            seed = SEED_KEYS.get(key)
            if key == "$schema":
                if not isinstance(value, str):
                    raise _error(f"expected a string, got {type_name(value)}", self.file, path)
            elif key == "$extends":
                self.doc[key] = self._extends(value)
                self.node.children[key] = vnode
            elif key == "variables":
                self._variables(value)
                self.doc[key] = value
                self.node.children[key] = vnode
            elif key == "kinde":
                if not isinstance(value, dict):
                    raise _error(f"expected an object, got {type_name(value)}", self.file, path)
                self.doc[key] = value
                self.node.children[key] = vnode
            elif seed is not None and seed[1].single:
                if not isinstance(value, dict):
                    raise _error(f"expected an object, got {type_name(value)}", self.file, path)
                self._entry(seed[0], key, value, vnode, path)
            elif key == "moved":
                if not isinstance(value, list):
                    raise _error(f"expected a list, got {type_name(value)}", self.file, path)
                for i, entry in enumerate(value):
                    self._moved(entry, vnode.children[i], path + (i,))
            elif key in KIND_OF_SECTION or seed is not None or key == "ignore":
                if not isinstance(value, list):
                    raise _error(f"expected a list, got {type_name(value)}", self.file, path)
                for i, entry in enumerate(value):
                    if key == "ignore":
                        self._ignore_rule(entry, vnode.children[i])
                    else:
                        kind = seed[0] if seed is not None else KIND_OF_SECTION[key]
                        self._entry(kind, key, entry, vnode.children[i], path + (i,))
            else:  # max_delete_fraction: checked by the converter
                self.doc[key] = value
                self.node.children[key] = vnode
        self._drop_repeated_inline_definitions()
        return self.doc, self.node

    def _extends(self, value: Any) -> list[str]:
        refs = [value] if isinstance(value, str) else value
        if not isinstance(refs, list):
            raise _error(
                f"expected a file path or a list of them, got {type_name(value)}", self.file, ("$extends",)
            )
        for i, ref in enumerate(refs):
            if not isinstance(ref, str) or not ref:
                where = ("$extends",) if isinstance(value, str) else ("$extends", i)
                got = "an empty string" if ref == "" else type_name(ref)
                raise _error(f"expected a file path, got {got}", self.file, where)
        return list(refs)

    def _variables(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise _error(
                f"expected an object of variables, got {type_name(value)}", self.file, ("variables",)
            )
        for name, val in value.items():
            if not VARIABLE_NAME.match(name):
                raise _error(
                    "variable names start with a letter or _ and contain only letters, digits, _ and -",
                    self.file,
                    ("variables", name),
                )
            if isinstance(val, (dict, list)) or val is None:
                raise _error(
                    f"expected a string, number or boolean, got {type_name(val)}",
                    self.file,
                    ("variables", name),
                )

    def _ignore_rule(self, entry: Any, node: SourceNode) -> None:
        if isinstance(entry, str):
            # A bare pattern is an ignore rule without an expiry date.
            self.append("ignore", {"address": entry}, SourceNode(node.file, node.path, {"address": node}))
        elif isinstance(entry, dict):
            self.append("ignore", dict(entry), node.shallow_copy())
        else:
            self.append("ignore", entry, node)

    def _moved(self, entry: Any, node: SourceNode, path: JsonPath) -> None:
        """``{"from": ADDRESS, "to": ADDRESS}`` as the model's ``Moved`` (whose fields cannot be
        named ``from``), each value keeping the origin it was written at."""
        if not isinstance(entry, dict):
            raise _error(f'expected an object {{"from": ADDRESS, "to": ADDRESS}}, got {type_name(entry)}',
                         self.file, path)
        for key in entry:
            if key not in MOVED_KEYS:
                raise _error(f"unknown key {quote(key)}{suggest(key, MOVED_KEYS)} (a moved entry has "
                             f'"from" and "to")', self.file, path + (key,))
        for key in MOVED_KEYS:
            if key not in entry:
                raise _error(f"{quote(key)} is missing (a moved entry has \"from\" and \"to\")", self.file, path)
            if not isinstance(entry[key], str):
                raise _error(f"expected an address such as \"application.web\", got {type_name(entry[key])}",
                             self.file, path + (key,))
        self.append("moved", {MOVED_KEYS[k]: entry[k] for k in MOVED_KEYS},
                    SourceNode(node.file, node.path, {MOVED_KEYS[k]: node.children[k] for k in MOVED_KEYS}))

    def _entry(self, kind: Kind, written: str, entry: Any, node: SourceNode, path: JsonPath) -> None:
        section = kind.config_section or ""
        if not isinstance(entry, dict):
            self.append(section, entry, node)
            return
        edited = _Entry(self, dict(entry), node.shallow_copy(), path, written)
        if written != section:
            for old, new in kind.seed_field_aliases.items():
                edited.rename(old, new)
        kind.normalise_entry(edited)
        self.append(section, edited.data, edited.node)

    def _drop_repeated_inline_definitions(self) -> None:
        """Drop inline definitions identical to an earlier entry with the same key; conflicting
        ones stay and are reported as duplicates (with both paths) by validation."""
        if not self.derived:
            return
        for section in SECTIONS:
            entries = self.doc.get(section)
            if not entries or not any(id(e) in self.derived for e in entries):
                continue
            list_node = self.node.children[section]
            kept: list[Any] = []
            kept_nodes: dict[PathPart, SourceNode] = {}
            by_key: dict[str, list[dict[str, Any]]] = {}
            for i, entry in enumerate(entries):
                same_key = by_key.setdefault(repr(entry.get("key")), []) if isinstance(entry, dict) else []
                if id(entry) in self.derived and any(_same_definition(other, entry) for other in same_key):
                    continue
                if isinstance(entry, dict):
                    same_key.append(entry)
                kept_nodes[len(kept)] = list_node.children[i]
                kept.append(entry)
            self.doc[section] = kept
            list_node.children = kept_nodes


def _same_definition(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal once unset (null) fields are ignored: ``{key, name}`` equals ``{key, name, description: null}``."""

    def strip(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v is not None}

    return strip(a) == strip(b)


def normalise_file(raw: dict[str, Any], file: str) -> tuple[dict[str, Any], SourceNode]:
    """One parsed file -> (native document, its source tree).

    ``$extends`` becomes a list of paths; ``$schema`` is dropped; seed keys become native ones.
    Only shapes the merge depends on are checked here; field types are the converter's job.
    """
    return _Normaliser(raw, file).run()
