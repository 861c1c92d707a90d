"""The plan as data: built by ``plan``, read by the renderers and by ``apply``; nothing else builds it.

A plan never holds a secret value: sensitive attributes are replaced by ``SENSITIVE``.
"""
from __future__ import annotations

from typing import Any

import attrs

SENSITIVE = "(sensitive value)"

#: Actions, in the order the plan lists them.
CREATE, UPDATE, REPLACE, DELETE, IMPORT, NOOP, FORGET = (
    "create", "update", "replace", "delete", "import", "no-op", "forget",
)
#: Per-field verdicts (DESIGN section 5).
PENDING, DRIFT, CONFLICT, NEW, ADOPT = "pending", "drift", "conflict", "new", "adopt"


@attrs.frozen
class AttributeChange:
    name: str
    #: Live value (what Kinde has now), or the last-applied value for fields Kinde cannot return.
    before: Any
    #: Desired value.
    after: Any
    #: Last-applied value (state).
    last_applied: Any = None
    verdict: str = PENDING
    sensitive: bool = False
    unreadable: bool = False
    forces_replacement: bool = False
    business_wide: bool = False
    is_set: bool = False
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@attrs.frozen
class ResourceChange:
    address: str
    kind: str
    key: str
    action: str
    #: Adopting a live object into state (alone or together with an update or replacement).
    imported: bool = False
    kinde_id: str | None = None
    natural: tuple[str, ...] = ()
    #: Live attributes as Kinde has them (sensitive values masked); None when it does not exist.
    before: dict[str, Any] | None = None
    #: Desired attributes (sensitive values masked); None for a delete.
    after: dict[str, Any] | None = None
    changes: tuple[AttributeChange, ...] = ()
    depends_on: tuple[str, ...] = ()
    #: The object is in state but Kinde no longer has it.
    deleted_outside: bool = False
    notes: tuple[str, ...] = ()

    @property
    def drift(self) -> tuple[AttributeChange, ...]:
        """Fields changed outside kinde-iac (drift or conflict)."""
        return tuple(c for c in self.changes if c.verdict in (DRIFT, CONFLICT))

    @property
    def is_change(self) -> bool:
        return self.action not in (NOOP, FORGET) or self.imported


@attrs.frozen
class Unmanaged:
    """A live object that no config and no state names."""

    address: str
    kind: str
    natural: tuple[str, ...]
    kinde_id: str | None = None


@attrs.frozen
class Plan:
    workspace: str
    domain: str
    environment: str | None
    lineage: str
    serial: int
    changes: tuple[ResourceChange, ...]
    unmanaged: tuple[Unmanaged, ...] = ()
    warnings: tuple[str, ...] = ()
    #: Per kind: objects kinde-iac manages and all live objects it read (drift coverage).
    coverage: dict[str, tuple[int, int]] = attrs.field(factory=dict)
    #: Why apply must refuse this plan as it stands (a safety rail), if it must.
    blocked: str | None = None

    def count(self) -> dict[str, int]:
        c = {"add": 0, "change": 0, "destroy": 0, "import": 0}
        for ch in self.changes:
            if ch.action == CREATE:
                c["add"] += 1
            elif ch.action == UPDATE:
                c["change"] += 1
            elif ch.action == REPLACE:
                c["add"] += 1
                c["destroy"] += 1
            elif ch.action == DELETE:
                c["destroy"] += 1
            if ch.imported:
                c["import"] += 1
        return c

    @property
    def has_changes(self) -> bool:
        return any(ch.is_change for ch in self.changes)

    @property
    def drifted(self) -> tuple[ResourceChange, ...]:
        return tuple(ch for ch in self.changes if ch.drift or ch.deleted_outside)
