"""What every resource kind declares, and the generic objects the engine moves around.

The engine (graph, refresh, plan, apply, render) only ever sees ``Resource`` values and ``Kind``
objects from the registry; it never names a kind.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

import attrs

from kinde_iac.resources.kind_config import KindConfig, WorkspaceView


@attrs.frozen
class Field:
    """One comparable attribute of a kind."""

    name: str
    #: Changing it cannot be done in place: the object is destroyed and created again.
    replace: bool = False
    #: Kinde never returns it, so drift cannot be seen: compared with last-applied only. With no
    #: last apply (an adopted object) its value is unknown and the plan writes it; a ``replace``
    #: field is then written in place (Kinde refuses the write if the value it holds differs).
    unreadable: bool = False
    #: A set of strings: rendered and diffed element by element.
    is_set: bool = False
    #: Elements of this set field are keys of another kind (``role.permissions`` -> ``permission``);
    #: when such an object is replaced the link disappears with it and must be made again.
    ref_kind: str | None = None
    #: Kinde cannot clear it (sending "" or null keeps the old value): a desired None is not a change.
    unclearable: bool = False
    #: The value belongs to the Kinde business, not to one environment (feature flag definitions).
    business_wide: bool = False
    #: Left out of the config (None), kinde-iac does not manage it: whatever Kinde holds stays, and
    #: is neither a change nor drift (an application's sign-in settings, a connection's options).
    optional: bool = False


@attrs.define(eq=False)
class Resource:
    """One object of a kind as desired (config), last applied (state) or live (Kinde)."""

    kind: str
    key: str
    #: Identity that survives across environments (audience, role key, ...), used for adoption.
    natural: tuple[str, ...]
    attributes: dict[str, Any]
    depends_on: tuple[str, ...] = ()
    kinde_id: str | None = None
    protect: bool = False

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.key}"


class SubLists(Protocol):
    """Per-object reads (sub-lists) of one kind, started before its list is in (see ``ReadContext.sub_lists``)."""

    def collect(self, ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """The answers of every read for each of ``ids`` (the live objects worth reading), by id, in
        the order the reads were given: those started early, the rest read now, all at once."""


class ReadContext(Protocol):
    """What a kind may use while reading live state (implemented by ``refresh``)."""

    client: Any
    own_client_id: str

    def key_for(self, kind: str, natural: tuple[str, ...], kinde_id: str | None) -> str:
        """The address key of a live object: its state entry, else its desired twin, else a default."""

    def is_relevant(self, kind: str, natural: tuple[str, ...], kinde_id: str | None) -> bool:
        """Whether kinde-iac manages (or wants) this object, so its sub-lists are worth reading."""

    def manages(self, kind: str, attribute: str) -> bool:
        """Whether some object of ``kind`` in the config or the state carries ``attribute``, or the
        refresh reads everything: an optional attribute that nothing manages is never compared, so
        a sub-list that only feeds it need not be read."""

    def listing(self, path: str, items_key: str, *, paged: bool = True) -> list[Any]:
        """Every item of a list endpoint, read once per refresh however many kinds ask for it (the
        first asks Kinde, the others wait for that answer): a kind that turns another kind's ids
        into keys looks them up here, without waiting for that kind's sub-lists."""

    def live(self, kind: str) -> Sequence[Resource]:
        """Every live object of ``kind`` (one of this kind's ``reads_after``), waiting until that kind
        has been read; empty when the refresh does not read it. Never call it inside ``map``."""

    def live_by_id(self, kind: str, kinde_id: str) -> Resource | None:
        """``live`` by Kinde id."""

    def exclude(self, kinde_id: str, what: str) -> None:
        """A live object ``read`` leaves out because kinde-iac must never change it (``what`` says
        what it is); the safety rails refuse any plan aimed at its id."""

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """Run ``fn`` over ``items`` on the refresh worker pool, preserving order; each call waits
        for its slowest item."""

    def sub_lists(self, kind: str, reads: Sequence[Callable[[str], Any]]) -> SubLists:
        """Start ``reads`` (each takes a Kinde id) for every object of ``kind`` the state names,
        now, on the worker pool: they go out with the lists instead of a round trip after them.
        Then read the list and ``collect`` the ids that need the reads; objects the state does not
        name (adoptions, unmanaged ones with ``everything``) are read then."""


class WriteContext(Protocol):
    """What a kind may use while applying changes (implemented by ``apply``)."""

    client: Any

    def id_of(self, address: str) -> str:
        """The Kinde id of an object created earlier in this apply or recorded in state."""

    def record_created(self, resource: Resource, kinde_id: str | None, attributes: Mapping[str, Any]) -> None:
        """Persist a just-created object at once, before any follow-up call, so a crash can't orphan it."""

    def deliver_secret(self, address: str, secret: str) -> None:
        """Hand a secret Kinde shows only once (an API key) to the user: written to --secrets-out,
        never printed, never stored in state."""


#: Kinde's limit for keys, which a slug must fit.
SLUG_MAX = 64


def slug(text: str) -> str:
    """The one rule that turns free text into a key, for the config loader (the seed guide's
    application name, an audience) and for live objects no config names (export, drift):
    ``"My Kinde App, Created with Script"`` -> ``my-kinde-app-created-with-script``.

    Lower-case; every run of characters other than ASCII letters and digits becomes one ``-``;
    leading and trailing ``-`` are trimmed; cut to 64 characters. Empty when nothing is left.
    """
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:SLUG_MAX].rstrip("-")


def slug_key(text: str) -> str:
    """``slug`` for an address that must exist even when the text has no letter or digit."""
    return slug(text) or "unnamed"


