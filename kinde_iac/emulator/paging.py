"""Pagination in Kinde's two styles: opaque ``next_token`` and ``starting_after`` + ``has_more``.

``next_token`` is keyset based: it carries the sort key of the last item served, so a walk stays
correct when objects are created or deleted between pages (offsets would skip or repeat items).
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from attrs import frozen

from kinde_iac.emulator.errors import bad_request

T = TypeVar("T")
SortKey = Callable[[Any], tuple]

MAX_PAGE_SIZE = 500  # documented limit for GET endpoints that take page_size
DEFAULT_PAGE_SIZE = 10  # "Defaults to 10 if parameter not sent" on next_token endpoints


@frozen
class Sort:
    key: SortKey
    descending: bool = False


def by_seq(obj: Any) -> tuple:
    return (obj.seq,)


def by_name(obj: Any) -> tuple:
    return (obj.name.casefold(), obj.seq)


def by_key(obj: Any) -> tuple:
    return (obj.key.casefold(), obj.seq)


def by_id(obj: Any) -> tuple:
    return (obj.id,)


NAME_SORTS = {"name_asc": Sort(by_name), "name_desc": Sort(by_name, True)}
ROLE_SORTS = {**NAME_SORTS, "key_asc": Sort(by_key), "key_desc": Sort(by_key, True)}
PERMISSION_SORTS = {**NAME_SORTS, "id_asc": Sort(by_id), "id_desc": Sort(by_id, True)}


def page_size(args: Mapping[str, str], default: int) -> int:
    raw = args.get("page_size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        raise bad_request("INVALID_PAGE_SIZE", "page_size must be an integer") from None
    if size < 1:
        raise bad_request("INVALID_PAGE_SIZE", "page_size must be at least 1")
    if size > MAX_PAGE_SIZE:
        raise bad_request("PAGE_SIZE_LIMIT_EXCEEDED", f"Page size cannot be greater than {MAX_PAGE_SIZE}")
    return size


def token_page(items: Iterable[T], args: Mapping[str, str], sorts: Mapping[str, Sort] | None = None,
               ) -> tuple[list[T], str | None]:
    """One page of ``items`` per the request's ``sort``, ``page_size`` and ``next_token``.

    Returns the page and the token for the next one (None on the last page). Without ``sort``
    items come in creation order.
    """
    sort_name = args.get("sort") or ""
    if sort_name and sort_name not in (sorts or {}):
        raise bad_request("INVALID_SORT", f"Unsupported sort: {sort_name}")
    sort = (sorts or {}).get(sort_name, Sort(by_seq))
    size = page_size(args, DEFAULT_PAGE_SIZE)
    ordered = sorted(items, key=sort.key, reverse=sort.descending)
    token = args.get("next_token")
    if token:
        after = _decode(token, sort_name)
        if sort.descending:
            ordered = [o for o in ordered if sort.key(o) < after]
        else:
            ordered = [o for o in ordered if sort.key(o) > after]
    page = ordered[:size]
    more = len(ordered) > size
    return page, (_encode(sort_name, sort.key(page[-1])) if more else None)


def cursor_page(items: Sequence[T], args: Mapping[str, str], default_size: int,
                ident: Callable[[T], str]) -> tuple[list[T], bool]:
    """One page in ``starting_after`` style (items already ordered); returns (page, has_more)."""
    size = page_size(args, default_size)
    start = 0
    after = args.get("starting_after")
    if after:
        ids = [ident(i) for i in items]
        if after not in ids:
            raise bad_request("INVALID_STARTING_AFTER", f"No object with id {after} to start after")
        start = ids.index(after) + 1
    rest = list(items[start:])
    return rest[:size], len(rest) > size


def _encode(sort_name: str, key: tuple) -> str:
    raw = json.dumps([sort_name, list(key)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, sort_name: str) -> tuple:
    try:
        padded = token + "=" * (-len(token) % 4)
        token_sort, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(key, list):
            raise TypeError(key)
    except (ValueError, TypeError):
        raise bad_request("INVALID_NEXT_TOKEN", "next_token is not valid") from None
    if token_sort != sort_name:
        raise bad_request("INVALID_NEXT_TOKEN", "next_token was issued for a different sort order")
    return tuple(key)
