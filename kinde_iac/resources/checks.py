"""Checks several kinds apply to their config entries: key format, absolute URLs, duplicate keys."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from kinde_iac.jsonpath import JsonPath, quote
from kinde_iac.resources.kind_config import Issue, WorkspaceView

#: Kinde's limit for keys (roles, permissions, scopes, flags).
KEY_MAX = 64
#: Kinde's limit for the names of roles, permissions, applications, feature flags and API keys; a
#: longer one is refused only when apply sends it, so the config check says so first.
NAME_MAX = 128


def key_problem(key: str, *, what: str, slash: bool = True) -> str | None:
    """Why ``key`` cannot be a key, or None. ``slash=False`` also refuses ``/``, which separates the
    parts of a compound address (``api_scope.<api>/<scope>``)."""
    if not key:
        return f"{what} must not be empty"
    if len(key) > KEY_MAX:
        return f"{what} is {len(key)} characters long; at most {KEY_MAX} are allowed"
    if any(c.isspace() for c in key):
        return f"{what} {quote(key)} must not contain whitespace"
    if not slash and "/" in key:
        return f'{what} {quote(key)} must not contain "/" (it separates api and scope in "<api>/<scope>")'
    return None


def name_problem(name: str | None, *, required: bool = True) -> str | None:
    """Why ``name`` cannot be a Kinde name, or None (``required=False``: only the length is checked)."""
    if not name:
        return "name must not be empty" if required else None
    if len(name) > NAME_MAX:
        return f"name is {len(name)} characters long; Kinde allows at most {NAME_MAX}"
    return None


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return f"expected an absolute http(s) URL, got {quote(url)}"
    return None


def duplicates(
    workspace: WorkspaceView, label: str, items: Iterable[tuple[JsonPath, str]], within: str = ""
) -> Iterator[Issue]:
    """One issue per repeated key, naming where the key was first defined."""
    first: dict[str, JsonPath] = {}
    for path, key in items:
        if key in first:
            where = ": ".join(workspace.locate(first[key]))
            yield path, f"duplicate {label} {quote(key)}{within} (first defined at {where})"
        else:
            first[key] = path
