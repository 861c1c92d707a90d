"""Just enough lexing of JS/TS, Python, Go and Ruby to find SDK calls reliably.

``lex`` returns the source with comments blanked and string contents blanked (quotes kept, every
offset and newline unchanged), plus the string literals with their values. Patterns match calls
and brackets on the blanked text, so a call inside a comment or a ``)`` inside a string never
counts, and read keys from the literals. Interpolated strings (template literals with ``${}``,
f-strings, Ruby ``"#{}"``) have no fixed value and are recorded as dynamic.
"""
from __future__ import annotations

import bisect
import functools
import re
from typing import Literal

import attrs

Dialect = Literal["js", "python", "go", "ruby"]

_IDENT = re.compile(r"[A-Za-z0-9_$]")
_PY_PREFIX = re.compile(r"(?<![A-Za-z0-9_])([rRuUbBfF]{1,2})$")
#: After these (ignoring spaces) a ``/`` in JS starts a regular expression, not a division.
_REGEX_AFTER = set("(,=:[!&|?{;+-*%~^")
_REGEX_KEYWORDS = ("return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await")
_NOT_NEWLINE = re.compile(r"[^\n]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}
#: Where something other than plain code may start, per dialect: the lexer jumps between these.
_INTERESTING = {
    "js": re.compile(r"//|/\*|['\"`/]"),
    "go": re.compile(r"//|/\*|['\"`]"),
    "python": re.compile(r"#|['\"]"),
    "ruby": re.compile(r"#|['\"]|^=begin", re.MULTILINE),
}


@attrs.frozen
class StringLit:
    #: Offsets of the opening quote (prefix excluded) and just past the closing one.
    start: int
    end: int
    #: None when the string interpolates values (no fixed key).
    value: str | None


@attrs.define
class Lexed:
    text: str
    #: ``text`` with comments and string contents replaced by spaces.
    code: str
    strings: list[StringLit]
    _starts: list[int] = attrs.field(factory=list, repr=False)
    _lines: list[int] = attrs.field(factory=list, repr=False)

    def __attrs_post_init__(self) -> None:
        self._starts = [s.start for s in self.strings]
        self._lines = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def strings_in(self, start: int, end: int) -> list[StringLit]:
        """String literals that start within ``[start, end)``."""
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return self.strings[lo:hi]

    def string_at(self, offset: int) -> StringLit | None:
        i = bisect.bisect_left(self._starts, offset)
        return self.strings[i] if i < len(self.strings) and self.strings[i].start == offset else None

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._lines, offset) - 1
        return line + 1, offset - self._lines[line] + 1


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


