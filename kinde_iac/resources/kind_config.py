"""What a kind declares about its configuration: the section it owns, the model of one entry, the
seed guide's spellings of it, its semantic checks, its part of the JSON Schema, and its checks
across workspaces.

``config/`` iterates the registry and calls these hooks; it never names a kind. The hooks receive
``config/``'s objects through the Protocols below, so ``resources/`` never imports ``config/``.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

import attrs

from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import JsonPath, PathPart

#: A problem found in a workspace: where (a path in the merged document, which indexes the
#: workspace's sections exactly as the entries do) and what, as one line.
Issue = tuple[JsonPath, str]


class WorkspaceView(Protocol):
    """A loaded workspace as the kinds see it (``kinde_iac.config.model.Workspace``)."""

    @property
    def name(self) -> str:
        """The workspace's name (its file's stem)."""

    @property
    def source(self) -> str:
        """The workspace file, for messages."""

    def section(self, name: str) -> tuple[Any, ...]:
        """The entries of a config section (``"roles"``), as the owning kind's model."""

    def locate(self, path: JsonPath) -> tuple[str, str]:
        """(file, JSON path) where the value at ``path`` of the merged document was written."""


class ConfigEntry(Protocol):
    """One resource entry of one file while its seed spellings are translated, before files are
    merged (implemented by ``config.seed_format``). Every edit keeps track of where the user wrote
    each value, so an error found later still points at the text the user has to change."""

    @property
    def data(self) -> dict[str, Any]:
        """The entry as translated so far (a copy; the file's own value is never changed)."""

    @property
    def written(self) -> str:
        """The top-level key the entry was written under: the section or one of its seed keys."""

    def set_key(self, key: str, *, derived_from: str) -> None:
        """Give the entry a ``key`` derived from one of its fields; errors about it name that field."""

    def expand_strings(self, field: str, keys: tuple[str, ...]) -> None:
        """Turn each bare string of the list ``field`` into an object with that string under every
        name in ``keys`` (``"orders:read"`` -> ``{"key": "orders:read", "description": ...}``)."""

    def define_inline(self, field: str, index: int, section: str) -> None:
        """The object at ``field[index]`` defines an entry of ``section``: it becomes a reference by
        its ``key`` here, and the definition is added to ``section`` (dropped when an earlier entry
        of the file defines the same key identically, so a shared inline object is not a duplicate)."""

    def error(self, message: str, *path: PathPart) -> ConfigError:
        """An error at ``path`` below this entry, as written in its file."""


class SchemaRefs(Protocol):
    """The JSON Schema builder, as a kind adjusting its part of the schema sees it."""

    def ref(self, cl: type) -> dict[str, Any]:
        """``{"$ref": ...}`` to the schema of an attrs class, built on first use."""


@attrs.frozen
class SeedKey:
    """A top-level key of the seed guide's format that feeds a kind's section."""

    name: str
    #: The key holds one entry as an object rather than a list of them (the guide's ``application``).
    single: bool = False
    #: The field a missing ``key`` is derived from: the JSON Schema requires it instead of ``key``.
    key_from: str | None = None
    #: Shown by editors through the JSON Schema.
    description: str | None = None


@attrs.frozen
class Expansion:
    """A section completed from documents its entries name, and where each generated object's
    definition is (address -> (file, JSON path inside it))."""

    entries: tuple[Any, ...]
    origins: Mapping[str, tuple[str, str]]


class KindConfig:
    """The configuration side of a kind; ``resources.base.Kind`` adds reading and writing."""

    name: ClassVar[str]
    #: The native config list this kind's entries are written in; None when they are nested in a
    #: parent's entries (``parent_kind``), under its ``nested_field``.
    config_section: ClassVar[str | None] = None
    nested_field: ClassVar[str | None] = None
    #: The attrs class of one entry of ``config_section``, structured by the config converter.
    entry_type: ClassVar[type | None] = None
    #: Seed-guide keys that feed ``config_section``.
    seed_keys: ClassVar[tuple[SeedKey, ...]] = ()
    #: Seed spelling -> native field. Renamed in entries written under a seed key; suggested when
    #: a native entry uses the seed spelling.
    seed_field_aliases: ClassVar[Mapping[str, str]] = MappingProxyType({})
    #: Fields holding a path relative to the file that names them (like ``$extends``); the loader
    #: rewrites them relative to the working directory before the entry is structured.
    file_fields: ClassVar[tuple[str, ...]] = ()
    #: Paths inside an entry (``("options", "client_secret")``) holding a secret, which must be
    #: written as exactly one ``${env:NAME}`` so that it never sits in a config file; the loader
    #: checks them before references are substituted.
    env_only_fields: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def entries(self, workspace: WorkspaceView) -> tuple[Any, ...]:
        """This kind's entries in ``workspace`` (none for a kind without a section)."""
        return workspace.section(self.config_section) if self.config_section else ()

    def normalise_entry(self, entry: ConfigEntry) -> None:
        """Translate one dict entry of a single file to the native format (seed spellings, derived
        keys, shorthand values). Only shapes matter here; field types are the converter's job."""

    def expand(self, workspace: WorkspaceView) -> Expansion | None:
        """Entries completed from documents they name (an API's OpenAPI file), or None if nothing
        needs it. Runs after structuring and before validation, reading files but no network."""
        return None

    def config_addresses(self, workspace: WorkspaceView) -> Iterator[tuple[str, JsonPath]]:
        """(address, path of its entry) for every object the config defines, for ``Workspace.paths``."""
        for i, entry in enumerate(self.entries(workspace)):
            yield f"{self.name}.{entry.key}", (self.config_section or "", i)

    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        """What types cannot say: duplicates, references to other kinds' keys, formats."""
        return iter(())

    def check_workspaces(self, workspaces: Sequence[WorkspaceView]) -> Iterator[tuple[WorkspaceView, JsonPath, str]]:
        """Problems only visible across workspaces (``validate --all``): (workspace, path, message)."""
        return iter(())

    def adjust_schema(self, schema: dict[str, Any], refs: SchemaRefs, partial: bool) -> dict[str, Any]:
        """The JSON Schema of one entry as generated from ``entry_type``, with what the loader
        accepts beyond the model (shorthand spellings, derived keys). ``partial`` is the variant for
        files with ``$extends``, whose entries may only override fields."""
        return schema
