"""API keys: the secret is shown once (create, rotate) and stored only as a hash."""
from __future__ import annotations

import builtins
import hashlib
import hmac
from typing import Any

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import ApiKey
from kinde_iac.emulator.store.tables import View, require

KEY_TYPES = ("user", "organization", "environment")
REVOKED = "revoked"


@attrs.frozen
class ApiKeyView:
    key: ApiKey
    scope_keys: list[str]


@attrs.frozen
class Verification:
    environment: str
    key: ApiKey
    scope_keys: list[str]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def find_key(view: View, env: str, key_id: str) -> ApiKey:
    return require(view, env, "api_keys", key_id, "API_KEY_NOT_FOUND", "API key not found")


def _scope_keys(view: View, env: str, key: ApiKey) -> list[str]:
    scopes = view.table(env, "api_scopes")
    return [scopes[s].key for s in key.scope_ids if s in scopes]


def _secret_parts(secret: str) -> dict[str, Any]:
    # "The first 6 characters of the API key" / "The last 4 characters" (spec field descriptions).
    return {"key_hash": _hash(secret), "key_prefix": secret[:6], "key_suffix": secret[-4:]}


class ApiKeys:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> builtins.list[ApiKeyView]:
        with self._store.read() as view:
            return [ApiKeyView(k, _scope_keys(view, env, k)) for k in view.records(env, "api_keys")]

    def get(self, env: str, key_id: str) -> ApiKeyView:
        with self._store.read() as view:
            key = find_key(view, env, key_id)
            return ApiKeyView(key, _scope_keys(view, env, key))

    def create(self, env: str, *, name: str | None, type: str | None, api_id: str | None,
               scope_ids: builtins.list[str] | None, user_id: str | None, org_code: str | None) -> tuple[ApiKey, str]:
        """Returns the key and its secret (the only time the secret exists outside a hash).
        ``scope_ids`` are scope ids of ``api_id`` (the spec's reading; the docs pass keys)."""
        name = rules.required(name, "name", max_len=128)
        if type not in KEY_TYPES:
            raise StoreError("INVALID_TYPE", f"type must be one of {', '.join(KEY_TYPES)}")
        if not api_id:
            raise StoreError("API_ID_REQUIRED", "api_id is required")
        with self._store.write() as tx:
            require(tx, env, "apis", api_id, "API_NOT_FOUND", "API not found")
            scopes = tx.table(env, "api_scopes")
            for scope_id in scope_ids or ():
                if scope_id not in scopes or scopes[scope_id].api_id != api_id:
                    raise StoreError("SCOPE_NOT_FOUND", f"Scope not found for this API: {scope_id}")
            if type == "user" and not user_id:
                # "The ID of the user to associate with this API key (for user-level keys)".
                raise StoreError("USER_ID_REQUIRED", "user_id is required for a user API key")
            secret = ids.api_key_secret()
            key = ApiKey(id=ids.api_key_id(), name=name, type=type, api_id=api_id, status="active",
                         created_on=ids.now_iso(), seq=tx.next_seq(), scope_ids=tuple(dict.fromkeys(scope_ids or ())),
                         user_id=user_id, org_code=org_code, **_secret_parts(secret))
            return tx.put(env, "api_keys", key), secret

    def rotate(self, env: str, key_id: str) -> tuple[ApiKey, str]:
        """A new secret for the same key id; the old secret stops verifying at once."""
        with self._store.write() as tx:
            key = find_key(tx, env, key_id)
            if key.status == REVOKED:
                raise StoreError("API_KEY_REVOKED", "A revoked API key cannot be rotated")
            secret = ids.api_key_secret()
            return tx.put(env, "api_keys", attrs.evolve(key, **_secret_parts(secret))), secret

    def revoke(self, env: str, key_id: str) -> None:
        """``DELETE`` revokes, as Kinde's docs describe it: the key stays listed with status
        ``revoked`` and never verifies again. Revoking a revoked key changes nothing."""
        with self._store.write() as tx:
            key = find_key(tx, env, key_id)
            if key.status != REVOKED:
                tx.put(env, "api_keys", attrs.evolve(key, status=REVOKED))

    def verify(self, secret: str, *, ip: str | None) -> Verification | None:
        """Look the secret up in every environment (the endpoint is public, so no token says
        which); a hit records the verification. None when no key has this secret."""
        wanted = _hash(secret)
        with self._store.write() as tx:
            for env in tx.environment_scopes():
                for key in tx.table(env, "api_keys").values():
                    if hmac.compare_digest(key.key_hash, wanted):
                        key = tx.put(env, "api_keys", attrs.evolve(
                            key, last_verified_on=ids.now_iso(), last_verified_ip=ip,
                            verification_count=key.verification_count + 1))
                        return Verification(env, key, _scope_keys(tx, env, key))
            return None
