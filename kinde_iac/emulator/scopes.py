"""Which Management API scope each operation requires, read from the official spec.

The spec names a scope in two places: an ``x-scope`` field (on about half the operations) and a
``<code>`` block in the operation's description (on nearly all of them). ``x-scope`` wins; the
description is the fallback. An operation naming neither (``POST /api/v1/api_keys/verify``) is
public.
"""
from __future__ import annotations

import functools
import re

from kinde_iac.emulator import apispec

_CODE_BLOCK = re.compile(r"<code>\s*([^<\s]+)\s*</code>")


def scope_of(operation: dict) -> str | None:
    """The scope one spec operation object requires, or None for a public operation."""
    explicit = operation.get("x-scope")
    if explicit:
        return str(explicit)
    match = _CODE_BLOCK.search(operation.get("description") or "")
    return match.group(1) if match else None


@functools.lru_cache(maxsize=1)
def required_scopes() -> dict[tuple[str, str], str | None]:
    """(METHOD, path template) -> required scope (None when public)."""
    return {key: scope_of(op) for key, op in apispec.operations().items()}


def required_scope(method: str, template: str) -> str | None:
    """The scope ``METHOD template`` requires; KeyError if the spec has no such operation."""
    return required_scopes()[(method.upper(), template)]


@functools.lru_cache(maxsize=1)
def all_scopes() -> tuple[str, ...]:
    """Every scope named anywhere in the spec, sorted: what the emulator's M2M client is granted."""
    return tuple(sorted({s for s in required_scopes().values() if s}))
