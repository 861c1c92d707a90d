"""Environment variables (per environment; secret values are write-only)."""
from __future__ import annotations

from typing import Any

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import EnvVar
from kinde_iac.emulator.store.tables import View, require

KEY_MAX = 128  # from the spec's field descriptions
VALUE_MAX = 2048


def find_env_var(view: View, env: str, variable_id: str) -> EnvVar:
    return require(view, env, "env_vars", variable_id, "ENVIRONMENT_VARIABLE_NOT_FOUND",
                   "Environment variable not found")


def _check_key_free(view: View, env: str, key: str, variable_id: str | None = None) -> None:
    if any(v.id != variable_id for v in view.find(env, "env_vars", "key", key)):
        raise StoreError("ENVIRONMENT_VARIABLE_KEY_ALREADY_EXISTS",
                         f"An environment variable with key {key} already exists")


def _value(value: str | None) -> str:
    if value is None:
        raise StoreError("VALUE_REQUIRED", "value is required")
    if len(value) > VALUE_MAX:
        raise StoreError("INVALID_VALUE", f"value must be at most {VALUE_MAX} characters")
    return value


class EnvVars:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> list[EnvVar]:
        with self._store.read() as view:
            return view.records(env, "env_vars")

    def get(self, env: str, variable_id: str) -> EnvVar:
        with self._store.read() as view:
            return find_env_var(view, env, variable_id)

    def create(self, env: str, *, key: str | None, value: str | None, is_secret: bool | None) -> EnvVar:
        key = rules.key(key, max_len=KEY_MAX)
        value = _value(value)
        with self._store.write() as tx:
            _check_key_free(tx, env, key)
            var = EnvVar(id=ids.env_var_id(), key=key, value=value, is_secret=bool(is_secret),
                         created_on=ids.now_iso(), seq=tx.next_seq())
            return tx.put(env, "env_vars", var)

    def update(self, env: str, variable_id: str, *, key: str | None, value: str | None,
               is_secret: bool | None) -> EnvVar:
        with self._store.write() as tx:
            var = find_env_var(tx, env, variable_id)
            changes: dict[str, Any] = {}
            if key is not None:
                changes["key"] = new_key = rules.key(key, max_len=KEY_MAX)
                _check_key_free(tx, env, new_key, variable_id)
            if value is not None:
                changes["value"] = _value(value)
            if is_secret is not None:
                if var.is_secret and not is_secret:
                    # Kinde: a sensitive value is "not-readable by you or your team after
                    # creation"; un-hiding it would reveal it.
                    raise StoreError("INVALID_IS_SECRET", "A secret environment variable cannot be made non-secret")
                changes["is_secret"] = is_secret
            return tx.put(env, "env_vars", attrs.evolve(var, **changes))

    def delete(self, env: str, variable_id: str) -> None:
        with self._store.write() as tx:
            find_env_var(tx, env, variable_id)
            tx.delete(env, "env_vars", variable_id)
