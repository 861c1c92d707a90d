"""The plan as data: built by ``plan``, read by the renderers and by ``apply``; nothing else builds it.

A plan never holds a secret value: sensitive attributes are replaced by ``SENSITIVE``.
"""
from __future__ import annotations

import collections
import enum
from collections.abc import Iterable
from typing import Any

import attrs

SENSITIVE = "(sensitive value)"
#: A field Kinde cannot return and no apply has recorded (an adopted object): nobody has verified it,
#: so the plan writes it. State keeps the marker until that write succeeds.
UNKNOWN = "(unknown: cannot be read back)"
#: The note on a change that re-makes links to objects being replaced.
RELINK_NOTE = "re-links objects being replaced"


class Action(str, enum.Enum):
    """What happens to one object. String-valued, so plan documents and the journal keep their words."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    #: Only ever a step of apply (adopting a live object into state). In a plan an import is the
    #: ``imported`` flag beside the object's action, since it can come with an update or a replacement.
    IMPORT = "import"
    NOOP = "no-op"
    #: Drop from state an object Kinde has already lost.
    FORGET = "forget"
    #: Only ever a step of apply: the state entry takes the address a ``moved`` entry gives it.
    MOVE = "move"

    def __str__(self) -> str:
        # f-strings and str() give the word on every Python version (3.12 changed mixed-in enums).
        return self.value


class Verdict(str, enum.Enum):
    """Why one field differs (DESIGN section 5)."""

    #: The config changed (live = last applied).
    PENDING = "pending"
    #: Changed outside kinde-iac (desired = last applied): the plan reverts it.
    DRIFT = "drift"
    #: Config and Kinde both moved.
    CONFLICT = "conflict"
    #: An adopted object has no last apply to compare with.
    ADOPT = "adopt"

    def __str__(self) -> str:
        return self.value


#: The steps a summary counts, and the number each adds to; the other steps change nothing in Kinde.
_COUNTED = {Action.CREATE: "add", Action.UPDATE: "change", Action.DELETE: "destroy", Action.IMPORT: "import_"}


@attrs.frozen
class Counts:
    """The four numbers every summary shows: the plan line ("2 to add"), the apply line ("2 added"),
    markdown and the JSON ``summary``. Plans and applies count the same steps (``ResourceChange.steps``),
    so a replacement is one add and one destroy in both, and an adoption is one import in both."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    import_: int = 0

    @classmethod
    def of_steps(cls, steps: Iterable[Action]) -> Counts:
        # Tallied first and built once: a plan of 20,000 creates would otherwise make as many objects.
        n = collections.Counter(steps)
        return cls(**{field: n[step] for step, field in _COUNTED.items()})

    def plus(self, step: Action) -> Counts:
        """These counts after one more step (steps that change nothing in Kinde leave them as they are)."""
        field = _COUNTED.get(step)
        return attrs.evolve(self, **{field: getattr(self, field) + 1}) if field is not None else self

    def as_dict(self) -> dict[str, int]:
        """The JSON ``summary`` (and the apply history's) in the plan line's words."""
        return {"add": self.add, "change": self.change, "destroy": self.destroy, "import": self.import_}


@attrs.frozen
class AttributeChange:
    name: str
    #: Live value (what Kinde has now), or the last-applied value for fields Kinde cannot return.
    before: Any
    #: Desired value.
    after: Any
    #: Last-applied value (state).
    last_applied: Any = None
    verdict: Verdict = Verdict.PENDING
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
    action: Action
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
    #: The address state knew it by, when a ``moved`` entry renames it.
    moved_from: str | None = None

    @property
    def drift(self) -> tuple[AttributeChange, ...]:
        """Fields changed outside kinde-iac (drift or conflict)."""
        return tuple(c for c in self.changes if c.verdict in (Verdict.DRIFT, Verdict.CONFLICT))

    @property
    def is_change(self) -> bool:
        return self.action not in (Action.NOOP, Action.FORGET) or self.imported or self.moved_from is not None

    @property
    def steps(self) -> tuple[Action, ...]:
        """The journaled steps apply runs for this change, in order. Plan counts are made from these
        too, which is what keeps the plan line and the apply summary in agreement."""
        adopt = (Action.IMPORT,) if self.imported else ()
        if self.moved_from is not None:
            adopt = (Action.MOVE, *adopt)
        if self.action == Action.REPLACE:
            return (*adopt, Action.DELETE, Action.CREATE)
        if self.action in (Action.CREATE, Action.UPDATE, Action.DELETE, Action.FORGET):
            return (*adopt, self.action)
        return adopt


@attrs.frozen
class Unmanaged:
    """A live object that no config and no state names."""

    address: str
    kind: str
    natural: tuple[str, ...]
    kinde_id: str | None = None
    #: The managed object with the same natural key, when Kinde holds two (names it does not keep unique).
    duplicate_of: str | None = None


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
    #: ``--target`` addresses: the plan holds only them and what they depend on.
    targets: tuple[str, ...] = ()

    @property
    def counts(self) -> Counts:
        return Counts.of_steps(step for ch in self.changes for step in ch.steps)

    @property
    def step_count(self) -> int:
        """Steps apply reports as it goes (forgetting is silent: Kinde is not called)."""
        return sum(1 for ch in self.changes for step in ch.steps if step != Action.FORGET)

    @property
    def has_changes(self) -> bool:
        return any(ch.is_change for ch in self.changes)

    @property
    def drifted(self) -> tuple[ResourceChange, ...]:
        return tuple(ch for ch in self.changes if ch.drift or ch.deleted_outside)


@attrs.frozen
class WorkspaceResult:
    """One workspace's outcome in a run over several: a plan, or the one-line error that stopped it."""

    workspace: str
    plan: Plan | None = None
    error: str | None = None
    #: The saved-plan document, when the run wanted one (``--out``, ``--format json``).
    document: dict[str, Any] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def failed(self) -> bool:
        return self.plan is None or self.error is not None
