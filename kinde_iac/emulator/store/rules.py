"""Value rules shared by the repositories (lengths, keys without white space)."""
from __future__ import annotations

import re

from kinde_iac.emulator.errors import StoreError

_WHITESPACE = re.compile(r"\s")


def text(value: str | None, field: str, *, max_len: int | None = None, required: bool = True,
         code: str | None = None) -> str | None:
    """``value`` stripped of nothing, checked for presence and length; errors name the field."""
    if value is None or value == "":
        if required:
            raise StoreError(f"{field.upper()}_REQUIRED", f"{field} is required")
        return None
    if max_len is not None and len(value) > max_len:
        raise StoreError(code or f"INVALID_{field.upper()}", f"{field} must be at most {max_len} characters")
    return value


def required(value: str | None, field: str, *, max_len: int | None = None, code: str | None = None) -> str:
    """A required text field: ``<FIELD>_REQUIRED`` when absent or empty."""
    checked = text(value, field, max_len=max_len, code=code)
    assert checked is not None  # text() raised for a missing required value
    return checked


def key(value: str | None, field: str = "key", *, max_len: int | None = None, code: str | None = None) -> str:
    checked = required(value, field, max_len=max_len, code=code)
    if _WHITESPACE.search(checked):
        raise StoreError(code or f"INVALID_{field.upper()}", f"{field} must not contain white space")
    return checked
