"""Where each value of a merged config came from: file and JSON path.

Shared parts, seed-format translation and field-by-field overrides mean that a value's position in
the merged document says little about where the user wrote it. Every stage therefore carries a
tree of ``SourceNode`` mirroring the document it produces, and error messages are located through
it, so they always point at the line the user has to edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kinde_iac.jsonpath import JsonPath, PathPart, format_path


class SourceNode:
    """Origin of one JSON value (``file``, path inside that file) plus its children's origins."""

    __slots__ = ("children", "file", "path")

    def __init__(self, file: str, path: JsonPath, children: dict[PathPart, SourceNode] | None = None) -> None:
        self.file = file
        self.path = path
        self.children: dict[PathPart, SourceNode] = children if children is not None else {}

    @classmethod
    def mirror(cls, value: Any, file: str, path: JsonPath = ()) -> SourceNode:
        """A tree whose every node points at the same position of ``value`` in ``file``."""
        node = cls(file, path)
        if isinstance(value, dict):
            node.children = {k: cls.mirror(v, file, path + (k,)) for k, v in value.items()}
        elif isinstance(value, list):
            node.children = {i: cls.mirror(v, file, path + (i,)) for i, v in enumerate(value)}
        return node

    def shallow_copy(self) -> SourceNode:
        return SourceNode(self.file, self.path, dict(self.children))

    def child(self, part: PathPart) -> SourceNode:
        """The child's node, or a synthetic one one level below this node."""
        found = self.children.get(part)
        return found if found is not None else SourceNode(self.file, self.path + (part,))

    def locate(self, path: Iterable[PathPart]) -> tuple[str, str]:
        """(file, JSON path) for a path in the document this tree mirrors.

        Parts below the deepest known node (a missing field, say) are appended to that node's path,
        which names the place where the user would add them.
        """
        node = self
        rest: list[PathPart] = []
        for part in path:
            if rest:
                rest.append(part)
                continue
            nxt = node.children.get(part)
            if nxt is None:
                rest.append(part)
            else:
                node = nxt
        return node.file, format_path(node.path + tuple(rest))


def document_position(doc: Any, path: Iterable[PathPart]) -> tuple[int, ...]:
    """Sort key placing ``path`` in document order (object keys as written, list indices)."""
    key: list[int] = []
    cur = doc
    for part in path:
        if isinstance(cur, dict):
            keys = list(cur)
            idx = keys.index(part) if part in cur else len(keys)
            key.append(idx)
            cur = cur.get(part)
        elif isinstance(cur, list) and isinstance(part, int):
            key.append(part)
            cur = cur[part] if 0 <= part < len(cur) else None
        else:
            key.append(0)
            cur = None
    return tuple(key)
