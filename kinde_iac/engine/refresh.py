"""Reads live Kinde state with list endpoints: one paged walk per kind, plus one sub-list per parent
that kinde-iac manages (role permissions, role scopes, API scopes, app URLs), so the request count
grows with pages and parents, not with resources.

Every kind starts reading at once, and the sub-lists of every object the state names go out with
the lists (their ids are in the state), so a refresh of a converged workspace is one round of
requests deep; only objects the state does not name yet (adoptions, ``everything``) wait for their
list. A kind that translates another kind's ids into keys finds them in that kind's list
(``ReadContext.listing``, read once however many kinds ask), and a kind that needs another kind's
finished objects (``ReadContext.live``) waits for just that kind.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any

import attrs

from kinde_iac.engine.read_pool import ReadPool
from kinde_iac.errors import ApiError
from kinde_iac.resources import BY_NAME, KINDS, Kind, Resource
from kinde_iac.state import StateResource

Read = Callable[[str], Any]


@attrs.define
class LiveState:
    """Every live object read, per kind name."""

    by_kind: dict[str, list[Resource]]
    #: The kinds that were read (others were not needed by this config and state).
    kinds: tuple[str, ...]
    #: Kinde ids kinde-iac must never touch (its own M2M application, the Management API), with
    #: what they are: the safety rails refuse any change aimed at them, whatever a plan file says.
    never_touch: dict[str, str] = attrs.field(factory=dict)

    def of(self, kind: str) -> list[Resource]:
        return self.by_kind.get(kind, [])


def kinds_needed(desired: Iterable[Resource], state: Iterable[StateResource], everything: bool = False) -> list[Kind]:
    """The kinds a plan must read: those in config or state, and the kinds they read after."""
    if everything:
        return list(KINDS)
    wanted = {r.kind for r in desired} | {s.kind for s in state}
    changed = True
    while changed:
        changed = False
        for name in list(wanted):
            for dep in BY_NAME[name].reads_after:
                if dep not in wanted:
                    wanted.add(dep)
                    changed = True
    return [k for k in KINDS if k.name in wanted]


class _SubLists:
    """Per-object reads started from the state's ids; see ``resources.base.SubLists``."""

    def __init__(self, ctx: _Context, reads: Sequence[Read], known: Iterable[str]) -> None:
        self._ctx = ctx
        self._reads = tuple(reads)
        self._early = {kinde_id: [ctx.submit(read, kinde_id) for read in self._reads] for kinde_id in known}

    def collect(self, ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        wanted = list(dict.fromkeys(ids))
        late = [(kinde_id, read) for kinde_id in wanted if kinde_id not in self._early for read in self._reads]
        answers = iter(self._ctx.map(lambda job: job[1](job[0]), late))
        out = {}
        for kinde_id in wanted:
            early = self._early.get(kinde_id)
            out[kinde_id] = (tuple(f.result() for f in early) if early is not None
                             else tuple(next(answers) for _ in self._reads))
        # Ids the state names but Kinde no longer lists: deleted outside kinde-iac, so whatever their
        # reads answered (a 404, most likely) is not wanted.
        return out


class _Context:
    """The ReadContext kinds see; see ``resources.base.ReadContext``."""

    def __init__(self, client: Any, own_client_id: str, desired: Sequence[Resource],
                 state: Mapping[str, StateResource], pool: Executor, everything: bool,
                 reading: Iterable[str]) -> None:
        self.client = client
        self.own_client_id = own_client_id
        self._pool = pool
        self._everything = everything
        self._lock = threading.Lock()
        #: One future per kind being read, resolved with its objects (or its error).
        self._kinds: dict[str, Future[list[Resource]]] = {name: Future() for name in reading}
        self._by_id: dict[str, dict[str, Resource]] = {}
        self._listings: dict[tuple[str, str, bool], Future[list[Any]]] = {}
        self._in_map = threading.local()
        self.never_touch: dict[str, str] = {}
        self._state_by_id: dict[tuple[str, str], str] = {}
        self._state_ids: dict[str, list[str]] = {}
        self._state_by_natural: dict[tuple[str, tuple[str, ...]], str] = {}
        self._desired_by_natural: dict[tuple[str, tuple[str, ...]], str] = {}
        for s in state.values():
            if s.kinde_id:
                self._state_by_id[(s.kind, s.kinde_id)] = s.key
                self._state_ids.setdefault(s.kind, []).append(s.kinde_id)
            self._state_by_natural[(s.kind, tuple(s.natural))] = s.key
        for r in desired:
            self._desired_by_natural.setdefault((r.kind, r.natural), r.key)
        self._desired = desired
        self._state = state
        self._attributes: dict[str, frozenset[str]] = {}

    def key_for(self, kind: str, natural: tuple[str, ...], kinde_id: str | None) -> str:
        if kinde_id and (kind, kinde_id) in self._state_by_id:
            return self._state_by_id[(kind, kinde_id)]
        for index in (self._desired_by_natural, self._state_by_natural):
            if (kind, natural) in index:
                return index[(kind, natural)]
        return BY_NAME[kind].default_key(natural)

    def is_relevant(self, kind: str, natural: tuple[str, ...], kinde_id: str | None) -> bool:
        return (
            self._everything
            or (kinde_id is not None and (kind, kinde_id) in self._state_by_id)
            or (kind, natural) in self._desired_by_natural
            or (kind, natural) in self._state_by_natural
        )

    def manages(self, kind: str, attribute: str) -> bool:
        if self._everything:
            return True
        with self._lock:
            names = self._attributes.get(kind)
            if names is None:
                names = self._attributes[kind] = frozenset(
                    name for objects in ((r.attributes for r in self._desired if r.kind == kind),
                                         (s.attributes for s in self._state.values() if s.kind == kind))
                    for attributes in objects for name in attributes)
        return attribute in names

    def listing(self, path: str, items_key: str, *, paged: bool = True) -> list[Any]:
        key = (path, items_key, paged)
        with self._lock:
            shared = self._listings.get(key)
            first = shared is None
            if shared is None:
                shared = self._listings[key] = Future()
        if first:
            try:
                shared.set_result(list(self.client.paginate(path, items_key, paged=paged)))
            except Exception as err:  # noqa: BLE001 - every caller, this one too, re-raises it below
                shared.set_exception(err)
        return shared.result()

    def live(self, kind: str) -> Sequence[Resource]:
        done = self._kinds.get(kind)
        if done is None:
            return []  # not read in this refresh: nothing of it is managed or wanted
        if not done.done() and getattr(self._in_map, "active", False):
            # A ctx.map worker waiting for a kind whose own sub-lists need those workers could wait forever.
            raise RuntimeError(f"live({kind!r}) called inside ctx.map before {kind} was read")
        return done.result()

    def exclude(self, kinde_id: str, what: str) -> None:
        with self._lock:
            self.never_touch[kinde_id] = what

    def live_by_id(self, kind: str, kinde_id: str) -> Resource | None:
        objects = self.live(kind)
        with self._lock:
            index = self._by_id.get(kind)
            if index is None:
                index = self._by_id[kind] = {r.kinde_id: r for r in objects if r.kinde_id}
        return index.get(kinde_id)

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return list(self._pool.map(lambda item: self._marked(fn, item), items))

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Future[Any]:
        return self._pool.submit(self._marked, fn, item)

    def _marked(self, fn: Callable[[Any], Any], item: Any) -> Any:
        self._in_map.active = True
        try:
            return fn(item)
        finally:
            self._in_map.active = False

    def sub_lists(self, kind: str, reads: Sequence[Read]) -> _SubLists:
        return _SubLists(self, reads, self._state_ids.get(kind, ()))

    def read(self, kind: Kind) -> None:
        """Read one kind and tell whoever waits for it (its objects, or the error it failed with)."""
        try:
            self._kinds[kind.name].set_result(_read_kind(kind, self))
        except Exception as err:  # noqa: BLE001 - refresh() and every waiting kind re-raise it
            self._kinds[kind.name].set_exception(err)

    def result(self, kind: str) -> list[Resource]:
        return self._kinds[kind].result()


def _read_kind(kind: Kind, ctx: _Context) -> list[Resource]:
    """One kind's live objects. A list item without a field the kind reads, or with a value of the
    wrong type, is Kinde answering in a shape kinde-iac does not know: one readable error, never a
    Python exception from inside the kind (issue 13 point 8)."""
    try:
        return kind.read(ctx)
    except (KeyError, IndexError, TypeError, AttributeError) as err:
        if isinstance(err, KeyError):
            problem = f"an item without the field {err}"
        elif isinstance(err, IndexError):
            problem = "a shorter list than expected"
        else:
            problem = f"a value of the wrong type ({err})"
        raise ApiError(200, "INVALID_RESPONSE", f"reading the {kind.name} objects, Kinde answered with {problem}; "
                       f"kinde-iac cannot use that answer", method="GET") from err


def refresh(
    client: Any,
    *,
    own_client_id: str,
    desired: Sequence[Resource],
    state: Mapping[str, StateResource],
    parallelism: int = 8,
    everything: bool = False,
    on_event: Callable[[str], None] | None = None,
) -> LiveState:
    """Read every kind the config and state involve: all kinds at once, their sub-lists on a pool of
    ``parallelism`` workers (the client's own limit caps requests in flight across both)."""
    kinds = kinds_needed(desired, state.values(), everything)
    names = tuple(k.name for k in kinds)
    if on_event:
        on_event("Refreshing: reading " + ", ".join(names))
    with ReadPool(max(1, parallelism), thread_name_prefix="refresh") as pool, \
            ReadPool(len(kinds) or 1, thread_name_prefix="refresh-kind") as kind_pool:
        ctx = _Context(client, own_client_id, desired, state, pool, everything, names)
        # One thread per kind: a kind waiting in ctx.live holds only its own thread, and waits
        # follow reads_after, which the registry orders, so no wait is ever circular.
        for kind in kinds:
            kind_pool.submit(ctx.read, kind)
        # The first failure in registry order: a kind that waited on a failed kind fails after it.
        by_kind = {name: list(ctx.result(name)) for name in names}
    return LiveState(by_kind=by_kind, kinds=names, never_touch=dict(ctx.never_touch))
