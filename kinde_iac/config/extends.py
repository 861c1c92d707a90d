"""``$extends``: a file with its shared parts merged underneath it, left to right, recursively.

Resource sections merge by ``key`` (an overriding entry changes the shared one field by field),
``kinde`` and ``variables`` key by key, ``ignore`` rules and ``moved`` entries add up, anything else
is overridden. The
``SourceNode`` tree follows every merged value, so errors still name the file that wrote it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kinde_iac.config.model import SECTIONS
from kinde_iac.config.reading import read_json
from kinde_iac.config.seed_format import normalise_file
from kinde_iac.config.sources import SourceNode
from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import format_path, quote


def _entry_key(entry: Any) -> str | None:
    return entry.get("key") if isinstance(entry, dict) and isinstance(entry.get("key"), str) else None


def _merge_dicts(
    base: dict[str, Any], bnode: SourceNode, over: dict[str, Any], onode: SourceNode
) -> tuple[dict[str, Any], SourceNode]:
    """Shallow merge: ``over``'s fields win, and their origins with them."""
    node = bnode.shallow_copy()
    node.children.update(onode.children)
    return {**base, **over}, node


def _merge_resources(
    base: list[Any], bnode: SourceNode, over: list[Any], onode: SourceNode
) -> tuple[list[Any], SourceNode]:
    """Merge by ``key``; an overriding entry changes the shared one field by field.

    Each shared entry is matched at most once, so a key written twice in one file survives as two
    entries and validation reports the duplicate instead of it vanishing in the merge.
    """
    out = list(base)
    node = SourceNode(onode.file, onode.path, dict(bnode.children))
    index = {}
    for i, entry in enumerate(base):
        key = _entry_key(entry)
        if key is not None and key not in index:
            index[key] = i
    for j, entry in enumerate(over):
        key = _entry_key(entry)
        target = index.pop(key, None) if key is not None else None
        if target is None:
            node.children[len(out)] = onode.children[j]
            out.append(entry)
        else:
            merged, mnode = _merge_dicts(out[target], node.children[target], entry, onode.children[j])
            out[target] = merged
            node.children[target] = mnode
    return out, node


def _merge_documents(
    base: dict[str, Any], bnode: SourceNode, over: dict[str, Any], onode: SourceNode
) -> tuple[dict[str, Any], SourceNode]:
    doc = dict(base)
    node = SourceNode(onode.file, (), dict(bnode.children))
    for key, value in over.items():
        if key == "$extends":
            continue
        vnode = onode.children[key]
        if key not in doc:
            doc[key] = value
            node.children[key] = vnode
        elif key in SECTIONS:
            doc[key], node.children[key] = _merge_resources(doc[key], node.children[key], value, vnode)
        elif key in ("variables", "kinde"):
            doc[key], node.children[key] = _merge_dicts(doc[key], node.children[key], value, vnode)
        elif key in ("ignore", "moved"):
            # Rules and moves only ever add up; a repeated one is kept once.
            rules = list(doc[key])
            lnode = SourceNode(vnode.file, vnode.path, dict(node.children[key].children))
            for j, rule in enumerate(value):
                if rule not in rules:
                    lnode.children[len(rules)] = vnode.children[j]
                    rules.append(rule)
            doc[key], node.children[key] = rules, lnode
        else:
            doc[key] = value
            node.children[key] = vnode
    return doc, node


def display_join(base_display: str, ref: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(base_display), ref))


def _load_parts(path: Path, display: str, refs: list[str], ext_node: SourceNode,
                stack: list[tuple[Path, str]]) -> tuple[dict[str, Any], SourceNode]:
    """The shared parts ``refs`` of the file at ``path``, merged left to right, recursively."""
    stack = [*stack, (path.resolve(), display)]
    merged: dict[str, Any] = {}
    mnode = SourceNode(display, ())
    for i, ref in enumerate(refs):
        where = format_path(ext_node.path if not ext_node.children else ext_node.path + (i,))
        target = path.parent / ref
        target_display = display_join(display, ref)
        try:
            resolved = target.resolve()
            is_file, exists = target.is_file(), target.exists()
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the OS
            raise ConfigError(
                f"cannot use shared part {quote(ref)}: {exc}", file=display, path=where
            ) from None
        seen = [p for p, _ in stack]
        if resolved in seen:
            chain = [d for _, d in stack[seen.index(resolved) :]] + [target_display]
            raise ConfigError(f"$extends cycle: {' -> '.join(chain)}", file=display, path=where)
        if not is_file:
            problem = "is not a file" if exists else "not found"
            raise ConfigError(f"shared part {quote(target_display)} {problem}", file=display, path=where)
        part, pnode = load_tree(target, target_display, stack)
        merged, mnode = _merge_documents(merged, mnode, part, pnode)
    return merged, mnode


def load_tree(path: Path, display: str, stack: list[tuple[Path, str]]) -> tuple[dict[str, Any], SourceNode]:
    """One file with all its shared parts merged underneath it, left to right."""
    doc, node = normalise_file(read_json(path, display), display)
    refs = doc.pop("$extends", None)
    if refs is None:
        return doc, node
    merged, mnode = _load_parts(path, display, refs, node.children.pop("$extends"), stack)
    return _merge_documents(merged, mnode, doc, node)


#: A document and the tree of where its values were written.
Layer = tuple[dict[str, Any], SourceNode]


def load_layers(path: Path, display: str) -> tuple[Layer, Layer]:
    """The two layers of a workspace file, kept apart: the file's own document (normalised, without
    ``$extends``; its source tree names the place of every entry in the file) and its shared parts
    merged (empty when it extends none), which the file's entries override field by field.
    ``promote`` edits the first knowing what the second already gives."""
    doc, node = normalise_file(read_json(path, display), display)
    refs = doc.pop("$extends", None)
    if refs is None:
        return (doc, node), ({}, SourceNode(display, ()))
    shared = _load_parts(path, display, refs, node.children.pop("$extends"), [])
    return (doc, node), shared
