"""An application's sign-in settings and token lifetimes, and the connections it offers.

The sign-in settings are the booleans ``PATCH /api/v1/applications/{id}`` takes, which
``GET /api/v1/applications/{id}`` returns: readable, so drift on them is found. The token
lifetimes go through ``PATCH /api/v1/applications/{id}/tokens``, which has no read: they are
compared with the last apply only. Every one of them is optional: left out of the config, kinde-iac
leaves Kinde's value as it is.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from kinde_iac.jsonpath import JsonPath, quote

#: The sign-in behaviour booleans of ``PATCH /api/v1/applications/{id}`` (the spec's names).
SETTINGS: tuple[str, ...] = (
    "is_allow_faceless_auth",
    "is_ask_for_name",
    "has_marketing_consent",
    "has_sign_in_link_on_sign_up_page",
    "has_register_link_on_sign_in_page",
    "has_sign_in_with_sso_button",
    "use_gravatar_fallback",
)
#: Application types that offer sign-in connections (machine-to-machine and device clients have no
#: sign-in page of their own).
CONNECTION_TYPES = ("reg", "spa")


# "tokens" of an application entry: lifetimes in seconds (no docstring: the JSON Schema shows none).
@attrs.frozen
class Tokens:
    access_token_lifetime: int | None = None
    refresh_token_lifetime: int | None = None
    id_token_lifetime: int | None = None
    authenticated_session_lifetime: int | None = None


LIFETIMES: tuple[str, ...] = tuple(f.name for f in attrs.fields(Tokens))


def token_attribute(tokens: Tokens | None) -> dict[str, int] | None:
    """The ``tokens`` attribute: the lifetimes written (None when none are)."""
    if tokens is None:
        return None
    given = {name: getattr(tokens, name) for name in LIFETIMES if getattr(tokens, name) is not None}
    return given or None


def token_issues(base: JsonPath, tokens: Tokens | None) -> Iterator[tuple[JsonPath, str]]:
    """Kinde's documented limits: lifetimes are whole seconds, and a refresh token must outlive
    the access token it renews."""
    if tokens is None:
        return
    for name in LIFETIMES:
        value = getattr(tokens, name)
        if value is not None and value < 1:
            yield base + (name,), f"{name} is a number of seconds and must be at least 1, got {value}"
    access, refresh = tokens.access_token_lifetime, tokens.refresh_token_lifetime
    if access is not None and refresh is not None and 0 < refresh <= access:
        yield base + ("refresh_token_lifetime",), (
            f"refresh_token_lifetime ({refresh} s) must be longer than access_token_lifetime ({access} s): "
            f"Kinde renews access tokens with the refresh token")


def connection_issues(base: JsonPath, app_type: str, refs: tuple[str, ...] | None) -> Iterator[tuple[JsonPath, str]]:
    if not refs:
        return
    if app_type not in CONNECTION_TYPES:
        yield base, (f"{quote(app_type)} applications have no sign-in page, so no connections; "
                     f"only {' and '.join(quote(t) for t in CONNECTION_TYPES)} applications take them")
    for j, ref in enumerate(refs):
        if not ref or ref != ref.strip():
            yield base + (j,), f"expected a connection key or the name of a built-in connection, got {quote(ref)}"


def read_settings(app: dict[str, Any]) -> dict[str, bool]:
    """The sign-in settings of a ``GET /api/v1/applications/{id}`` answer."""
    return {name: app[name] for name in SETTINGS if isinstance(app.get(name), bool)}
