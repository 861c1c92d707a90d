"""Attribute comparison for the three-way plan: which fields differ, and set-element changes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kinde_iac.state.secrets import is_secret_hash, secret_matches


def normalize(value: Any, is_set: bool) -> Any:
    """Sets compare as sorted lists; an unread set (None) stays None."""
    if is_set and value is not None:
        return sorted(set(value))
    return value


def same(a: Any, b: Any, *, is_set: bool = False, sensitive: bool = False) -> bool:
    """Equality of one field's values; a secret compares a plain value with a salted hash."""
    if sensitive:
        if is_secret_hash(a) and not is_secret_hash(b):
            a, b = b, a
        if is_secret_hash(b) and not is_secret_hash(a):
            return a is not None and secret_matches(a, b)
    return normalize(a, is_set) == normalize(b, is_set)


def differing_fields(before: Mapping[str, Any], after: Mapping[str, Any], set_fields: frozenset[str]) -> set[str]:
    """Names of top-level fields whose values differ (sets compared without order).

    Plain equality settles the common converged case cheaply; deepdiff then names what differs.
    """
    b = {k: normalize(v, k in set_fields) for k, v in before.items()}
    a = {k: normalize(v, k in set_fields) for k, v in after.items()}
    if a == b:
        return set()
    # Imported here: deepdiff (and pydantic under it) is a third of a no-op plan's start-up, and a
    # converged workspace never gets this far.
    from deepdiff import DeepDiff

    tree = DeepDiff(b, a, ignore_order=True, view="tree")
    names: set[str] = set()
    for items in tree.values():
        for level in items:
            path = level.path(output_format="list")
            if path:
                names.add(str(path[0]))
    return names
