"""The edits ``promote`` makes to the target's workspace file so that one object's effective
definition there equals the source's.

The target's effective entry is its shared parts' entry with the file's entry merged on top, field
by field. So the file gets only the fields the shared part does not already give (an object defined
in a shared part is not duplicated), the entry is removed from the file when the shared part alone
is enough, and a nested object (an API's scope) is promoted by writing its parent's nested list.
Values are copied as written, before substitution: variable references stay references.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.config.extends import Layer
from kinde_iac.config.model import KIND_OF_SECTION
from kinde_iac.config.rewrite import JsonFile
from kinde_iac.config.seed_format import normalise_file
from kinde_iac.errors import KindeIacError
from kinde_iac.jsonpath import JsonPath, format_path

#: Fields every entry has that belong to each environment alone: promote keeps the target's.
ENVIRONMENT_FIELDS = ("protect",)


class PromoteError(KindeIacError):
    """Promote refuses: the message names the object and what to do."""


def _keyed(entries: Any, key: str) -> tuple[int, dict[str, Any]] | None:
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and entry.get("key") == key:
            return i, entry
    return None


def field_default(section: str, name: str) -> Any:
    """The value a field has when an entry leaves it out (``[]`` for an empty list)."""
    entry_type = KIND_OF_SECTION[section].entry_type
    for field in attrs.fields(entry_type) if entry_type is not None else ():
        if field.name == name:
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if default is attrs.NOTHING:
                return None
            return list(default) if isinstance(default, tuple) else default
    return None


def override_for(section: str, key: str, shared: Mapping[str, Any] | None, wanted: Mapping[str, Any],
                 order: list[str]) -> dict[str, Any]:
    """The file entry that, merged onto the shared entry, gives ``wanted``: only what differs from
    the shared part, keys in ``order`` (the file's current entry) and then ``wanted``'s."""
    if shared is None:
        fields = dict(wanted)
    else:
        fields = {k: v for k, v in wanted.items() if k not in shared or shared[k] != v}
        for name, value in shared.items():
            if name not in wanted and value != field_default(section, name):
                fields[name] = field_default(section, name)
    fields["key"] = key
    names = [n for n in (*order, "key", *wanted, *fields) if n in fields]
    return {n: fields[n] for n in dict.fromkeys(names)}


class TargetFile:
    """The target workspace file under edit, with its shared parts (which promote never edits)."""

    def __init__(self, path: Path, shared: Layer) -> None:
        self.path = path
        self.display = os.fspath(path)
        self.before = path.read_bytes().decode("utf-8")
        self.file = JsonFile(self.before)
        self.shared_doc = shared[0]

    @property
    def text(self) -> str:
        return self.file.rendered()

    def _own(self) -> Layer:
        return normalise_file(json.loads(self.file.text), self.display)

    def shared_entry(self, section: str, key: str) -> dict[str, Any] | None:
        found = _keyed(self.shared_doc.get(section), key)
        return found[1] if found else None

    def own_entry(self, section: str, key: str) -> tuple[dict[str, Any], JsonPath] | None:
        """The file's own entry for ``key`` and where it is written in the file."""
        doc, node = self._own()
        found = _keyed(doc.get(section), key)
        if found is None:
            return None
        return found[1], node.children[section].children[found[0]].path

    def effective(self, section: str, key: str) -> dict[str, Any] | None:
        """The entry as the workspace sees it (shared part, then the file's fields), unresolved."""
        shared, own = self.shared_entry(section, key), self.own_entry(section, key)
        if shared is None and own is None:
            return None
        return {**(shared or {}), **(own[0] if own else {})}

    def _check_position(self, address: str, path: JsonPath) -> None:
        simple = len(path) == 1 or (len(path) == 2 and isinstance(path[1], int))
        if not simple:
            raise PromoteError(f"{address} is defined inline at {self.display}: {format_path(path)}; "
                               f"move its definition to its own section to promote it")

    def write(self, address: str, section: str, key: str, wanted: Mapping[str, Any]) -> None:
        """Make the effective entry ``key`` of ``section`` equal ``wanted``."""
        shared, own = self.shared_entry(section, key), self.own_entry(section, key)
        base = {**(shared or {}), **(own[0] if own else {})}
        wanted = dict(wanted)
        for name in ENVIRONMENT_FIELDS:
            wanted.pop(name, None)
            if name in base:
                wanted[name] = base[name]
        entry = override_for(section, key, shared, wanted, list(own[0]) if own else [])
        if own is not None:
            if entry == own[0]:
                return
            self._check_position(address, own[1])
            if list(entry) == ["key"]:
                self._remove(address, own[1])
            else:
                self.file.replace(own[1], entry)
        elif list(entry) != ["key"]:
            doc = json.loads(self.file.text)
            if isinstance(doc.get(section), list):
                self.file.append((section,), entry)
            else:
                self.file.add_member((), section, [entry])

    def remove(self, address: str, section: str, key: str) -> None:
        if self.shared_entry(section, key) is not None:
            raise PromoteError(f"{address} is defined in a shared part of {self.display}; an extending file "
                               f"cannot remove it: remove it from the shared part if no workspace needs it")
        own = self.own_entry(section, key)
        if own is not None:
            self._check_position(address, own[1])
            self._remove(address, own[1])

    def _remove(self, address: str, path: JsonPath) -> None:
        if len(path) != 2:
            raise PromoteError(f"{address} is written as a single object at {self.display}: "
                               f"{format_path(path)}; remove it by hand")
        self.file.remove(path)


def nested_list(current: list[Any], key: str, element: Mapping[str, Any] | None) -> list[Any]:
    """A parent's nested list with the element ``key`` replaced by ``element`` (added when new,
    removed when None)."""
    out: list[Any] = []
    placed = False
    for item in current:
        if isinstance(item, dict) and item.get("key") == key:
            placed = True
            if element is not None:
                out.append(dict(element))
        else:
            out.append(item)
    if not placed and element is not None:
        out.append(dict(element))
    return out


def rebase(ref: str, from_file: str, to_file: str) -> str:
    """A path written relative to ``from_file``, rewritten relative to ``to_file``."""
    if not ref or os.path.isabs(ref) or "://" in ref or "${" in ref:
        return ref
    target = os.path.normpath(os.path.join(os.path.dirname(from_file), ref))
    return os.path.relpath(target, os.path.dirname(to_file) or ".").replace(os.sep, "/")
