"""Builders shared by the state tests (imported by name: pytest puts this folder on sys.path)."""
from __future__ import annotations

from kinde_iac.state import StateResource


def resource(key: str, **attributes: object) -> StateResource:
    """A role resource ``role.<key>``; attributes default to ``{"name": <Key>}``."""
    return StateResource(
        address=f"role.{key}",
        kind="role",
        key=key,
        kinde_id=f"id_{key}",
        natural=(key,),
        attributes=attributes or {"name": key.title()},
    )
