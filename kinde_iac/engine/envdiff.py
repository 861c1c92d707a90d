"""How two environments differ: objects only in one side, and attributes that differ, compared by
address and attribute with each kind's declarations (sets, secrets, business-wide fields).

A secret is compared by hash and never carried: its difference says only that it differs. An
attribute that both configs write the same way, and that differs only because a variable it is
built from differs (``${var.app_url}/login``), is marked with those variables, so a reader (or
``--ignore-variables``) can tell it from a real difference.
"""
from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from kinde_iac.engine.diff import normalize
from kinde_iac.engine.envsides import Side, SideSpec, config_side, live_side, load_config, open_live
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import BY_NAME, KINDS
from kinde_iac.state import is_secret_hash
from kinde_iac.state.secrets import secret_matches

#: What a difference of a secret shows in place of either value.
SENSITIVE_DIFFERS = "(sensitive value differs)"
_KIND_ORDER = {k.name: i for i, k in enumerate(KINDS)}

Presence = Literal["both", "only_a", "only_b"]


@attrs.frozen
class FieldDiff:
    """One attribute that differs: A's value, B's value, and for a set what B adds and lacks."""

    name: str
    a: Any
    b: Any
    is_set: bool = False
    #: Set elements in B but not in A, and in A but not in B.
    added: tuple[Any, ...] = ()
    removed: tuple[Any, ...] = ()
    #: A secret: ``a`` and ``b`` are never the values.
    sensitive: bool = False
    #: Non-empty when both sides write the attribute the same way and it differs only because these
    #: variables differ.
    variables: tuple[str, ...] = ()
    #: Kinde keeps this value once per business, not per environment (flag definitions).
    business_wide: bool = False


@attrs.frozen
class ObjectDiff:
    address: str
    kind: str
    presence: Presence
    fields: tuple[FieldDiff, ...] = ()


@attrs.frozen
class SideInfo:
    name: str
    live: bool
    environment: str | None = None
    domain: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} (live)" if self.live else self.name


@attrs.frozen
class EnvDiff:
    a: SideInfo
    b: SideInfo
    #: Objects that differ, in registry order of their kinds, then by address.
    objects: tuple[ObjectDiff, ...]
    #: Attribute differences left out because they come only from variables (``--ignore-variables``).
    hidden: int = 0
    ignore_variables: bool = False
    #: (address, attribute) pairs no side can tell: Kinde does not return the value, or both sides
    #: hold only salted hashes of a secret.
    not_compared: tuple[tuple[str, str], ...] = ()

    @property
    def same(self) -> bool:
        return not self.objects

    def of(self, presence: Presence) -> list[ObjectDiff]:
        return [o for o in self.objects if o.presence == presence]

    @property
    def environment_fields(self) -> list[tuple[ObjectDiff, list[FieldDiff]]]:
        """Objects in both sides with their per-environment differences."""
        out = []
        for o in self.of("both"):
            fields = [f for f in o.fields if not f.business_wide]
            if fields:
                out.append((o, fields))
        return out

    @property
    def business_wide_fields(self) -> list[tuple[ObjectDiff, FieldDiff]]:
        """Differences of values Kinde keeps once per business, listed once each."""
        return [(o, f) for o in self.of("both") for f in o.fields if f.business_wide]


def _digest(value: Any) -> bytes:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).digest()


def same_secret(a: Any, b: Any) -> bool | None:
    """Whether two values of a secret are equal, by hash; None when it cannot be told (two salted
    hashes from two states)."""
    if is_secret_hash(a) and is_secret_hash(b):
        return True if a == b else None
    if is_secret_hash(a) or is_secret_hash(b):
        plain, hashed = (b, a) if is_secret_hash(a) else (a, b)
        return secret_matches(plain, hashed)
    return hmac.compare_digest(_digest(a), _digest(b))


def select(addresses: Sequence[str], patterns: Sequence[str], where: str) -> list[str]:
    """The addresses matching any pattern (``role.admin``, ``role.*``); every pattern must match."""
    if not patterns:
        return list(addresses)
    chosen = set()
    for pattern in patterns:
        matched = [a for a in addresses if fnmatch.fnmatchcase(a, pattern)]
        if not matched:
            raise KindeIacError(f"no object matches {pattern!r} in {where}")
        chosen.update(matched)
    return [a for a in addresses if a in chosen]


def registry_order(address: str) -> tuple[int, str]:
    """Sort key: kinds in registry order (a parent before what it contains), then addresses."""
    return _KIND_ORDER.get(address.split(".", 1)[0], len(_KIND_ORDER)), address


