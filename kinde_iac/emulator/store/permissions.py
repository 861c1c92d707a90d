"""Permissions (the role-linked kind: key, name, description)."""
from __future__ import annotations

from typing import Any

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import Permission
from kinde_iac.emulator.store.tables import View, require


def find_permission(view: View, env: str, permission_id: str) -> Permission:
    return require(view, env, "permissions", permission_id, "PERMISSION_NOT_FOUND", "Permission not found")


def _check_key_free(view: View, env: str, key: str, permission_id: str | None = None) -> None:
    if any(p.id != permission_id for p in view.find(env, "permissions", "key", key)):
        raise StoreError("PERMISSION_KEY_ALREADY_EXISTS", f"A permission with key {key} already exists")


class Permissions:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> list[Permission]:
        with self._store.read() as view:
            return view.records(env, "permissions")

    def create(self, env: str, *, key: str | None, name: str | None, description: str | None) -> Permission:
        key = rules.key(key, max_len=128)
        name = rules.required(name, "name", max_len=128)
        with self._store.write() as tx:
            _check_key_free(tx, env, key)
            perm = Permission(id=ids.permission_id(), key=key, name=name, seq=tx.next_seq(),
                              description=description or None)
            return tx.put(env, "permissions", perm)

    def update(self, env: str, permission_id: str, *, key: str | None, name: str | None,
               description: str | None) -> Permission:
        """Only the given fields change; an empty description is ignored as Kinde does."""
        with self._store.write() as tx:
            perm = find_permission(tx, env, permission_id)
            changes: dict[str, Any] = {}
            if key is not None:
                changes["key"] = rules.key(key, max_len=128)
                _check_key_free(tx, env, changes["key"], permission_id)
            if name:
                changes["name"] = rules.required(name, "name", max_len=128)
            if description:
                changes["description"] = description
            return tx.put(env, "permissions", attrs.evolve(perm, **changes))

    def delete(self, env: str, permission_id: str) -> None:
        with self._store.write() as tx:
            find_permission(tx, env, permission_id)
            for role in tx.records(env, "roles"):
                if permission_id in role.permission_ids:
                    tx.put(env, "roles", attrs.evolve(
                        role, permission_ids=tuple(p for p in role.permission_ids if p != permission_id)))
            tx.delete(env, "permissions", permission_id)
