"""How messages name a place in a config document (a JSON path), a value the user wrote and its JSON type.

Below both ``config/`` (which locates errors) and ``resources/`` (whose kinds check their own
entries), so neither has to import the other for it.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

PathPart = str | int
JsonPath = tuple[PathPart, ...]

_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def quote(value: object) -> str:
    """A user-written value quoted for a one-line message: JSON escapes, so a newline in a key
    cannot break the line, while non-ASCII names stay readable."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def format_path(path: Iterable[PathPart]) -> str:
    """``("roles", 0, "key")`` -> ``$.roles[0].key``; odd keys use ``["..."]``."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENT.match(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


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
