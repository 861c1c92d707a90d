"""The loaded workspace: each kind's config section, plus the settings that belong to no kind.

The entries of a section are instances of the owning kind's model (``Kind.entry_type``, declared
in ``resources/``); this module only knows sections through the registry. The seed guide's format
is translated into the native one by ``seed_format``; nothing else in kinde-iac reads raw config.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kinde_iac.config.sources import SourceNode
from kinde_iac.jsonpath import JsonPath, format_path
from kinde_iac.resources import KINDS, Kind

#: Config section -> the kind that owns it, in registry order.
KIND_OF_SECTION: dict[str, Kind] = {k.config_section: k for k in KINDS if k.config_section}
SECTIONS = tuple(KIND_OF_SECTION)


@attrs.frozen
class KindeTarget:
    """Which Kinde environment a workspace targets."""

    domain: str | None = None
    #: Expected ``environment.code`` of ``GET /api/v1/environment``; checked before any write.
    environment: str | None = None
    #: Marks a production workspace for ``lint`` (None: decided by the workspace name, issue 18).
    production: bool | None = None
    #: Where the state lives when neither --state nor KINDE_IAC_STATE says: a file path or a
    #: ``postgresql://`` URL, usually ``${env:...}`` (docs/state.md).
    state: str | None = None


@attrs.frozen
class IgnoreRule:
    """Keeps matching unmanaged objects out of drift results (issue 4)."""

    address: str
    until: str | None = None  # ISO date; after it the rule stops ignoring and says so


@attrs.frozen
class Moved:
    """A ``moved`` entry, as Terraform's moved block: the object state knows as ``from`` is the one
    the config now names ``to``. Written ``{"from": "application.old", "to": "application.web"}``."""

    #: The old address ("from").
    source: str
    #: The new address ("to").
    target: str


# --- lint settings (issue 18) ---------------------------------------------------------------


@attrs.frozen
class LintIgnore:
    """Turns one lint rule off for matching addresses, with the reason written down."""

    rule: str
    reason: str
    #: An address or ``fnmatch`` pattern (``application.*``); None means every address.
    address: str | None = None


@attrs.frozen
class LintSettings:
    ignore: tuple[LintIgnore, ...] = ()


# ---------------------------------------------------------------------------------------------


def _known_sections(_: Any, __: Any, value: Mapping[str, Any]) -> None:
    unknown = sorted(set(value) - set(SECTIONS))
    if unknown:
        raise ValueError(f"no resource kind owns the config section(s) {', '.join(unknown)}")


@attrs.frozen
class Workspace:
    """One fully resolved workspace: shared parts merged, variables and env refs substituted."""

    name: str
    #: The file the workspace was loaded from (for messages).
    source: str
    kinde: KindeTarget = KindeTarget()
    #: Entries by config section (``"roles"`` -> the role entries); read them with ``section``.
    sections: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict, hash=False, validator=_known_sections)
    ignore: tuple[IgnoreRule, ...] = ()
    #: Addresses that changed while the Kinde object stays (``engine.moves``).
    moved: tuple[Moved, ...] = ()
    #: Settings of ``kinde-iac lint`` (issue 18).
    lint: LintSettings = LintSettings()
    #: Share of managed objects a plan may delete before it needs --allow-mass-delete.
    max_delete_fraction: float = 0.5
    #: Where every resource entry was written, keyed by address
    #: (``role.admin`` -> ``("environments/_common.json", "$.roles[0]")``), so later stages can
    #: point errors at the config.
    paths: dict[str, tuple[str, str]] = attrs.field(factory=dict, eq=False, repr=False)
    #: Where every value was written (the loader's source tree); None for a workspace built in code.
    origins: SourceNode | None = attrs.field(default=None, eq=False, repr=False)
    #: The merged document before ``${...}`` substitution (``variables`` included), indexed like
    #: ``origins``: what each value was written as, so ``diff`` can tell a value that differs by a
    #: variable and ``promote`` can copy references; None for a workspace built in code.
    unresolved: Mapping[str, Any] | None = attrs.field(default=None, eq=False, repr=False)

    def section(self, name: str) -> tuple[Any, ...]:
        """The entries of a kind's config section (empty when none are written)."""
        if name not in KIND_OF_SECTION:
            raise KeyError(f"no resource kind owns the config section {name!r}")
        return self.sections.get(name, ())

    def locate(self, path: JsonPath) -> tuple[str, str]:
        """(file, JSON path) where the value at ``path`` of the merged document was written.

        ``path`` indexes the workspace's sections (``("feature_flags", 0, "name")``). A workspace
        built in code names its ``source`` and the path itself.
        """
        if self.origins is not None:
            return self.origins.locate(path)
        return self.source, format_path(path)
