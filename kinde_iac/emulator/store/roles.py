"""Roles, the permissions they grant and the API scopes attached to them."""
from __future__ import annotations

import builtins

import attrs

from kinde_iac.emulator import ids
from kinde_iac.emulator.errors import NotFound, StoreError
from kinde_iac.emulator.store import rules
from kinde_iac.emulator.store.core import Store
from kinde_iac.emulator.store.models import ApiScope, Permission, Role
from kinde_iac.emulator.store.tables import View, require

# PATCH /roles/{id}: this value clears assignment_permission_id; null leaves it unchanged.
NO_PERMISSION_REQUIRED = "NO_PERMISSION_REQUIRED"


def find_role(view: View, env: str, role_id: str) -> Role:
    return require(view, env, "roles", role_id, "ROLE_NOT_FOUND", "Role not found")


def _check_key_free(view: View, env: str, key: str, role_id: str | None = None) -> None:
    if any(r.id != role_id for r in view.find(env, "roles", "key", key)):
        raise StoreError("ROLE_KEY_ALREADY_EXISTS", f"A role with key {key} already exists")


def _description(new: str | None, old: str | None) -> str | None:
    # Kinde ignores an empty description: it cannot be cleared once set (NOTES §5.6).
    return new if new else old


class Roles:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self, env: str) -> builtins.list[Role]:
        with self._store.read() as view:
            return view.records(env, "roles")

    def get(self, env: str, role_id: str) -> Role:
        with self._store.read() as view:
            return find_role(view, env, role_id)

    def create(self, env: str, *, key: str | None, name: str | None, description: str | None,
               is_default_role: bool | None, assignment_permission_id: str | None) -> Role:
        # The spec marks no field required; a role without key or name is useless to Kinde too.
        key = rules.key(key, max_len=128)
        name = rules.required(name, "name", max_len=128)
        with self._store.write() as tx:
            _check_key_free(tx, env, key)
            role = Role(id=ids.role_id(), key=key, name=name, seq=tx.next_seq(),
                        description=description or None, is_default_role=bool(is_default_role),
                        assignment_permission_id=assignment_permission_id)
            return tx.put(env, "roles", role)

    def update(self, env: str, role_id: str, *, key: str | None, name: str | None, description: str | None,
               is_default_role: bool | None, assignment_permission_id: str | None) -> Role:
        key = rules.key(key, max_len=128)
        name = rules.required(name, "name", max_len=128)
        with self._store.write() as tx:
            role = find_role(tx, env, role_id)
            _check_key_free(tx, env, key, role_id)
            assignment = role.assignment_permission_id
            if assignment_permission_id == NO_PERMISSION_REQUIRED:
                assignment = None
            elif assignment_permission_id is not None:
                assignment = assignment_permission_id
            return tx.put(env, "roles", attrs.evolve(
                role, key=key, name=name, description=_description(description, role.description),
                is_default_role=role.is_default_role if is_default_role is None else is_default_role,
                assignment_permission_id=assignment))

    def delete(self, env: str, role_id: str) -> None:
        with self._store.write() as tx:
            find_role(tx, env, role_id)
            tx.delete(env, "roles", role_id)

    # -- permissions -------------------------------------------------------------------------

    def permissions(self, env: str, role_id: str) -> builtins.list[Permission]:
        with self._store.read() as view:
            role = find_role(view, env, role_id)
            perms = view.table(env, "permissions")
            return [perms[p] for p in role.permission_ids if p in perms]

    def update_permissions(self, env: str, role_id: str, changes: builtins.list[tuple[str, bool]]
                           ) -> tuple[builtins.list[str], builtins.list[str]]:
        """Apply (permission id, remove?) pairs; returns (added, removed) ids. Adding a linked
        permission or removing an unlinked one is reported and changes nothing, so a retried
        PATCH gives the same answer."""
        with self._store.write() as tx:
            role = find_role(tx, env, role_id)
            perms = tx.table(env, "permissions")
            for perm_id, remove in changes:
                if perm_id not in perms and not remove:
                    raise StoreError("INVALID_PERMISSION_ID", f"Permission not found: {perm_id}")
            linked = list(role.permission_ids)
            added, removed = [], []
            for perm_id, remove in changes:
                if remove:
                    if perm_id in linked:
                        linked.remove(perm_id)
                    removed.append(perm_id)
                else:
                    if perm_id not in linked:
                        linked.append(perm_id)
                    added.append(perm_id)
            tx.put(env, "roles", attrs.evolve(role, permission_ids=tuple(linked)))
            return added, removed

    def remove_permission(self, env: str, role_id: str, permission_id: str) -> None:
        """The codes the official Terraform provider tolerates when the link is already gone."""
        with self._store.write() as tx:
            role = find_role(tx, env, role_id)
            if permission_id not in tx.table(env, "permissions"):
                raise StoreError("INVALID_PERMISSION_ID", f"Permission not found: {permission_id}")
            if permission_id not in role.permission_ids:
                raise StoreError("INVALID_PERMISSION_ID_ROLE", "The permission is not assigned to this role")
            tx.put(env, "roles", attrs.evolve(
                role, permission_ids=tuple(p for p in role.permission_ids if p != permission_id)))

    # -- API scopes ----------------------------------------------------------------------------

    def scopes(self, env: str, role_id: str) -> builtins.list[ApiScope]:
        with self._store.read() as view:
            role = find_role(view, env, role_id)
            scopes = view.table(env, "api_scopes")
            return [scopes[s] for s in role.scope_ids if s in scopes]

    def add_scope(self, env: str, role_id: str, scope_id: str | None) -> None:
        if not scope_id:
            raise StoreError("SCOPE_ID_REQUIRED", "scope_id is required")
        with self._store.write() as tx:
            role = find_role(tx, env, role_id)
            require(tx, env, "api_scopes", scope_id, "SCOPE_NOT_FOUND", "Scope not found")
            if scope_id not in role.scope_ids:
                tx.put(env, "roles", attrs.evolve(role, scope_ids=(*role.scope_ids, scope_id)))

    def remove_scope(self, env: str, role_id: str, scope_id: str) -> None:
        with self._store.write() as tx:
            role = find_role(tx, env, role_id)
            if scope_id not in role.scope_ids:
                raise NotFound("ROLE_SCOPE_NOT_FOUND", "The scope is not attached to this role")
            tx.put(env, "roles", attrs.evolve(role, scope_ids=tuple(s for s in role.scope_ids if s != scope_id)))
