"""The Kinde SDK call patterns through which code relies on permission, role and flag keys.

Each pattern names the SDK functions it comes from in ``docs/check.md``. A pattern reports a key
only when the key is a plain string literal: a variable or an interpolated string has no key to
check.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import attrs

from kinde_iac.checks.source.brackets import (
    chain_after,
    chain_before,
    depth_between,
    literal,
    match_close,
    split_args,
)
from kinde_iac.checks.source.lexer import Dialect, Lexed

PERMISSION, ROLE, FLAG = "permission", "role", "flag"


@attrs.frozen
class Use:
    """One key the code relies on, at the offset of its string literal."""

    kind: str
    key: str
    offset: int
    pattern: str


# --------------------------------------------------------------------------- JS / TS

#: js-utils / React / Next.js: ``has({ permissions: [...], roles: [...], featureFlags: [...] })``.
REQUIREMENT_CALLS = ("has", "hasPermissions", "hasRoles", "hasFeatureFlags")
REQUIREMENT_FIELDS = {"permissions": PERMISSION, "roles": ROLE, "featureFlags": FLAG}
#: Inside an entry object (``{ permission: "x", condition }``), the field that holds the key.
_ARRAY_VALUE = re.compile(r"\s*:\s*\[")
_ENTRY_KEY = re.compile(r"\b(permission|role|flag)\s*:\s*$")

JS_GETTERS = {
    "getPermission": PERMISSION,
    "getFlag": FLAG,
    "getBooleanFlag": FLAG,
    "getStringFlag": FLAG,
    "getIntegerFlag": FLAG,
}
SNAKE_GETTERS = {
    "get_permission": PERMISSION,
    "get_flag": FLAG,
    "get_boolean_flag": FLAG,
    "get_string_flag": FLAG,
    "get_integer_flag": FLAG,
}
RUBY_GETTERS = {**SNAKE_GETTERS, "permission_granted?": PERMISSION}
#: Keyword arguments that carry the key (``get_flag(code="dark_mode")``).
KEY_KEYWORDS = ("code", "key", "permission", "flag", "flag_code", "permission_key")
#: The TypeScript SDK passes a session manager first: ``getFlag(sessionManager, "code", ...)``.
_SESSION_ARG = re.compile(r"^\s*\w*session\w*\s*$", re.IGNORECASE)


def _call_regex(names: Iterator[str] | tuple[str, ...] | list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w$])({alternatives})(?:\s*\(|[ \t]+(?=[\"']))")


def _requirements(lexed: Lexed, start: int, end: int, label: Callable[[str], str]) -> Iterator[Use]:
    """Keys in the ``permissions`` / ``roles`` / ``featureFlags`` arrays of an object literal."""
    code = lexed.code
    fields = [(start + m.end() - 1, m.group(1))
              for m in re.finditer(r"\b(permissions|roles|featureFlags)\s*:\s*\[", code[start:end])]
    # Quoted property names ({ "permissions": [...] }) are strings, blanked in ``code``.
    for s in lexed.strings_in(start, end):
        after = _ARRAY_VALUE.match(code, s.end)
        if s.value in REQUIREMENT_FIELDS and after:
            fields.append((after.end() - 1, s.value))
    for bracket, field in sorted(fields):
        close = match_close(code, bracket)
        if close < 0:
            continue
        kind = REQUIREMENT_FIELDS[field]
        for s in lexed.strings_in(bracket + 1, close):
            if s.value is None:
                continue
            if depth_between(code, bracket + 1, s.start) == 0 or _ENTRY_KEY.search(code[bracket:s.start]):
                yield Use(kind, s.value, s.start, label(field))


def _call_label(name: str) -> Callable[[str], str]:
    return lambda field: f"{name}({{ {field} }})"


def _js_requirement_calls(lexed: Lexed) -> Iterator[Use]:
    for m in re.finditer(rf"(?<![\w$])({'|'.join(REQUIREMENT_CALLS)})\s*\(", lexed.code):
        open_at = m.end() - 1
        close = match_close(lexed.code, open_at)
        if close > 0:
            yield from _requirements(lexed, open_at, close, _call_label(m.group(1)))


def _js_protected_route(lexed: Lexed) -> Iterator[Use]:
    code = lexed.code
    for m in re.finditer(r"<ProtectedRoute\b", code):
        depth, end = 0, m.end()
        while end < len(code):
            c = code[end]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif c == ">" and depth == 0:
                break
            end += 1
        attr = re.compile(r"\bhas\s*=\s*\{").search(code, m.end(), end)
        if attr:
            close = match_close(code, attr.end() - 1)
            if close > 0:
                yield from _requirements(lexed, attr.end() - 1, close,
                                         lambda field: f"<ProtectedRoute has={{{{ {field} }}}}>")


def _getters(lexed: Lexed, getters: dict[str, str], *, session_first: bool) -> Iterator[Use]:
    code = lexed.code
    for m in _call_regex(tuple(getters)).finditer(code):
        name = m.group(1)
        if not m.group(0).rstrip().endswith("("):
            # Ruby without parentheses: the key is the literal right after the name.
            lit = lexed.string_at(m.end())
            if lit is not None and lit.value is not None:
                yield Use(getters[name], lit.value, lit.start, f"{name}()")
            continue
        open_at = m.end() - 1
        close = match_close(code, open_at)
        if close < 0:
            continue
        args = split_args(code, open_at + 1, close)
        lit = literal(lexed, *args[0], keywords=KEY_KEYWORDS) if args else None
        if lit is None and session_first and len(args) > 1 and _SESSION_ARG.match(code[args[0][0]:args[0][1]]):
            lit = literal(lexed, *args[1])
        if lit is not None and lit.value is not None:
            yield Use(getters[name], lit.value, lit.start, f"{name}()")


def _chain_kind(text: str) -> str | None:
    lowered = text.lower()
    if "permission" in lowered:
        return PERMISSION
    if "role" in lowered:
        return ROLE
    return None


def _member_calls(lexed: Lexed, method: str) -> Iterator[Use]:
    """``<...permissions>.includes("key")`` (JS) and ``<...permissions>.include?("key")`` (Ruby)."""
    code = lexed.code
    for m in re.finditer(rf"(\?\.|&\.|\.)\s*{re.escape(method)}(?:\s*\(|[ \t]+(?=[\"']))", code):
        start = chain_before(code, m.start())
        kind = _chain_kind(lexed.text[start:m.start()])
        if kind is None:
            continue
        if m.group(0).rstrip().endswith("("):
            close = match_close(code, m.end() - 1)
            args = split_args(code, m.end(), close) if close > 0 else []
            lit = literal(lexed, *args[0]) if args else None
        else:
            lit = lexed.string_at(m.end())
        if lit is not None and lit.value is not None:
            yield Use(kind, lit.value, lit.start, f"{_short(kind)}.{method}()")


def _short(kind: str) -> str:
    return {PERMISSION: "permissions", ROLE: "roles"}.get(kind, kind)


def _python_membership(lexed: Lexed) -> Iterator[Use]:
    """``"key" in <...permissions>`` (and ``not in``)."""
    pattern = re.compile(r"\s+(?:not\s+)?in\s+")
    for s in lexed.strings:
        m = pattern.match(lexed.code, s.end)
        if m is None or s.value is None:
            continue
        end = chain_after(lexed.code, m.end())
        kind = _chain_kind(lexed.text[m.end():end])
        if kind is not None:
            yield Use(kind, s.value, s.start, f'"..." in {_short(kind)}')


def _go_contains(lexed: Lexed) -> Iterator[Use]:
    """``slices.Contains(<...permissions>, "key")``."""
    code = lexed.code
    for m in re.finditer(r"\bslices\.Contains\s*\(", code):
        close = match_close(code, m.end() - 1)
        args = split_args(code, m.end(), close) if close > 0 else []
        if len(args) != 2:
            continue
        kind = _chain_kind(lexed.text[args[0][0]:args[0][1]])
        lit = literal(lexed, *args[1])
        if kind is not None and lit is not None and lit.value is not None:
            yield Use(kind, lit.value, lit.start, f"slices.Contains({_short(kind)}, ...)")


def find_uses(lexed: Lexed, dialect: Dialect) -> list[Use]:
    """Every key use in one lexed file, in file order."""
    found: list[Use] = []
    if dialect == "js":
        found += _js_requirement_calls(lexed)
        found += _js_protected_route(lexed)
        found += _getters(lexed, JS_GETTERS, session_first=True)
        found += _member_calls(lexed, "includes")
    elif dialect == "python":
        found += _getters(lexed, SNAKE_GETTERS, session_first=False)
        found += _python_membership(lexed)
    elif dialect == "ruby":
        found += _getters(lexed, RUBY_GETTERS, session_first=False)
        found += _member_calls(lexed, "include?")
    elif dialect == "go":
        found += _go_contains(lexed)
    unique = {(u.offset, u.kind): u for u in found}
    return sorted(unique.values(), key=lambda u: u.offset)
