"""Per-file normalisation: the seed guide's keys become native ones before files are merged.

Translating each file on its own (rather than the merged result) lets a shared part written in
the seed format be extended by a native workspace file and vice versa: both sides reach the merge
with the same key names. Every rewritten value keeps a ``SourceNode`` pointing at what the user
actually wrote, so errors name ``$.featureFlags[0]`` and not ``$.feature_flags[0]``.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from kinde_iac.config.sources import JsonPath, SourceNode, format_path, quote
from kinde_iac.errors import ConfigError

#: Native resource lists, in the order the normalised document lists them when none is written.
RESOURCE_KINDS = (
    "applications",
    "apis",
    "permissions",
    "roles",
    "feature_flags",
    "env_vars",
    "api_keys",
)

#: Top-level keys of the native format (besides the resource lists).
NATIVE_SCALAR_KEYS = ("kinde", "ignore", "max_delete_fraction", "lint")
META_KEYS = ("$schema", "$extends", "variables")
#: Seed-guide key -> native key it feeds.
SEED_KEYS = {"application": "applications", "featureFlags": "feature_flags", "envVars": "env_vars"}

TOP_LEVEL_KEYS = (*META_KEYS, "kinde", *RESOURCE_KINDS, "ignore", "max_delete_fraction", *SEED_KEYS,
                  "lint")  # lint: issue 18

#: Seed spellings inside entries, offered as suggestions when a native entry uses them wrongly.
SEED_FIELD_ALIASES = {
    "applications": {"redirectUrls": "redirect_urls", "logoutUrls": "logout_urls"},
    "env_vars": {"sensitive": "is_secret"},
}

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
SLUG_MAX = 64


def slugify(text: str) -> str:
    """Key derived from a display name: ``"My Kinde App, Created with Script"`` -> ``my-kinde-app-created-with-script``.

    Lower-case; every run of characters other than ASCII letters and digits becomes one ``-``;
    leading and trailing ``-`` are trimmed; the result is cut to 64 characters (Kinde's key limit).
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def suggest(word: str, candidates: Any) -> str:
    """`` (did you mean "x"?)`` or an empty string."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {quote(match[0])}?)" if match else ""


def type_name(value: Any) -> str:
    """The JSON name of a Python value's type, for "expected X, got Y" messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _error(message: str, file: str, path: JsonPath) -> ConfigError:
    return ConfigError(message, file=file, path=format_path(path))


def _rename(entry: dict[str, Any], node: SourceNode, old: str, new: str, file: str, path: JsonPath) -> None:
    """Rename a seed field in place, keeping its position (document order) and origin."""
    if old not in entry:
        return
    if new in entry:
        raise _error(f"both {quote(old)} and {quote(new)} are given; use one of them", file, path + (old,))
    items = [(new if k == old else k, v) for k, v in entry.items()]
    entry.clear()
    entry.update(items)
    node.children = {(new if k == old else k): v for k, v in node.children.items()}


class _Normaliser:
    """Builds the native document and its source tree for one file."""

    def __init__(self, raw: dict[str, Any], file: str) -> None:
        self.raw = raw
        self.file = file
        self.raw_node = SourceNode.mirror(raw, file)
        self.doc: dict[str, Any] = {}
        self.node = SourceNode(file, ())
        # Ids of permission entries that only exist because a role listed them inline.
        self.derived: set[int] = set()

    def _list(self, kind: str) -> tuple[list[Any], SourceNode]:
        if kind not in self.doc:
            self.doc[kind] = []
            # A list made of several written lists has no single origin; errors about the list
            # as a whole are raised here, with the written key, before this node matters.
            self.node.children[kind] = SourceNode(self.file, (kind,))
        return self.doc[kind], self.node.children[kind]

    def _append(self, kind: str, value: Any, node: SourceNode) -> None:
        items, list_node = self._list(kind)
        list_node.children[len(items)] = node
        items.append(value)

    def run(self) -> tuple[dict[str, Any], SourceNode]:
        for key, value in self.raw.items():
            vnode = self.raw_node.children[key]
            path: JsonPath = (key,)
            if key not in TOP_LEVEL_KEYS:
                raise _error(f"unknown key {quote(key)}{suggest(key, TOP_LEVEL_KEYS)}", self.file, path)
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
            elif key == "application":
                if not isinstance(value, dict):
                    raise _error(f"expected an object, got {type_name(value)}", self.file, path)
                self._append("applications", *self._seed_application(value, vnode))
            elif key in RESOURCE_KINDS or key in SEED_KEYS or key == "ignore":
                if not isinstance(value, list):
                    raise _error(f"expected a list, got {type_name(value)}", self.file, path)
                kind = SEED_KEYS.get(key, key)
                for i, entry in enumerate(value):
                    self._entry(kind, key, entry, vnode.children[i], path + (i,))
            else:  # max_delete_fraction: checked by the converter
                self.doc[key] = value
                self.node.children[key] = vnode
        self._merge_inline_permissions()
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

    def _seed_application(self, app: dict[str, Any], node: SourceNode) -> tuple[dict[str, Any], SourceNode]:
        path: JsonPath = ("application",)
        app = dict(app)
        node = node.shallow_copy()
        _rename(app, node, "redirectUrls", "redirect_urls", self.file, path)
        _rename(app, node, "logoutUrls", "logout_urls", self.file, path)
        if "key" not in app:
            if "name" not in app:
                raise _error('missing "name" (the application key is derived from it)', self.file, path)
            name = app["name"]
            if isinstance(name, str):
                key = slugify(name)
                if not key:
                    raise _error(
                        'cannot derive an application key from this name; add a "key"',
                        self.file,
                        path + ("name",),
                    )
                # Put the derived key first so the entry reads like a native one.
                app = {"key": key, **app}
                node.children["key"] = node.children["name"]
        return app, node

    def _entry(self, kind: str, written: str, entry: Any, node: SourceNode, path: JsonPath) -> None:
        if kind == "ignore" and isinstance(entry, str):
            # A bare pattern is an ignore rule without an expiry date.
            self._append(kind, {"address": entry}, SourceNode(node.file, node.path, {"address": node}))
            return
        if not isinstance(entry, dict):
            self._append(kind, entry, node)
            return
        entry = dict(entry)
        node = node.shallow_copy()
        if written == "envVars":
            _rename(entry, node, "sensitive", "is_secret", self.file, path)
        elif kind == "apis":
            if "key" not in entry and isinstance(entry.get("audience"), str):
                key = slugify(entry["audience"])
                if key:
                    entry = {"key": key, **entry}
                    node.children["key"] = node.children["audience"]
            if isinstance(entry.get("scopes"), list):
                entry["scopes"] = _expand_strings(entry["scopes"], node, "scopes", ("key", "description"))
        elif kind == "roles" and isinstance(entry.get("permissions"), list):
            entry["permissions"] = self._role_permissions(entry["permissions"], node, path)
        self._append(kind, entry, node)

    def _role_permissions(self, perms: list[Any], role_node: SourceNode, role_path: JsonPath) -> list[Any]:
        """Inline ``{key, name, description}`` objects -> key references plus permission definitions."""
        list_node = role_node.children["permissions"].shallow_copy()
        role_node.children["permissions"] = list_node
        refs: list[Any] = []
        for j, perm in enumerate(perms):
            pnode = list_node.children[j]
            if not isinstance(perm, dict):
                refs.append(perm)
                continue
            if "key" not in perm:
                raise _error('an inline permission needs a "key"', self.file, role_path + ("permissions", j))
            refs.append(perm["key"])
            # The reference is the inline key: a wrong type is reported where the key was written.
            list_node.children[j] = pnode.child("key")
            definition = dict(perm)
            self.derived.add(id(definition))
            self._append("permissions", definition, pnode)
        return refs

    def _merge_inline_permissions(self) -> None:
        """Drop inline definitions identical to an earlier one; conflicting ones stay and are
        reported as duplicates (with both paths) by validation."""
        perms = self.doc.get("permissions")
        if not perms:
            return
        list_node = self.node.children["permissions"]
        kept: list[Any] = []
        kept_nodes: dict[int, SourceNode] = {}
        by_key: dict[str, list[dict[str, Any]]] = {}
        for i, perm in enumerate(perms):
            same_key = by_key.setdefault(repr(perm.get("key")), []) if isinstance(perm, dict) else []
            if id(perm) in self.derived and any(_same_definition(other, perm) for other in same_key):
                continue
            if isinstance(perm, dict):
                same_key.append(perm)
            kept_nodes[len(kept)] = list_node.children[i]
            kept.append(perm)
        self.doc["permissions"] = kept
        list_node.children = kept_nodes


def _expand_strings(items: list[Any], owner: SourceNode, field: str, keys: tuple[str, ...]) -> list[Any]:
    """``"orders:read"`` -> ``{"key": "orders:read", "description": "orders:read"}``, as the seed
    script sends it; each new field points back at the string the user wrote."""
    list_node = owner.children[field].shallow_copy()
    owner.children[field] = list_node
    out: list[Any] = []
    for j, item in enumerate(items):
        if isinstance(item, str):
            snode = list_node.children[j]
            out.append({k: item for k in keys})
            list_node.children[j] = SourceNode(snode.file, snode.path, {k: snode for k in keys})
        else:
            out.append(item)
    return out


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
