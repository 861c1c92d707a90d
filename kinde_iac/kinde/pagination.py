"""Walking Kinde's list endpoints: ``next_token`` and ``has_more`` / ``starting_after`` pages."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

# Kinde's documented maximum page size; anything less multiplies refresh requests (DESIGN section 8).
PAGE_SIZE = 500


def items_of(value: Any) -> list[Any]:
    """The items of a list value; a map-valued list (environment feature flags:
    ``{key: {type, value}}``) becomes ``{"key": key, **value}`` items."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [{"key": k, **v} if isinstance(v, dict) else {"key": k, "value": v} for k, v in value.items()]
    return list(value)


def walk(fetch: Callable[[dict[str, Any]], dict[str, Any]], items_key: str,
         params: dict[str, Any] | None = None, *, paged: bool = True) -> Iterator[Any]:
    """Yield every item of a list endpoint, following ``next_token`` or ``has_more``.

    ``fetch(query)`` performs one GET and returns its body. ``paged=False`` is for endpoints that
    take no paging parameters: no ``page_size`` is sent, but a returned marker is still followed. A
    marker that repeats, or a page with nothing new, ends the walk, so a server that ignores the
    cursor cannot loop us or duplicate items.
    """
    query = dict(params or {})
    if paged:
        query.setdefault("page_size", PAGE_SIZE)
    seen_tokens: set[str] = set()
    seen_ids: set[Any] = set()
    while True:
        body = fetch(query)
        items = items_of(body.get(items_key))
        fresh = 0
        for item in items:
            ident = item.get("id", item.get("key")) if isinstance(item, dict) else None
            if ident is not None:
                if ident in seen_ids:
                    continue
                seen_ids.add(ident)
            fresh += 1
            yield item
        if not fresh and (seen_tokens or "starting_after" in query):
            return  # a follow-up page brought nothing new: the cursor is being ignored
        next_token = body.get("next_token")
        if next_token:
            if next_token in seen_tokens:
                return
            seen_tokens.add(next_token)
            query["next_token"] = next_token
            continue
        if body.get("has_more") is True and items:
            last_id = items[-1].get("id") if isinstance(items[-1], dict) else None
            if not last_id or query.get("starting_after") == last_id:
                return
            query["starting_after"] = last_id
            continue
        return
