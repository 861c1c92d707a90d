"""Editing a JSON config file in place, for ``promote``.

A workspace file is reviewed in pull requests, so an edit must change only what it means to change:
every edit here replaces, inserts or removes the text of one value and leaves every other byte as
the user wrote it (key order, blank lines, inline objects, a BOM, CRLF line ends). New values are
written with two-space indentation, on one line when they fit, keys in the order given.

Paths are paths of the file as written (``("roles", 2)``, ``("envVars", 0)``): the ``SourceNode``
of a normalised entry names them.
"""
from __future__ import annotations

import json
import re
from typing import Any

import attrs

from kinde_iac.jsonpath import JsonPath, PathPart, format_path

#: Lines of new values are kept within this many characters when a value can be split.
WIDTH = 100

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"')
_WHITESPACE = " \t\n\r"


@attrs.define
class Span:
    """Where one JSON value is in the text: ``start`` and ``end`` offsets, its members' or items'
    spans, and for an object where each member's key starts (for inserting after the last one)."""

    start: int
    end: int
    children: dict[PathPart, Span] = attrs.field(factory=dict)
    key_starts: dict[str, int] = attrs.field(factory=dict)
    container: bool = False


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def fail(self) -> ValueError:
        return ValueError(f"not valid JSON at offset {self.pos}")

    def value(self) -> Span:
        self.skip()
        start = self.pos
        char = self.text[start:start + 1]
        if char == "{":
            return self.members(start)
        if char == "[":
            return self.items(start)
        if char == '"':
            self.string()
            return Span(start, self.pos)
        for word in ("true", "false", "null"):
            if self.text.startswith(word, start):
                self.pos = start + len(word)
                return Span(start, self.pos)
        number = _NUMBER.match(self.text, start)
        if number is None or number.end() == start:
            raise self.fail()
        self.pos = number.end()
        return Span(start, self.pos)

    def string(self) -> str:
        found = _STRING.match(self.text, self.pos)
        if found is None:
            raise self.fail()
        self.pos = found.end()
        return str(json.loads(found.group(0)))

    def expect(self, char: str) -> None:
        self.skip()
        if self.text[self.pos:self.pos + 1] != char:
            raise self.fail()
        self.pos += 1

    def members(self, start: int) -> Span:
        span = Span(start, start, container=True)
        self.pos = start + 1
        self.skip()
        if self.text[self.pos:self.pos + 1] == "}":
            self.pos += 1
            span.end = self.pos
            return span
        while True:
            self.skip()
            key_start = self.pos
            key = self.string()
            self.expect(":")
            span.children[key] = self.value()
            span.key_starts[key] = key_start
            self.skip()
            if self.text[self.pos:self.pos + 1] == ",":
                self.pos += 1
                continue
            self.expect("}")
            span.end = self.pos
            return span

    def items(self, start: int) -> Span:
        span = Span(start, start, container=True)
        self.pos = start + 1
        self.skip()
        if self.text[self.pos:self.pos + 1] == "]":
            self.pos += 1
            span.end = self.pos
            return span
        index = 0
        while True:
            span.children[index] = self.value()
            index += 1
            self.skip()
            if self.text[self.pos:self.pos + 1] == ",":
                self.pos += 1
                continue
            self.expect("]")
            span.end = self.pos
            return span


def parse_spans(text: str) -> Span:
    """The span of the top-level value of ``text`` (a JSON document) and of everything inside it."""
    parser = _Parser(text)
    span = parser.value()
    parser.skip()
    if parser.pos != len(text):
        raise parser.fail()
    return span


def span_at(root: Span, path: JsonPath) -> Span:
    node = root
    for part in path:
        if part not in node.children:
            raise KeyError(f"{format_path(path)} is not in the file")
        node = node.children[part]
    return node


# -- formatting -------------------------------------------------------------------------------------

