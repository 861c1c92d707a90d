"""Roles: ``role.<key>``, with their permission set and API scope set as attributes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kinde_iac.config.model import Workspace
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

PATH = "/api/v1/roles"
#: Kinde's limit for objects in one bulk PATCH (NOTES section 3).
BATCH = 100


class RoleKind(Kind):
    name = "role"
    config_section = "roles"
    # Role scope links carry api_id and key, so only the APIs must be read first.
    reads_after = ("api",)
    fields = (
        Field("name"),
        Field("description", unclearable=True),
        Field("is_default_role"),
        Field("permissions", is_set=True, ref_kind="permission"),
        Field("scopes", is_set=True, ref_kind="api_scope"),
    )

    def desired(self, workspace: Workspace) -> list[Resource]:
        out = []
        for r in workspace.roles:
            deps = tuple(f"permission.{p}" for p in r.permissions) + tuple(f"api_scope.{s}" for s in r.scopes)
            out.append(Resource(
                kind=self.name, key=r.key, natural=(r.key,), protect=r.protect, depends_on=deps,
                attributes={
                    "name": r.name, "description": r.description, "is_default_role": r.is_default_role,
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
        items = list(ctx.client.paginate(PATH, "roles"))
        relevant = [i for i in items if ctx.is_relevant(self.name, (i["key"],), i["id"])]
        links = dict(zip((i["id"] for i in relevant), ctx.map(lambda i: self._links(ctx, i["id"]), relevant)))
        out = []
        for item in items:
            natural = (item["key"],)
            perms, scopes = links.get(item["id"], (None, None))
            out.append(Resource(
                kind=self.name, key=ctx.key_for(self.name, natural, item["id"]), natural=natural,
                kinde_id=item["id"],
                attributes={
                    "name": item.get("name"), "description": item.get("description") or None,
                    "is_default_role": bool(item.get("is_default_role")),
                    "permissions": perms, "scopes": scopes,
                },
            ))
        return out

    def _links(self, ctx: ReadContext, role_id: str) -> tuple[list[str], list[str]]:
        perms = sorted(p["key"] for p in ctx.client.paginate(f"{PATH}/{role_id}/permissions", "permissions"))
        scopes = []
        for s in ctx.client.get(f"{PATH}/{role_id}/scopes").get("scopes") or []:
            api = ctx.live_by_id("api", s.get("api_id") or "")
            api_key = api.key if api else (s.get("api_id") or "unknown-api")
            scopes.append(f"{api_key}/{s['key']}")
        return perms, sorted(scopes)

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
        if changed & {"name", "description", "is_default_role"}:
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
            path = f"{PATH}/{role_id}/scopes/{scope_id}"
            ignore_not_found(lambda path=path: ctx.client.delete(path, retry_ambiguous=True))

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")
