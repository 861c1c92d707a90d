"""List reads: the shape a list answer must have, and walking ``next_token`` / ``has_more`` pages.

A 200 without the expected list is an error, never "no objects": reading an empty body, ``null``
or a missing key as an empty list made apply re-create everything (issue 13 point 2). None of the
list responses kinde-iac reads documents leaving the list out when it is empty (the spec's
response schemas mark no key optional or nullable, NOTES sections 3 and 5), and Kinde's own
examples show ``[]``; so an empty list is ``"roles": []`` (or ``{}`` for the one map-valued list,
the environment's feature flags), and anything else is refused.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kinde_iac.errors import ApiError
from kinde_iac.jsonpath import type_name

# Kinde's documented maximum page size; anything less multiplies refresh requests (DESIGN section 8).
PAGE_SIZE = 500


class EmptyBody:
    """What a 2xx with no body at all parses to (so it is told apart from a JSON ``null``)."""

    def __repr__(self) -> str:
        return "<empty body>"


EMPTY = EmptyBody()


def describe(value: Any) -> str:
    """A JSON value's kind in words, without echoing its content (it could hold anything)."""
    if value is EMPTY:
        return "an empty body"
    if value == "":
        return "an empty string"
    return type_name(value)


def invalid_response(path: str, message: str, method: str = "GET") -> ApiError:
    return ApiError(200, "INVALID_RESPONSE", message, method=method, path=path)


def expect_items(body: Any, key: str, path: str) -> list[Any]:
    """The items under ``key`` of a list answer, or ApiError naming what was expected instead.

    A map-valued list (environment feature flags: ``{key: {type, value}}``) becomes
    ``{"key": key, **value}`` items.
    """
    if not isinstance(body, dict):
        raise invalid_response(path, f'expected a JSON object with a "{key}" list, got {describe(body)}')
    if key not in body:
        raise invalid_response(path, f'expected a "{key}" list, but the response has no "{key}" key')
    value = body[key]
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [{"key": k, **v} if isinstance(v, dict) else {"key": k, "value": v} for k, v in value.items()]
    raise invalid_response(path, f'expected a "{key}" list, got {describe(value)}')


def expect_object(body: Any, key: str, path: str) -> dict[str, Any]:
    """The object under ``key`` of a single-object answer (``{"role": {...}}``), or ApiError."""
    if not isinstance(body, dict):
        raise invalid_response(path, f'expected a JSON object with a "{key}" object, got {describe(body)}')
    if key not in body:
        raise invalid_response(path, f'expected a "{key}" object, but the response has no "{key}" key')
    value = body[key]
    if not isinstance(value, dict):
        raise invalid_response(path, f'expected a "{key}" object, got {describe(value)}')
    return value


def walk(fetch: Callable[[dict[str, Any]], Any], path: str, items_key: str,
         params: dict[str, Any] | None = None, *, paged: bool = True) -> Iterator[Any]:
    """Yield every item of a list endpoint, following ``next_token`` or ``has_more``.

    ``fetch(query)`` performs one GET of ``path`` and returns its parsed body. ``paged=False`` is
    for endpoints that take no paging parameters: no ``page_size`` is sent, but a returned marker is
    still followed. A marker that repeats, or a page with nothing new, ends the walk, so a server
    that ignores the cursor cannot loop us or duplicate items.
    """
    query = dict(params or {})
    if paged:
        query.setdefault("page_size", PAGE_SIZE)
    seen_tokens: set[str] = set()
    seen_ids: set[Any] = set()
    while True:
        body = fetch(query)
        items = expect_items(body, items_key, path)
        fresh = 0
        for item in items:
            ident = item.get("id", item.get("key")) if isinstance(item, dict) else None
            if isinstance(ident, (str, int)):
                if ident in seen_ids:
                    continue
                seen_ids.add(ident)
            fresh += 1
            yield item
        if not fresh and (seen_tokens or "starting_after" in query):
            return  # a follow-up page brought nothing new: the cursor is being ignored
        next_token = body.get("next_token")
        if next_token is not None and not isinstance(next_token, str):
            raise invalid_response(path, f'expected "next_token" to be a string, got {describe(next_token)}')
        if next_token:
            if next_token in seen_tokens:
                return
            seen_tokens.add(next_token)
            query["next_token"] = next_token
            continue
        if body.get("has_more") is True and items:
            last_id = items[-1].get("id") if isinstance(items[-1], dict) else None
            if not isinstance(last_id, str) or not last_id or query.get("starting_after") == last_id:
                return
            query["starting_after"] = last_id
            continue
        return