def _flat(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def format_value(value: Any, indent: int = 0, column: int | None = None, width: int = WIDTH) -> str:
    """``value`` as JSON text placed at ``column`` of a line indented by ``indent`` spaces: on one line
    when it fits in ``width``, else one member or item per line, indented two more spaces. A list
    of objects (a config section, an API's scopes) always has one object per line."""
    column = indent if column is None else column
    flat = _flat(value)
    one_per_line = isinstance(value, list) and any(isinstance(v, dict) for v in value)
    if not isinstance(value, (dict, list)) or not value or (column + len(flat) <= width and not one_per_line):
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            head = f"{pad}{json.dumps(key, ensure_ascii=False)}: "
            lines.append(head + format_value(item, indent + 2, len(head), width))
        return "{\n" + ",\n".join(lines) + "\n" + " " * indent + "}"
    lines = [pad + format_value(item, indent + 2, None, width) for item in value]
    return "[\n" + ",\n".join(lines) + "\n" + " " * indent + "]"


# -- the document being edited ----------------------------------------------------------------------

class JsonFile:
    """The text of one JSON file under edit. Line ends and a BOM are kept as they were."""

    def __init__(self, text: str) -> None:
        self.bom = text.startswith("\ufeff")
        body = text[1:] if self.bom else text
        self.crlf = "\r\n" in body
        self.text = body.replace("\r\n", "\n") if self.crlf else body

    def rendered(self) -> str:
        """The file's text after the edits, in its own line ends and BOM."""
        body = self.text.replace("\n", "\r\n") if self.crlf else self.text
        return ("\ufeff" if self.bom else "") + body

    def _spans(self) -> Span:
        return parse_spans(self.text)

    def _line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def _indent(self, pos: int) -> str:
        """The indentation of the line holding ``pos``."""
        start = self._line_start(pos)
        end = start
        while end < len(self.text) and self.text[end] in " \t":
            end += 1
        return self.text[start:end]

    def _starts_line(self, pos: int) -> bool:
        return not self.text[self._line_start(pos):pos].strip()

    def _splice(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]

    def _child_indent(self, container: Span, first: int) -> str | None:
        """How the container's members (the first starting at ``first``) are indented, or None when
        they share the container's line."""
        if "\n" not in self.text[container.start:first]:
            return None
        return self._indent(first) if self._starts_line(first) else self._indent(container.start) + "  "

    def replace(self, path: JsonPath, value: Any) -> None:
        """Write ``value`` in place of the value at ``path``."""
        span = span_at(self._spans(), path)
        indent = len(self._indent(span.start))
        self._splice(span.start, span.end, format_value(value, indent, span.start - self._line_start(span.start)))

    def append(self, path: JsonPath, value: Any) -> None:
        """Add ``value`` as the last item of the list at ``path``."""
        span = span_at(self._spans(), path)
        items = [span.children[i] for i in sorted(span.children, key=int)]
        outer = self._indent(span.start)
        if not items:
            inner = outer + "  "
            self._splice(span.start, span.end,
                         f"[\n{inner}{format_value(value, len(inner))}\n{outer}]")
            return
        indent = self._child_indent(span, items[0].start)
        last = items[-1]
        if indent is None:
            column = last.end + 2 - self._line_start(last.end)
            new = format_value(value, len(outer), column)
            if "\n" in new or column + len(new) > WIDTH or isinstance(value, dict):
                # The list no longer fits its line: one item per line, the existing ones as written.
                inner = outer + "  "
                kept = [self.text[i.start:i.end] for i in items]
                lines = [inner + t for t in kept] + [inner + format_value(value, len(inner))]
                self._splice(span.start, span.end, "[\n" + ",\n".join(lines) + "\n" + outer + "]")
            else:
                self._splice(last.end, last.end, ", " + new)
        else:
            self._splice(last.end, last.end, f",\n{indent}{format_value(value, len(indent))}")

    def add_member(self, path: JsonPath, key: str, value: Any) -> None:
        """Add ``"key": value`` as the last member of the object at ``path``."""
        span = span_at(self._spans(), path)
        name = json.dumps(key, ensure_ascii=False)
        outer = self._indent(span.start)
        if not span.children:
            inner = outer + "  "
            head = f"{inner}{name}: "
            self._splice(span.start, span.end, "{\n" + head + format_value(value, len(inner), len(head))
                         + "\n" + outer + "}")
            return
        first_key = min(span.key_starts.values())
        indent = self._child_indent(span, first_key)
        last = max(span.children.values(), key=lambda s: s.end)
        if indent is None:
            head = f", {name}: "
            column = last.end + len(head) - self._line_start(last.end)
            self._splice(last.end, last.end, head + format_value(value, len(outer), column))
        else:
            head = f"{indent}{name}: "
            self._splice(last.end, last.end, ",\n" + head + format_value(value, len(indent), len(head)))

    def remove(self, path: JsonPath) -> None:
        """Remove the list item at ``path`` with its separating comma."""
        *list_path, index = path
        span = span_at(self._spans(), tuple(list_path))
        if not isinstance(index, int) or index not in span.children:
            raise KeyError(f"{format_path(path)} is not in the file")
        items = [span.children[i] for i in sorted(span.children, key=int)]
        if len(items) == 1:
            self._splice(span.start, span.end, "[]")
        elif index > 0:
            self._splice(items[index - 1].end, items[index].end, "")
        else:
            self._splice(items[0].start, items[1].start, "")