class Kind(KindConfig):
    """Base of every resource kind module. Subclasses set the class attributes and the methods;
    the configuration side (section, entry model, seed spellings, checks) is ``KindConfig``."""

    name: ClassVar[str]
    #: Kinds whose live objects this kind's ``read`` needs: the refresh reads them too (all kinds
    #: at once), and ``ctx.live`` waits for them. Only kinds earlier in the registry. A kind that
    #: only translates their ids into keys reads their list instead (``ctx.listing``), so it never
    #: waits for their sub-lists.
    reads_after: ClassVar[tuple[str, ...]] = ()
    #: A kind whose objects contain this kind's objects (scopes live inside an API): replacing the
    #: parent replaces the children.
    parent_kind: ClassVar[str | None] = None
    fields: ClassVar[tuple[Field, ...]] = ()
    #: False for kinds Kinde identifies by natural key alone (feature flags have no id).
    has_ids: ClassVar[bool] = True
    #: Fields that carry the natural key, so a new natural key (a ``moved`` entry to a new role key)
    #: is a change of these fields, made in place or by replacement as they say. With none, Kinde
    #: cannot change the natural key and a new one replaces the object.
    natural_fields: ClassVar[tuple[str, ...]] = ()

    # -- schema ---------------------------------------------------------------------------
    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def sensitive_fields(self, attributes: Mapping[str, Any]) -> frozenset[str]:
        """Fields whose values are secret for this object (never shown, hashed in state)."""
        return frozenset()

    def forces_replacement(self, field: str, desired: Mapping[str, Any]) -> bool:
        return self.field(field).replace

    def default_key(self, natural: tuple[str, ...]) -> str:
        """Address key for a live object that no config or state names (an unmanaged object).
        Natural keys are already config keys; kinds whose natural key is free text override this."""
        return "/".join(natural)

    def natural_label(self, natural: tuple[str, ...]) -> str:
        return "/".join(natural)

    #: Said on a plan that replaces an object of this kind, when replacing has a cost beyond it.
    replace_warning: ClassVar[str | None] = None

    def warnings(self, resource: Resource) -> list[str]:
        """Notes the plan shows on a change of this object (business-wide effects...)."""
        return []

    def business_wide_effects(self, resource: Resource, changed: frozenset[str], others: Sequence[WorkspaceView],
                              *, deleting: bool = False, unknown: frozenset[str] = frozenset()) -> list[str]:
        """What a change of ``changed`` business-wide fields (or a delete) does to the environments
        of ``others``, the project's other workspaces, for the plan's notes. ``unknown``: those of
        them written because nobody knows what Kinde holds."""
        return []

    # -- one-time secrets ---------------------------------------------------------------------------
    #: True for kinds whose objects carry a secret Kinde shows once and can issue anew (API keys).
    rotatable: ClassVar[bool] = False

    def rotate_request(self, kinde_id: str) -> tuple[str, str]:
        """(method, path) of the request that issues a new secret, for the journal."""
        raise NotImplementedError

    def rotate(self, client: Any, kinde_id: str) -> str | None:
        """Issue a new secret and return it (None if Kinde's reply has none); the old one stops working."""
        raise NotImplementedError

    # -- export: the entry is written to ``config_section``, or nested in its parent ---------------
    def export_entry(self, resource: Resource) -> dict[str, Any]:
        """The native config entry for a live object: no Kinde ids, defaults omitted."""
        raise NotImplementedError

    # -- config -> desired ------------------------------------------------------------------
    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        raise NotImplementedError

    # -- live ---------------------------------------------------------------------------------
    def read(self, ctx: ReadContext) -> list[Resource]:
        """Every live object of this kind (except ones kinde-iac must never touch)."""
        raise NotImplementedError

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        """Re-check by natural key whether ``resource`` exists live (after an ambiguous create);
        returns its Kinde id (or its key for kinds without ids)."""
        raise NotImplementedError

    # -- writes -------------------------------------------------------------------------------
    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        """Create the object with every desired attribute; returns its Kinde id."""
        raise NotImplementedError

    def update(
        self, ctx: WriteContext, resource: Resource, kinde_id: str | None, before: Mapping[str, Any],
        changed: frozenset[str],
    ) -> None:
        raise NotImplementedError

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        raise NotImplementedError


def compact(entry: dict[str, Any], defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Drops empty values and values equal to their default, for a minimal exported config."""
    defaults = defaults or {}
    return {k: v for k, v in entry.items()
            if v is not None and v != [] and v != () and not (k in defaults and defaults[k] == v)}


def set_diff(before: Iterable[str] | None, after: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(added, removed), sorted, between two string sets."""
    b, a = set(before or ()), set(after or ())
    return sorted(a - b), sorted(b - a)


def find_id(ctx: WriteContext, path: str, items_key: str, field: str, value: str, *, paged: bool = True) -> str | None:
    """The id of the live object whose ``field`` is ``value``, read by listing (Kinde has no lookup by key)."""
    for item in ctx.client.paginate(path, items_key, paged=paged):
        if item.get(field) == value:
            return item["id"]
    return None


def delete_if_present(ctx: WriteContext, path: str) -> None:
    """DELETE that treats "already gone" as done, so a retried or cascaded delete is harmless."""
    ignore_not_found(lambda: ctx.client.delete(path, retry_ambiguous=True))


def ignore_not_found(call: Callable[[], Any]) -> None:
    """Run a delete whose target may already be gone (a retried or cascaded delete)."""
    from kinde_iac.errors import ApiError
    from kinde_iac.kinde import is_not_found

    try:
        call()
    except ApiError as err:
        if not is_not_found(err):
            raise
