"""Applications and their redirect/logout URLs and token settings."""
from __future__ import annotations

import builtins
from typing import Any

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.connections import forget_application
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import Application
from kinde_iac.emulator.store.tables import View, require

APP_TYPES = ("reg", "spa", "m2m", "device")
# Public clients (browser and device flows) get no secret in Kinde.
_NO_SECRET_TYPES = ("spa", "device")
# "Always false for application types that do not support connections" (spec, getApplication).
_NO_ACCESS_CONTROL_TYPES = ("m2m", "device")
URL_LISTS = ("redirect_urls", "logout_urls")
SETTINGS = (
    "name", "language_key", "login_uri", "homepage_uri", "is_allow_faceless_auth", "is_ask_for_name",
    "has_marketing_consent", "has_sign_in_link_on_sign_up_page", "has_register_link_on_sign_in_page",
    "has_sign_in_with_sso_button", "use_gravatar_fallback", "is_access_control_enabled",
)
TOKEN_SETTINGS = ("access_token_lifetime", "refresh_token_lifetime", "id_token_lifetime",
                  "authenticated_session_lifetime", "is_hasura_mapping_enabled")


def _find(view: View, env: str, app_id: str) -> Application:
    return require(view, env, "applications", app_id, "APPLICATION_NOT_FOUND", "Application not found")


class Applications:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> builtins.list[Application]:
        with self._store.read() as view:
            return view.records(env, "applications")

    def get(self, env: str, app_id: str) -> Application:
        with self._store.read() as view:
            return _find(view, env, app_id)

    def create(self, env: str, *, name: str | None, type: str | None, org_code: str | None) -> Application:
        name = rules.required(name, "name", max_len=128)
        if type not in APP_TYPES:
            raise StoreError("INVALID_TYPE", f"type must be one of {', '.join(APP_TYPES)}")
        with self._store.write() as tx:
            app_id = ids.app_id()
            app = Application(id=app_id, name=name, type=type, seq=tx.next_seq(), org_code=org_code,
                              client_secret=None if type in _NO_SECRET_TYPES else ids.client_secret())
            return tx.put(env, "applications", app)

    def update(self, env: str, app_id: str, changes: dict[str, Any]) -> Application:
        """PATCH semantics: only the given settings change. ``redirect_uris``/``logout_uris``
        replace the whole list (emulator choice; Kinde does not document it)."""
        with self._store.write() as tx:
            app = _find(tx, env, app_id)
            fields = {k: v for k, v in changes.items() if k in SETTINGS}
            if "name" in fields:
                fields["name"] = rules.required(fields["name"], "name", max_len=128)
            if fields.get("is_access_control_enabled"):
                if app.type in _NO_ACCESS_CONTROL_TYPES:
                    raise StoreError("ACCESS_CONTROL_NOT_SUPPORTED",
                                     "Role-based access control is not supported for this application type")
                # The emulator has no access roles, so none can ever be configured.
                raise StoreError("ACCESS_ROLES_REQUIRED",
                                 "Add at least one allowed role before enabling role-based access control")
            if "redirect_uris" in changes:
                fields["redirect_urls"] = _dedupe(changes["redirect_uris"])
            if "logout_uris" in changes:
                fields["logout_urls"] = _dedupe(changes["logout_uris"])
            return tx.put(env, "applications", attrs.evolve(app, **fields))

    def update_tokens(self, env: str, app_id: str, changes: dict[str, Any]) -> Application:
        with self._store.write() as tx:
            app = _find(tx, env, app_id)
            for name in TOKEN_SETTINGS[:4]:
                value = changes.get(name)
                if value is not None and value < 0:
                    raise StoreError("INVALID_TOKEN_LIFETIME", f"{name} must not be negative")
            fields = {k: v for k, v in changes.items() if k in TOKEN_SETTINGS and v is not None}
            return tx.put(env, "applications", attrs.evolve(app, **fields))

    def delete(self, env: str, app_id: str) -> None:
        """Revokes the application's API authorizations and disables its connections."""
        with self._store.write() as tx:
            app = _find(tx, env, app_id)
            if app.is_emulator_client:
                # Deleting it would lock every client of this environment out until a reset.
                raise StoreError("APPLICATION_PROTECTED",
                                 "The emulator's own M2M application cannot be deleted")
            for api in tx.records(env, "apis"):
                grants = tuple(g for g in api.app_scope_grants if g[0] != app_id)
                if app_id in api.authorized_app_ids or grants != api.app_scope_grants:
                    tx.put(env, "apis", attrs.evolve(
                        api, authorized_app_ids=tuple(a for a in api.authorized_app_ids if a != app_id),
                        app_scope_grants=grants))
            forget_application(tx, env, app_id)
            tx.delete(env, "applications", app_id)

    # -- redirect and logout URLs ------------------------------------------------------------

    def urls(self, env: str, app_id: str, which: str) -> tuple[str, ...]:
        with self._store.read() as view:
            return getattr(_find(view, env, app_id), which)

    def add_urls(self, env: str, app_id: str, which: str, urls: builtins.list[str]) -> None:
        self._set_urls(env, app_id, which, lambda old: _dedupe([*old, *_check_urls(urls)]))

    def replace_urls(self, env: str, app_id: str, which: str, urls: builtins.list[str]) -> None:
        self._set_urls(env, app_id, which, lambda old: _dedupe(_check_urls(urls)))

    def delete_urls(self, env: str, app_id: str, which: str, urls: builtins.list[str]) -> None:
        # Removing a URL that is not there is a no-op, so a retried delete succeeds.
        self._set_urls(env, app_id, which, lambda old: tuple(u for u in old if u not in set(urls)))

    def _set_urls(self, env: str, app_id: str, which: str, change: Any) -> None:
        assert which in URL_LISTS
        with self._store.write() as tx:
            app = _find(tx, env, app_id)
            new = change(getattr(app, which))
            tx.put(env, "applications", attrs.evolve(app, **{which: new}))


def _check_urls(urls: builtins.list[str]) -> builtins.list[str]:
    for url in urls:
        if not url or any(ch.isspace() for ch in url):
            raise StoreError("INVALID_URL", f"Invalid URL: {url!r}")
    return urls


def _dedupe(urls: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(urls))

