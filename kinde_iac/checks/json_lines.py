"""Line numbers of values in JSON config files, so findings about config point at a line.

The loader records where each entry was written as a file and JSON path (``$.roles[0]``); Python's
``json`` module keeps no positions, so this module reads the file once more and notes where every
value starts.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

PathPart = str | int
JsonPath = tuple[PathPart, ...]

_PATH_TOKEN = re.compile(r'\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')
_WS = " \t\r\n"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def parse_path(text: str) -> JsonPath:
    """``$.roles[0].key`` (as ``config.sources.format_path`` writes it) -> ``("roles", 0, "key")``."""
    if not text.startswith("$"):
        return ()
    out: list[PathPart] = []
    pos = 1
    while pos < len(text):
        m = _PATH_TOKEN.match(text, pos)
        if not m:
            break
        name, index, quoted = m.groups()
        out.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        pos = m.end()
    return tuple(out)


class JsonIndex:
    """Where each value of one JSON document starts (1-based line and column)."""

    def __init__(self, text: str) -> None:
        self.text = text.lstrip("\ufeff")
        self.offset = len(text) - len(self.text)
        self.starts: dict[JsonPath, int] = {}
        self.strings: list[tuple[JsonPath, str]] = []
        self._line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        try:
            self._value(self._skip(0), ())
        except (ValueError, IndexError):
            pass  # the loader has reported it already; what was indexed so far still helps

    # -- reading -------------------------------------------------------------------------------
    def _skip(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in _WS:
            pos += 1
        return pos

    def _string_end(self, pos: int) -> int:
        pos += 1
        while self.text[pos] != '"':
            pos += 2 if self.text[pos] == "\\" else 1
        return pos + 1

    def _value(self, pos: int, path: JsonPath) -> int:
        self.starts[path] = pos
        c = self.text[pos]
        if c == "{":
            pos = self._skip(pos + 1)
            while self.text[pos] != "}":
                end = self._string_end(pos)
                key = json.loads(self.text[pos:end])
                pos = self._skip(end)
                pos = self._skip(pos + 1)  # the colon
                pos = self._skip(self._value(pos, path + (key,)))
                if self.text[pos] == ",":
                    pos = self._skip(pos + 1)
            return pos + 1
        if c == "[":
            pos = self._skip(pos + 1)
            i = 0
            while self.text[pos] != "]":
                pos = self._skip(self._value(pos, path + (i,)))
                i += 1
                if self.text[pos] == ",":
                    pos = self._skip(pos + 1)
            return pos + 1
        if c == '"':
            end = self._string_end(pos)
            self.strings.append((path, json.loads(self.text[pos:end])))
            return end
        for word in ("true", "false", "null"):
            if self.text.startswith(word, pos):
                return pos + len(word)
        m = _NUMBER.match(self.text, pos)
        if not m:
            raise ValueError(f"unexpected {c!r}")
        return m.end()

    # -- answers -------------------------------------------------------------------------------
    def position(self, offset: int) -> tuple[int, int]:
        offset += self.offset
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self._line_starts[lo] + 1

    def line_of(self, path: JsonPath) -> int | None:
        """Line of the value at ``path``, or of its deepest written ancestor."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.starts:
                return self.position(self.starts[path[:n]])[0]
        return None

    def find_string(self, under: JsonPath, value: str) -> int | None:
        """Line of the first string equal to ``value`` written inside the value at ``under``."""
        for path, text in self.strings:
            if path[: len(under)] == under and text == value:
                return self.position(self.starts[path])[0]
        return None


class ConfigLines:
    """Line lookups over the config files of a run, each file read and indexed once."""

    def __init__(self) -> None:
        self._files: dict[str, JsonIndex | None] = {}

    def index(self, file: str) -> JsonIndex | None:
        if file not in self._files:
            try:
                self._files[file] = JsonIndex(Path(file).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                self._files[file] = None
        return self._files[file]

    def line(self, file: str, path: str, value: str | None = None) -> int:
        """Line of ``value`` inside the entry at ``path`` (``$.roles[0]``) of ``file``; failing
        that, of the entry itself; failing that, 1."""
        index = self.index(file)
        if index is None:
            return 1
        parsed = parse_path(path)
        if value is not None:
            found = index.find_string(parsed, value)
            if found is not None:
                return found
        return index.line_of(parsed) or 1
