"""APIs, their scopes, which applications they authorize, and app scope grants."""
from __future__ import annotations

import builtins

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import Api, ApiScope, Application
from kinde_iac.emulator.store.tables import Tx, View, require


@attrs.frozen
class ApiDetail:
    api: Api
    scopes: list[ApiScope]
    applications: list[Application]  # the authorized ones


def find_api(view: View, env: str, api_id: str) -> Api:
    return require(view, env, "apis", api_id, "API_NOT_FOUND", "API not found")


def find_scope(view: View, env: str, api_id: str, scope_id: str) -> ApiScope:
    scope = require(view, env, "api_scopes", scope_id, "SCOPE_NOT_FOUND", "Scope not found")
    if scope.api_id != api_id:
        raise StoreError("SCOPE_NOT_FOUND", "Scope not found")
    return scope


def _protect(api: Api, action: str) -> None:
    if api.is_management_api:
        raise StoreError("MANAGEMENT_API_PROTECTED", f"The Kinde Management API cannot be {action}")


class Apis:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> builtins.list[tuple[Api, builtins.list[ApiScope]]]:
        """Every API with its scopes, "sorted by name" as the spec says."""
        with self._store.read() as view:
            apis = sorted(view.table(env, "apis").values(), key=lambda a: (a.name.casefold(), a.seq))
            return [(api, self._scopes(view, env, api.id)) for api in apis]

    def get(self, env: str, api_id: str) -> ApiDetail:
        with self._store.read() as view:
            api = find_api(view, env, api_id)
            apps = view.table(env, "applications")
            authorized = [apps[a] for a in api.authorized_app_ids if a in apps]
            return ApiDetail(api, self._scopes(view, env, api_id), authorized)

    def create(self, env: str, *, name: str | None, audience: str | None, reserved_audience: str) -> Api:
        """``reserved_audience`` is the management API's audience on the host the client used."""
        name = rules.required(name, "name", max_len=64)
        audience = rules.required(audience, "audience", max_len=64)
        with self._store.write() as tx:
            taken = {a.audience for a in tx.table(env, "apis").values() if not a.is_management_api}
            if audience in taken or audience == reserved_audience:
                raise StoreError("API_AUDIENCE_ALREADY_EXISTS", f"An API with audience {audience} already exists")
            return tx.put(env, "apis", Api(id=ids.api_id(), name=name, audience=audience, seq=tx.next_seq()))

    def delete(self, env: str, api_id: str) -> None:
        """Cascades as Kinde does: the API's scopes (and so their role and API-key links),
        its authorizations, and the API keys bound to it."""
        with self._store.write() as tx:
            _protect(find_api(tx, env, api_id), "deleted")
            for scope in [s for s in tx.table(env, "api_scopes").values() if s.api_id == api_id]:
                _delete_scope(tx, env, scope.id)
            for key in [k for k in tx.table(env, "api_keys").values() if k.api_id == api_id]:
                tx.delete(env, "api_keys", key.id)
            tx.delete(env, "apis", api_id)

    def authorize(self, env: str, api_id: str, changes: builtins.list[tuple[str, bool]]) -> tuple[builtins.list[str], builtins.list[str]]:
        """Apply (client id, revoke?) pairs; returns (connected, disconnected) client ids.
        Idempotent: authorizing an authorized app or revoking an unauthorized one is reported
        but changes nothing."""
        with self._store.write() as tx:
            api = find_api(tx, env, api_id)
            apps = tx.table(env, "applications")
            for app_id, _ in changes:
                if app_id not in apps:
                    raise StoreError("APPLICATION_NOT_FOUND", f"Application not found: {app_id}")
            authorized = list(api.authorized_app_ids)
            connected, disconnected = [], []
            for app_id, revoke in changes:
                if revoke:
                    if app_id in authorized:
                        authorized.remove(app_id)
                    disconnected.append(app_id)
                else:
                    if app_id not in authorized:
                        authorized.append(app_id)
                    connected.append(app_id)
            grants = tuple(g for g in api.app_scope_grants if g[0] in authorized)
            tx.put(env, "apis", attrs.evolve(api, authorized_app_ids=tuple(authorized), app_scope_grants=grants))
            return connected, disconnected

    # -- scopes --------------------------------------------------------------------------------

    def scopes(self, env: str, api_id: str) -> builtins.list[ApiScope]:
        with self._store.read() as view:
            find_api(view, env, api_id)
            return self._scopes(view, env, api_id)

    def scope(self, env: str, api_id: str, scope_id: str) -> ApiScope:
        with self._store.read() as view:
            find_api(view, env, api_id)
            return find_scope(view, env, api_id, scope_id)

    def create_scope(self, env: str, api_id: str, *, key: str | None, description: str | None) -> ApiScope:
        key = rules.key(key, "key", max_len=64, code="INVALID_SCOPE_KEY")
        with self._store.write() as tx:
            _protect(find_api(tx, env, api_id), "changed")
            if any(s.key == key for s in self._scopes(tx, env, api_id)):
                raise StoreError("SCOPE_KEY_ALREADY_EXISTS", f"Scope {key} already exists for this API")
            scope = ApiScope(id=ids.api_scope_id(), api_id=api_id, key=key, seq=tx.next_seq(),
                             description=description or None)
            return tx.put(env, "api_scopes", scope)

    def update_scope(self, env: str, api_id: str, scope_id: str, *, description: str | None) -> ApiScope:
        """Only the description is editable. Absent or empty, it leaves the old one in place, as
        Kinde does for role and permission descriptions: a description cannot be cleared."""
        with self._store.write() as tx:
            find_api(tx, env, api_id)
            scope = find_scope(tx, env, api_id, scope_id)
            if not description:
                return scope
            return tx.put(env, "api_scopes", attrs.evolve(scope, description=description))

    def delete_scope(self, env: str, api_id: str, scope_id: str) -> None:
        with self._store.write() as tx:
            find_api(tx, env, api_id)
            find_scope(tx, env, api_id, scope_id)
            _delete_scope(tx, env, scope_id)

    def grant_app_scope(self, env: str, api_id: str, app_id: str, scope_id: str, *, grant: bool) -> None:
        with self._store.write() as tx:
            api = find_api(tx, env, api_id)
            require(tx, env, "applications", app_id, "APPLICATION_NOT_FOUND", "Application not found")
            find_scope(tx, env, api_id, scope_id)
            pair = (app_id, scope_id)
            if grant and app_id not in api.authorized_app_ids:
                raise StoreError("APPLICATION_NOT_AUTHORIZED", "The application is not authorized for this API")
            grants = [g for g in api.app_scope_grants if g != pair] + ([pair] if grant else [])
            tx.put(env, "apis", attrs.evolve(api, app_scope_grants=tuple(grants)))

    @staticmethod
    def _scopes(view: View, env: str, api_id: str) -> builtins.list[ApiScope]:
        return [s for s in view.records(env, "api_scopes") if s.api_id == api_id]


def _delete_scope(tx: Tx, env: str, scope_id: str) -> None:
    """Remove a scope and every link to it (roles, app grants, API keys)."""
    for role in tx.records(env, "roles"):
        if scope_id in role.scope_ids:
            tx.put(env, "roles", attrs.evolve(role, scope_ids=tuple(s for s in role.scope_ids if s != scope_id)))
    for api in tx.records(env, "apis"):
        if any(g[1] == scope_id for g in api.app_scope_grants):
            tx.put(env, "apis", attrs.evolve(
                api, app_scope_grants=tuple(g for g in api.app_scope_grants if g[1] != scope_id)))
    for key in tx.records(env, "api_keys"):
        if scope_id in key.scope_ids:
            tx.put(env, "api_keys", attrs.evolve(key, scope_ids=tuple(s for s in key.scope_ids if s != scope_id)))
    tx.delete(env, "api_scopes", scope_id)
