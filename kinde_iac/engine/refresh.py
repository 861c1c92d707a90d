"""Reads live Kinde state with list endpoints: one paged walk per kind, plus one sub-list per parent
that kinde-iac manages (role permissions, role scopes, API scopes, app URLs), so the request count
grows with pages and parents, not with resources."""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

from kinde_iac.errors import ApiError
from kinde_iac.resources import BY_NAME, KINDS, Kind, Resource
from kinde_iac.state import StateResource


@attrs.define
class LiveState:
    """Every live object read, per kind name."""

    by_kind: dict[str, list[Resource]]
    #: The kinds that were read (others were not needed by this config and state).
    kinds: tuple[str, ...]
    #: Kinde ids of live objects the kinds left out because kinde-iac must never change them, and
    #: what each is (the safety rails check every plan against them).
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


class _Context:
    """The ReadContext kinds see; see ``resources.base.ReadContext``."""

    def __init__(self, client: Any, own_client_id: str, desired: Sequence[Resource],
                 state: Mapping[str, StateResource], pool: ThreadPoolExecutor, everything: bool) -> None:
        self.client = client
        self.own_client_id = own_client_id
        self._pool = pool
        self._everything = everything
        self._lock = threading.Lock()
        self.never_touch: dict[str, str] = {}
        self._live: dict[str, list[Resource]] = {}
        self._live_ids: dict[str, dict[str, Resource]] = {}
        self._state_by_id: dict[tuple[str, str], str] = {}
        self._state_by_natural: dict[tuple[str, tuple[str, ...]], str] = {}
        self._desired_by_natural: dict[tuple[str, tuple[str, ...]], str] = {}
        for s in state.values():
            if s.kinde_id:
                self._state_by_id[(s.kind, s.kinde_id)] = s.key
            self._state_by_natural[(s.kind, tuple(s.natural))] = s.key
        for r in desired:
            self._desired_by_natural.setdefault((r.kind, r.natural), r.key)

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

    def live(self, kind: str) -> Sequence[Resource]:
        return self._live.get(kind, [])

    def exclude(self, kinde_id: str, what: str) -> None:
        with self._lock:
            self.never_touch[kinde_id] = what

    def live_by_id(self, kind: str, kinde_id: str) -> Resource | None:
        return self._live_ids.get(kind, {}).get(kinde_id)

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return list(self._pool.map(fn, items))

    def store(self, kind: str, resources: list[Resource]) -> None:
        with self._lock:
            self._live[kind] = resources
            self._live_ids[kind] = {r.kinde_id: r for r in resources if r.kinde_id}


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
    """Read every kind the config and state involve, independent kinds and sub-lists concurrently."""
    kinds = kinds_needed(desired, state.values(), everything)
    names = {k.name for k in kinds}
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="refresh") as pool, \
            ThreadPoolExecutor(max_workers=len(kinds) or 1, thread_name_prefix="refresh-kind") as kind_pool:
        ctx = _Context(client, own_client_id, desired, state, pool, everything)
        done: set[str] = set()
        pending = list(kinds)
        # Kinds are read in waves: a kind starts once the kinds it reads after are in.
        while pending:
            wave = [k for k in pending if all(d in done or d not in names for d in k.reads_after)]
            if not wave:  # pragma: no cover - the registry order forbids cycles
                raise RuntimeError("cycle between resource kinds")
            if on_event:
                on_event("Refreshing: reading " + ", ".join(k.name for k in wave))
            results = list(kind_pool.map(lambda k: (k.name, _read_kind(k, ctx)), wave))
            for name, resources in results:
                ctx.store(name, resources)
                done.add(name)
            pending = [k for k in pending if k.name not in done]
    by_kind: dict[str, list[Resource]] = defaultdict(list)
    for name in names:
        by_kind[name] = list(ctx.live(name))
    return LiveState(by_kind=dict(by_kind), kinds=tuple(k.name for k in kinds), never_touch=dict(ctx.never_touch))
