"""Authentication connections and which applications each one is enabled for.

Kinde's built-in connections (seeded per environment by the store) can be enabled and disabled
per application but never changed or deleted. Secret options are write-only: kept, never read
back through the API (:func:`public_options`).
"""
from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import Application, Connection
from kinde_iac.emulator.store.tables import Tx, View, require

# The strategies POST /connections accepts (the spec's enum).
STRATEGIES = (
    "oauth2:apple", "oauth2:azure_ad", "oauth2:bitbucket", "oauth2:discord", "oauth2:facebook",
    "oauth2:github", "oauth2:gitlab", "oauth2:google", "oauth2:linkedin", "oauth2:microsoft",
    "oauth2:patreon", "oauth2:slack", "oauth2:stripe", "oauth2:twitch", "oauth2:twitter", "oauth2:xero",
    "saml:custom", "saml:cloudflare", "saml:okta", "saml:microsoft", "saml:google", "wsfed:azure_ad",
)
SECRET_OPTIONS = frozenset({"client_secret", "saml_signing_private_key"})
# Machine and device clients have no sign-in screen to offer connections on (the spec calls them
# "application types that do not support connections" for access control).
NO_CONNECTION_TYPES = ("m2m", "device")
NAME_MAX = 128  # emulator choice: Kinde publishes no limit


def public_options(connection: Connection) -> dict[str, Any]:
    """The options a reader may see: everything but the secrets."""
    return {k: v for k, v in connection.options.items() if k not in SECRET_OPTIONS}


def find_connection(view: View, env: str, connection_id: str) -> Connection:
    return require(view, env, "connections", connection_id, "CONNECTION_NOT_FOUND", "Connection not found")


def _changeable(connection: Connection) -> Connection:
    if connection.is_builtin:
        raise StoreError("CONNECTION_PROTECTED",
                         f"{connection.display_name} is a built-in Kinde connection and cannot be changed")
    return connection


def _text(value: str | None, field: str) -> str:
    return rules.required(value, field, max_len=NAME_MAX)


def _supporting_app(view: View, env: str, app_id: str) -> Application:
    app: Application = require(view, env, "applications", app_id, "APPLICATION_NOT_FOUND",
                               f"Application not found: {app_id}")
    if app.type in NO_CONNECTION_TYPES:
        raise StoreError("APPLICATION_TYPE_NOT_SUPPORTED",
                         f"Connections cannot be enabled for {app.type} applications")
    return app


def _app_ids(view: View, env: str, app_ids: Sequence[str]) -> tuple[str, ...]:
    for app_id in app_ids:
        _supporting_app(view, env, app_id)
    return tuple(dict.fromkeys(app_ids))


class Connections:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> builtins.list[Connection]:
        with self._store.read() as view:
            return view.records(env, "connections")

    def get(self, env: str, connection_id: str) -> Connection:
        with self._store.read() as view:
            return find_connection(view, env, connection_id)

    def create(self, env: str, *, name: str | None, display_name: str | None, strategy: str | None,
               options: Mapping[str, Any] | None, enabled_applications: Sequence[str] | None,
               organization_code: str | None) -> Connection:
        if strategy not in STRATEGIES:
            raise StoreError("INVALID_STRATEGY", f"strategy must be one of {', '.join(STRATEGIES)}")
        connection = Connection(id=ids.connection_id(), name=_text(name, "name"),
                                display_name=_text(display_name, "display_name"), strategy=strategy, seq=0,
                                options=dict(options or {}), organization_code=organization_code)
        with self._store.write() as tx:
            apps = _app_ids(tx, env, enabled_applications or ())
            return tx.put(env, "connections", attrs.evolve(connection, seq=tx.next_seq(), enabled_app_ids=apps))

    def update(self, env: str, connection_id: str, *, name: str | None, display_name: str | None,
               options: Mapping[str, Any] | None, enabled_applications: Sequence[str] | None,
               replace: bool) -> Connection:
        """PATCH (``replace`` False): the given fields change and ``options`` merge into the
        current ones, so a secret not sent again is kept. PUT (``replace`` True): name and
        display name are required and ``options`` replace the current ones. Either way a given
        ``enabled_applications`` replaces the set of applications."""
        if replace:
            name, display_name = _text(name, "name"), _text(display_name, "display_name")
        with self._store.write() as tx:
            connection = _changeable(find_connection(tx, env, connection_id))
            changes: dict[str, Any] = {}
            if name is not None:
                changes["name"] = _text(name, "name")
            if display_name is not None:
                changes["display_name"] = _text(display_name, "display_name")
            if replace:
                changes["options"] = dict(options or {})
            elif options is not None:
                changes["options"] = {**connection.options, **options}
            if enabled_applications is not None:
                changes["enabled_app_ids"] = _app_ids(tx, env, enabled_applications)
            return tx.put(env, "connections", attrs.evolve(connection, **changes))

    def delete(self, env: str, connection_id: str) -> None:
        with self._store.write() as tx:
            _changeable(find_connection(tx, env, connection_id))
            tx.delete(env, "connections", connection_id)

    # -- per application ---------------------------------------------------------------------

    def for_application(self, env: str, app_id: str) -> builtins.list[Connection]:
        with self._store.read() as view:
            require(view, env, "applications", app_id, "APPLICATION_NOT_FOUND", "Application not found")
            return [c for c in view.records(env, "connections") if app_id in c.enabled_app_ids]

    def set_enabled(self, env: str, app_id: str, connection_id: str, *, enabled: bool) -> None:
        """Idempotent both ways, so a retried request gets the same answer."""
        with self._store.write() as tx:
            if enabled:
                _supporting_app(tx, env, app_id)
            else:
                require(tx, env, "applications", app_id, "APPLICATION_NOT_FOUND", "Application not found")
            connection = find_connection(tx, env, connection_id)
            apps = tuple(a for a in connection.enabled_app_ids if a != app_id) + ((app_id,) if enabled else ())
            if set(apps) != set(connection.enabled_app_ids):
                tx.put(env, "connections", attrs.evolve(connection, enabled_app_ids=apps))


def forget_application(tx: Tx, env: str, app_id: str) -> None:
    """A deleted application is enabled nowhere any more."""
    for connection in tx.records(env, "connections"):
        if app_id in connection.enabled_app_ids:
            tx.put(env, "connections", attrs.evolve(
                connection, enabled_app_ids=tuple(a for a in connection.enabled_app_ids if a != app_id)))
