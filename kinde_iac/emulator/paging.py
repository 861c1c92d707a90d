"""Pagination in Kinde's two styles: opaque ``next_token`` and ``starting_after`` + ``has_more``.

``next_token`` is keyset based: it carries the sort key of the last item served, so a walk stays
correct when objects are created or deleted between pages (offsets would skip or repeat items).
It is also signed (:class:`PageTokens`): the emulator trusts nothing a client could have edited.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from attrs import frozen

from kinde_iac.emulator.errors import bad_request

T = TypeVar("T")
SortKey = Callable[[Any], tuple]
Args = Mapping[str, str]

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


def page_size(args: Args, default: int) -> int:
    raw = args.get("page_size")
    if raw is None:
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


class PageTokens:
    """Issues and checks ``next_token`` values.

    A token is ``<payload>.<signature>``: the payload names the sort and the last sort key served,
    and the HMAC signature covers it together with ``binding`` (the environment and path of the
    list). A modified, forged or replayed-elsewhere token therefore fails the signature check and
    gets ``400 INVALID_NEXT_TOKEN``: never a 500 from a key of the wrong shape, never a page of
    another list or environment.
    """

    def __init__(self, key: bytes, binding: str = "") -> None:
        self._key = key
        self._binding = binding.encode()

    def bound(self, binding: str) -> PageTokens:
        return PageTokens(self._key, binding)

    def issue(self, sort_name: str, last: tuple) -> str:
        payload = _b64(json.dumps([sort_name, list(last)], separators=(",", ":")).encode())
        return f"{payload}.{_b64(self._sign(payload))}"

    def read(self, token: str, sort_name: str) -> tuple:
        """The sort key after which the next page starts."""
        try:
            payload, signature = token.split(".")
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                raise ValueError("bad signature")
            token_sort, key = json.loads(_unb64(payload))
            if not isinstance(key, list):
                raise TypeError(key)
        except (ValueError, TypeError):
            raise bad_request("INVALID_NEXT_TOKEN", "next_token is not valid") from None
        if token_sort != sort_name:
            raise bad_request("INVALID_NEXT_TOKEN", "next_token was issued for a different sort order")
        return tuple(key)

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self._key, self._binding + b"\n" + payload.encode(), hashlib.sha256).digest()[:16]


# For callers that bring no key (unit tests of the paging itself): valid for this process only.
_PROCESS_TOKENS = PageTokens(secrets.token_bytes(32))


def token_page(items: Iterable[T], args: Args, sorts: Mapping[str, Sort] | None = None, *,
               tokens: PageTokens | None = None) -> tuple[list[T], str | None]:
    """One page of ``items`` per the request's ``sort``, ``page_size`` and ``next_token``.

    Returns the page and the token for the next one (None on the last page). Without ``sort``
    items come in creation order. ``tokens`` signs and checks the tokens (bound to the list).
    """
    tokens = tokens or _PROCESS_TOKENS
    sort_name = args.get("sort")
    if sort_name is not None and sort_name not in (sorts or {}):
        raise bad_request("INVALID_SORT", f"Unsupported sort: {sort_name}")
    sort = (sorts or {}).get(sort_name or "", Sort(by_seq))
    sort_name = sort_name or ""
    size = page_size(args, DEFAULT_PAGE_SIZE)
    ordered = sorted(items, key=sort.key, reverse=sort.descending)
    token = args.get("next_token")
    if token:
        after = tokens.read(token, sort_name)
        if sort.descending:
            ordered = [o for o in ordered if sort.key(o) < after]
        else:
            ordered = [o for o in ordered if sort.key(o) > after]
    page = ordered[:size]
    more = len(ordered) > size
    return page, (tokens.issue(sort_name, sort.key(page[-1])) if more else None)


def cursor_page(items: Sequence[T], args: Args, default_size: int, ident: Callable[[T], str]
                ) -> tuple[list[T], bool]:
    """One page in ``starting_after``/``ending_before`` style (items already ordered); returns
    (page, has_more): whether more items lie beyond the page in the walking direction."""
    size = page_size(args, default_size)
    after, before = args.get("starting_after"), args.get("ending_before")
    if after and before:
        raise bad_request("TOO_MANY_PARAMETERS", "Only one of starting_after or ending_before may be specified")
    ids = [ident(i) for i in items]
    if before:
        if before not in ids:
            raise bad_request("INVALID_ENDING_BEFORE", f"No object with id {before} to end before")
        head = list(items[:ids.index(before)])
        return head[-size:], len(head) > size
    start = 0
    if after:
        if after not in ids:
            raise bad_request("INVALID_STARTING_AFTER", f"No object with id {after} to start after")
        start = ids.index(after) + 1
    rest = list(items[start:])
    return rest[:size], len(rest) > size


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    """Strict: only the exact text :func:`_b64` produces decodes, so no edit of a token (not even
    of the unused low bits of its last character) reads as the same token."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        raise ValueError("not canonical base64")
    return raw