class _Lexer:
    def __init__(self, text: str, dialect: Dialect) -> None:
        self.text = text
        self.dialect = dialect
        self.code = list(text)
        self.strings: list[StringLit] = []
        self.line_comment = "#" if dialect in ("python", "ruby") else "//"
        self.quotes = {"js": "'\"`", "python": "'\"", "go": "\"'`", "ruby": "'\""}[dialect]

    def blank(self, start: int, end: int) -> None:
        end = min(end, len(self.text))
        self.code[start:end] = _NOT_NEWLINE.sub(" ", self.text[start:end])

    def run(self) -> Lexed:
        text, n, i = self.text, len(self.text), 0
        interesting = _INTERESTING[self.dialect]
        while i < n:
            m = interesting.search(text, i)
            if m is None:
                break
            i = m.start()
            c = text[i]
            if text.startswith(self.line_comment, i):
                end = text.find("\n", i)
                end = n if end < 0 else end
                self.blank(i, end)
                i = end
            elif self.dialect in ("js", "go") and text.startswith("/*", i):
                end = text.find("*/", i + 2)
                end = n if end < 0 else end + 2
                self.blank(i, end)
                i = end
            elif self.dialect == "ruby" and text.startswith("=begin", i) and (i == 0 or text[i - 1] == "\n"):
                end = text.find("\n=end", i)
                end = n if end < 0 else end + 5
                self.blank(i, end)
                i = end
            elif c in self.quotes:
                i = self.string(i)
            elif c == "/" and self.dialect == "js" and self.starts_regex(i):
                i = self.regex(i)
            else:
                i += 1
        return Lexed(text=text, code="".join(self.code), strings=self.strings)

    # -- strings ------------------------------------------------------------------------------
    def string(self, start: int) -> int:
        text, quote = self.text, self.text[start]
        prefix = ""
        if self.dialect == "python":
            m = _PY_PREFIX.search(text[max(0, start - 3) : start])
            prefix = m.group(1).lower() if m else ""
        triple = self.dialect == "python" and text.startswith(quote * 3, start)
        close = quote * 3 if triple else quote
        raw = "r" in prefix or (self.dialect == "go" and quote == "`")
        multiline = triple or quote == "`" or self.dialect == "ruby"
        i = start + len(close)
        dynamic = False
        specials = _specials(close, self.dialect, prefix)
        while i < len(text):
            m = specials.search(text, i)
            if m is None:
                i = len(text)
                break
            i = m.start()
            c = text[i]
            if c == "\\" and not (raw and self.dialect == "go"):
                i += 2
                continue
            if text.startswith(close, i):
                break
            if c == "\n" and not multiline:
                # An unterminated one-line string (an apostrophe in JSX text): give up on it at the
                # line's end rather than swallow the rest of the file.
                self.blank(start + 1, i)
                return i
            if self.dialect == "js" and quote == "`" and text.startswith("${", i):
                dynamic = True
                i = self._skip_braces(i + 1)
                continue
            if self.dialect == "ruby" and quote == '"' and text.startswith("#{", i):
                dynamic = True
            if "f" in prefix and c == "{" and not text.startswith("{{", i):
                dynamic = True
            if "f" in prefix and text.startswith("{{", i):
                i += 2
                continue
            i += 1
        body_start, body_end = start + len(close), min(i, len(text))
        body = text[body_start:body_end]
        value = None if dynamic else (body if raw else _unescape(body))
        self.blank(body_start, body_end)
        end = min(body_end + len(close), len(text))
        self.strings.append(StringLit(start=start, end=end, value=value))
        return end

    def _skip_braces(self, i: int) -> int:
        """From the ``{`` of a template ``${``, past its matching ``}``."""
        depth = 0
        while i < len(self.text):
            c = self.text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif c in "'\"":
                end = self.text.find(c, i + 1)
                i = end if end > 0 else i
            i += 1
        return i

    # -- JS regular expressions --------------------------------------------------------------------
    def starts_regex(self, i: int) -> bool:
        nxt = self.text[i + 1] if i + 1 < len(self.text) else ""
        if nxt in ("/", "*", ">", "") or nxt.isspace():
            return False
        j = i - 1
        while j >= 0 and self.code[j] in " \t\r\n":
            j -= 1
        if j < 0 or self.code[j] in _REGEX_AFTER:
            return True
        k = j
        while k >= 0 and _IDENT.match(self.code[k]):
            k -= 1
        return "".join(self.code[k + 1 : j + 1]) in _REGEX_KEYWORDS

    def regex(self, start: int) -> int:
        i, in_class = start + 1, False
        while i < len(self.text):
            c = self.text[i]
            if c == "\n":
                return start + 1  # not a regex after all: a division
            if c == "\\":
                i += 2
                continue
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                self.blank(start + 1, i)
                return i + 1
            i += 1
        return start + 1


@functools.lru_cache(maxsize=64)
def _specials(close: str, dialect: Dialect, prefix: str) -> re.Pattern[str]:
    """What can end or change a string with closing quote ``close``: everything else is skipped."""
    chars = "\\\n" + close[0] + ("$" if dialect == "js" else "") + ("#" if dialect == "ruby" else "")
    chars += "{" if "f" in prefix else ""
    return re.compile("[" + re.escape(chars) + "]")


def lex(text: str, dialect: Dialect) -> Lexed:
    return _Lexer(text, dialect).run()
