"""Bracket matching and argument splitting over lexed code (comments and string contents blanked,
so every bracket seen is real code)."""
from __future__ import annotations

import re

from kinde_iac.checks.source.lexer import Lexed, StringLit

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_IDENT = re.compile(r"[A-Za-z0-9_$]")


def match_close(code: str, open_at: int) -> int:
    """Offset of the bracket closing the one at ``open_at``, or -1 when the file ends first."""
    depth = 0
    for i in range(open_at, len(code)):
        c = code[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return -1


def match_open(code: str, close_at: int) -> int:
    """Offset of the bracket opening the one at ``close_at``, or -1."""
    depth = 0
    for i in range(close_at, -1, -1):
        c = code[i]
        if c in _CLOSE:
            depth += 1
        elif c in _OPEN:
            depth -= 1
            if depth == 0:
                return i
    return -1


def depth_between(code: str, start: int, end: int) -> int:
    """How many brackets are open at ``end`` counting from ``start``."""
    depth = 0
    for c in code[start:end]:
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
    return depth


def split_args(code: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the comma-separated arguments in ``code[start:end]`` (inside a call's parentheses)."""
    spans, depth, begin = [], 0, start
    for i in range(start, end):
        c = code[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif c == "," and depth == 0:
            spans.append((begin, i))
            begin = i + 1
    if code[begin:end].strip():
        spans.append((begin, end))
    return spans


def literal(lexed: Lexed, start: int, end: int, keywords: tuple[str, ...] = ()) -> StringLit | None:
    """The string literal that is the whole of ``[start, end)`` (after a ``keyword=`` or
    ``keyword:`` prefix naming one of ``keywords``), if there is exactly that."""
    code = lexed.code
    while start < end and code[start].isspace():
        start += 1
    m = re.match(r"([A-Za-z_]\w*)\s*[=:]\s*", code[start:end])
    if m and m.group(1) in keywords:
        start += m.end()
    found = lexed.string_at(start)
    if found is None or found.value is None or code[found.end : end].strip():
        return None
    return found


def chain_before(code: str, dot: int) -> int:
    """Start of the receiver expression ending just before ``dot`` (``token.permissions`` in
    ``token.permissions.includes(...)``): names, dots, calls and subscripts, across line breaks
    that precede a dot."""
    i = dot - 1
    while i >= 0:
        c = code[i]
        if c in ")]":
            j = match_open(code, i)
            if j < 0:
                break
            i = j - 1
        elif _IDENT.match(c) or c in ".?!":
            i -= 1
        elif c.isspace() and code[i + 1] in ".?":
            while i >= 0 and code[i].isspace():
                i -= 1
        else:
            break
    return i + 1


def chain_after(code: str, start: int) -> int:
    """End of the expression starting at ``start``: names, dots, calls and subscripts."""
    i = start
    while i < len(code):
        c = code[i]
        if c in "([":
            j = match_close(code, i)
            if j < 0:
                break
            i = j + 1
        elif _IDENT.match(c) or c == ".":
            i += 1
        else:
            break
    return i