def _by_variable(a: Side, b: Side, address: str, name: str) -> tuple[str, ...]:
    wa, wb = a.written.get((address, name)), b.written.get((address, name))
    if wa is None or wb is None or wa.template != wb.template:
        return ()
    used = wa.variables | wb.variables
    if not used:
        return ()
    missing = object()
    differing = [v for v in used if a.variables.get(v, missing) != b.variables.get(v, missing)]
    return tuple(sorted(differing or used))


def _field_diffs(a: Side, b: Side, address: str, not_compared: list[tuple[str, str]]) -> list[FieldDiff]:
    ra, rb = a.resources[address], b.resources[address]
    kind = BY_NAME[ra.kind]
    secret = kind.sensitive_fields(ra.attributes) | kind.sensitive_fields(rb.attributes)
    unknown = a.unknown.get(address, frozenset()) | b.unknown.get(address, frozenset())
    out = []
    for f in kind.fields:
        va, vb = ra.attributes.get(f.name), rb.attributes.get(f.name)
        # An optional field a config leaves out is not managed there: against a live side, whatever
        # Kinde holds is no difference (as in a plan).
        if f.optional and ((va is None and not a.live and b.live) or (vb is None and not b.live and a.live)):
            continue
        if f.name in unknown:
            not_compared.append((address, f.name))
            continue
        if f.name in secret:
            equal = same_secret(va, vb)
            if equal is None:
                not_compared.append((address, f.name))
            if equal is not False:
                continue
            out.append(FieldDiff(f.name, SENSITIVE_DIFFERS, SENSITIVE_DIFFERS, sensitive=True,
                                 variables=_by_variable(a, b, address, f.name), business_wide=f.business_wide))
            continue
        na, nb = normalize(va, f.is_set), normalize(vb, f.is_set)
        if na == nb:
            continue
        added = removed = ()
        if f.is_set and na is not None and nb is not None:
            added = tuple(x for x in nb if x not in na)
            removed = tuple(x for x in na if x not in nb)
        out.append(FieldDiff(f.name, na, nb, is_set=f.is_set and na is not None and nb is not None,
                             added=added, removed=removed, variables=_by_variable(a, b, address, f.name),
                             business_wide=f.business_wide))
    return out


def compare(a: Side, b: Side, *, addresses: Sequence[str] = (), ignore_variables: bool = False) -> EnvDiff:
    """Compare two sides object by object; ``addresses`` (patterns) narrows the comparison."""
    union = sorted(set(a.resources) | set(b.resources), key=registry_order)
    chosen = select(union, addresses, f"{a.label} or {b.label}")
    objects: list[ObjectDiff] = []
    not_compared: list[tuple[str, str]] = []
    hidden = 0
    for address in chosen:
        if address not in b.resources:
            objects.append(ObjectDiff(address, a.resources[address].kind, "only_a"))
            continue
        if address not in a.resources:
            objects.append(ObjectDiff(address, b.resources[address].kind, "only_b"))
            continue
        fields = _field_diffs(a, b, address, not_compared)
        if ignore_variables:
            hidden += sum(1 for f in fields if f.variables)
            fields = [f for f in fields if not f.variables]
        if fields:
            objects.append(ObjectDiff(address, a.resources[address].kind, "both", tuple(fields)))
    return EnvDiff(a=_info(a), b=_info(b), objects=tuple(objects), hidden=hidden,
                   ignore_variables=ignore_variables, not_compared=tuple(not_compared))


def _info(side: Side) -> SideInfo:
    return SideInfo(name=side.name, live=side.live, environment=side.environment, domain=side.domain)


def read_side(spec: SideSpec, *, parallelism: int = 8, client_options: Mapping[str, Any] | None = None) -> Side:
    """A side as named: the workspace's config, or its environment read live."""
    ws = load_config(spec)
    if not spec.live:
        return config_side(ws)
    session = open_live(spec, ws, client_options)
    try:
        return live_side(session, parallelism=parallelism)
    finally:
        session.close()


def diff_environments(a: SideSpec, b: SideSpec, *, addresses: Sequence[str] = (), ignore_variables: bool = False,
                      parallelism: int = 8, client_options: Mapping[str, Any] | None = None) -> EnvDiff:
    """``kinde-iac diff A B``: both sides read (configs need no network), then compared."""
    sides = [read_side(s, parallelism=parallelism, client_options=client_options) for s in (a, b)]
    return compare(sides[0], sides[1], addresses=addresses, ignore_variables=ignore_variables)
