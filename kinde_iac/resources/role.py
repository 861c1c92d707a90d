"""Roles: ``role.<key>``, with their permission set and API scope set as attributes."""
from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from kinde_iac.jsonpath import JsonPath, quote
from kinde_iac.resources.api import api_keys, scope_keys
from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
    find_id,
    ignore_not_found,
    set_diff,
)
from kinde_iac.resources.checks import duplicates, key_problem, name_problem
from kinde_iac.resources.kind_config import ConfigEntry, Issue, SchemaRefs, WorkspaceView
from kinde_iac.resources.permission import SECTION as PERMISSIONS
from kinde_iac.resources.permission import Permission

PATH = "/api/v1/roles"
SECTION = "roles"
#: Kinde's limit for objects in one bulk PATCH (NOTES section 3).
BATCH = 100


# One entry of "roles".
@attrs.frozen
class Role:
    key: str
    name: str
    description: str | None = None
    is_default_role: bool = False
    #: Permission keys.
    permissions: tuple[str, ...] = ()
    #: API scopes as ``<api key>/<scope key>``.
    scopes: tuple[str, ...] = ()
    protect: bool = False


class RoleKind(Kind):
    name = "role"
    config_section = SECTION
    entry_type = Role
    # Role scope links carry api_id and key, so only the APIs must be read first.
    reads_after = ("api",)
    # Kinde's PATCH takes a new key, so a role moved to a new key keeps its id, users and links.
    natural_fields = ("key",)
    fields = (
        Field("key"),
        Field("name"),
        Field("description", unclearable=True),
        Field("is_default_role"),
        Field("permissions", is_set=True, ref_kind="permission"),
        Field("scopes", is_set=True, ref_kind="api_scope"),
    )

    # -- config ---------------------------------------------------------------------------------
    def normalise_entry(self, entry: ConfigEntry) -> None:
        """The seed guide defines permissions inline (``{key, name, description}``): the role keeps
        the key, and the object defines the permission."""
        perms = entry.data.get("permissions")
        if not isinstance(perms, list):
            return
        for j, perm in enumerate(perms):
            if isinstance(perm, dict):
                if "key" not in perm:
                    raise entry.error('an inline permission needs a "key"', "permissions", j)
                entry.define_inline("permissions", j, PERMISSIONS)

    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        perm_keys = {p.key for p in workspace.section(PERMISSIONS)}
        scopes = scope_keys(workspace)
        roles: tuple[Role, ...] = self.entries(workspace)
        for i, role in enumerate(roles):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(role.key, what="role key"):
                yield base + ("key",), problem
            if problem := name_problem(role.name):
                yield base + ("name",), problem
            for j, perm in enumerate(role.permissions):
                if perm not in perm_keys:
                    yield base + ("permissions", j), f'permission {quote(perm)} is not defined in "permissions"'
            for j, ref in enumerate(role.scopes):
                api_key, sep, scope_key = ref.partition("/")
                if not sep or not api_key or not scope_key:
                    yield base + ("scopes", j), f'expected "<api key>/<scope key>", got {quote(ref)}'
                elif api_key not in scopes:
                    yield base + ("scopes", j), f'api {quote(api_key)} is not defined in "apis"'
                elif scope_key not in scopes[api_key]:
                    yield base + ("scopes", j), f"scope {quote(scope_key)} is not defined in api {quote(api_key)}"
        yield from duplicates(workspace, "role key", [((SECTION, i), r.key) for i, r in enumerate(roles)])

    def adjust_schema(self, schema: dict[str, Any], refs: SchemaRefs, partial: bool) -> dict[str, Any]:
        items = {"anyOf": [{"type": "string"}, refs.ref(Permission)]}
        schema["properties"]["permissions"] = {"type": "array", "items": items}
        return schema

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        roles: tuple[Role, ...] = self.entries(workspace)
        out = []
        for r in roles:
            deps = tuple(f"permission.{p}" for p in r.permissions) + tuple(f"api_scope.{s}" for s in r.scopes)
            out.append(Resource(
                kind=self.name, key=r.key, natural=(r.key,), protect=r.protect, depends_on=deps,
                attributes={
                    "key": r.key, "name": r.name, "description": r.description, "is_default_role": r.is_default_role,
                    "permissions": sorted(set(r.permissions)), "scopes": sorted(set(r.scopes)),
                },
            ))
        return out

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        a = resource.attributes
        return compact({"key": resource.natural[0], "name": a.get("name"), "description": a.get("description"),
                        "is_default_role": a.get("is_default_role"), "permissions": a.get("permissions"),
                        "scopes": a.get("scopes")}, {"is_default_role": False})

    def read(self, ctx: ReadContext) -> list[Resource]:
        # Both sub-lists of a role go out together, with the list when the state knows the role; a
        # scope names its API by id, turned into a key afterwards from the APIs' list.
        reads = ctx.sub_lists(self.name, [functools.partial(_permissions, ctx), functools.partial(_scopes, ctx)])
        items = list(ctx.client.paginate(PATH, "roles"))
        links = reads.collect(i["id"] for i in items if ctx.is_relevant(self.name, (i["key"],), i["id"]))
        apis = api_keys(ctx) if any(scopes for _, scopes in links.values()) else {}
        out = []
        for item in items:
            natural = (item["key"],)
            perms, scopes = links.get(item["id"], (None, None))
            out.append(Resource(
                kind=self.name, key=ctx.key_for(self.name, natural, item["id"]), natural=natural,
                kinde_id=item["id"],
                attributes={
                    "key": item["key"], "name": item.get("name"), "description": item.get("description") or None,
                    "is_default_role": bool(item.get("is_default_role")),
                    "permissions": perms,
                    "scopes": None if scopes is None else sorted(
                        f"{apis.get(api_id) or api_id or 'unknown-api'}/{key}" for api_id, key in scopes),
                },
            ))
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        return find_id(ctx, PATH, "roles", "key", resource.natural[0])

    def _body(self, resource: Resource) -> dict[str, Any]:
        a = resource.attributes
        body = {"key": resource.natural[0], "name": a["name"], "is_default_role": a["is_default_role"]}
        if a.get("description") is not None:
            body["description"] = a["description"]
        return body

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        reply = ctx.client.post(PATH, json=self._body(resource))
        role_id = (reply.get("role") or {}).get("id") or self.find(ctx, resource)
        ctx.record_created(resource, role_id, {**resource.attributes, "permissions": [], "scopes": []})
        self._sync_links(ctx, resource, role_id, {"permissions": [], "scopes": []})
        return role_id

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        if changed & {"key", "name", "description", "is_default_role"}:
            ctx.client.patch(f"{PATH}/{kinde_id}", json=self._body(resource), retry_ambiguous=True)
        if changed & {"permissions", "scopes"}:
            self._sync_links(ctx, resource, kinde_id, before)

    def _sync_links(self, ctx: WriteContext, resource: Resource, role_id: str | None,
                    before: Mapping[str, Any]) -> None:
        add, remove = set_diff(before.get("permissions"), resource.attributes["permissions"])
        ops = [{"id": ctx.id_of(f"permission.{k}")} for k in add]
        for k in remove:
            try:
                ops.append({"id": ctx.id_of(f"permission.{k}"), "operation": "delete"})
            except KeyError:
                pass  # the permission itself is gone, and its links with it
        for start in range(0, len(ops), BATCH):
            # Re-adding a present link or removing an absent one is harmless, so a lost reply may be retried.
            ctx.client.patch(f"{PATH}/{role_id}/permissions",
                             json={"permissions": ops[start:start + BATCH]}, retry_ambiguous=True)
        add, remove = set_diff(before.get("scopes"), resource.attributes["scopes"])
        for k in add:
            # Linking a scope that is already linked changes nothing, so a lost reply may be retried.
            ctx.client.post(f"{PATH}/{role_id}/scopes", json={"scope_id": ctx.id_of(f"api_scope.{k}")},
                            retry_ambiguous=True)
        for k in remove:
            try:
                scope_id = ctx.id_of(f"api_scope.{k}")
            except KeyError:
                continue
            ignore_not_found(functools.partial(ctx.client.delete, f"{PATH}/{role_id}/scopes/{scope_id}", retry_ambiguous=True))

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")


def _permissions(ctx: ReadContext, role_id: str) -> list[str]:
    return sorted(p["key"] for p in ctx.client.paginate(f"{PATH}/{role_id}/permissions", "permissions"))


def _scopes(ctx: ReadContext, role_id: str) -> list[tuple[str, str]]:
    """(API id, scope key) of each scope the role grants."""
    return [(s.get("api_id") or "", s["key"]) for s in ctx.client.get_list(f"{PATH}/{role_id}/scopes", "scopes")]
