"""Reading one config file: UTF-8 JSON whose top level is an object, with keys written twice,
``NaN``/``Infinity`` and absurd nesting refused. Every failure is a ConfigError naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kinde_iac.config.seed_format import type_name
from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import JsonPath, format_path, quote


class _DuplicateKeys(dict[str, Any]):
    """A JSON object in which some key was written twice (json keeps only the last silently)."""

    duplicates: list[str]


def _object_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    dupes: list[str] = []
    for k, v in pairs:
        if k in obj:
            dupes.append(k)
        obj[k] = v
    if dupes:
        marked = _DuplicateKeys(obj)
        marked.duplicates = dupes
        return marked
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: Deeper nesting than any config needs; refusing it keeps every later (recursive) stage safe.
MAX_DEPTH = 32


def _check_structure(value: Any, display: str) -> None:
    """Reject keys written twice and absurd nesting, in document order."""
    # Only objects and arrays are stacked: a scalar has nothing to check but its depth, which is its
    # parent's plus one, so a parent at the limit with any member fails at its first member.
    stack: list[tuple[Any, JsonPath]] = [(value, ())]
    while stack:
        cur, path = stack.pop()
        if isinstance(cur, _DuplicateKeys):
            key = cur.duplicates[0]
            raise ConfigError(
                f"key {quote(key)} is written twice in this object",
                file=display,
                path=format_path(path + (key,)),
            )
        items = list(cur.items()) if isinstance(cur, dict) else list(enumerate(cur))
        if items and len(path) >= MAX_DEPTH:
            raise ConfigError(
                f"nested more than {MAX_DEPTH} levels deep", file=display, path=format_path(path + (items[0][0],))
            )
        stack.extend(reversed([(v, path + (k,)) for k, v in items if isinstance(v, (dict, list))]))


def read_json(path: Path, display: str) -> dict[str, Any]:
    """The top-level object of a JSON file; every failure is a ConfigError naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", file=display) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a JSON file", file=display) from None
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror or exc}", file=display) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=display) from None
    try:
        value = json.loads(text, object_pairs_hook=_object_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=display
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"invalid JSON: {exc}", file=display) from None
    if not isinstance(value, dict):
        raise ConfigError(
            f"expected a JSON object at the top level, got {type_name(value)}", file=display, path="$"
        )
    _check_structure(value, display)
    return value
