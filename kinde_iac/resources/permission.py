"""Permissions: ``permission.<key>``, natural key ``key``; no get-by-id in Kinde, so reads list."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
    find_id,
)
from kinde_iac.resources.checks import duplicates, key_problem, name_problem
from kinde_iac.resources.kind_config import Issue, WorkspaceView

PATH = "/api/v1/permissions"
SECTION = "permissions"


# One entry of "permissions" (also written inline in a role's permissions by the seed guide).
@attrs.frozen
class Permission:
    key: str
    name: str | None = None
    description: str | None = None
    protect: bool = False


class PermissionKind(Kind):
    name = "permission"
    config_section = SECTION
    entry_type = Permission
    # Kinde's PATCH takes a new key, so a permission moved to a new key keeps its id and role links.
    natural_fields = ("key",)
    fields = (
        Field("key"),
        Field("name", unclearable=True),
        Field("description", unclearable=True),
    )

    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        perms: tuple[Permission, ...] = self.entries(workspace)
        for i, perm in enumerate(perms):
            if problem := key_problem(perm.key, what="permission key"):
                yield (SECTION, i, "key"), problem
            if problem := name_problem(perm.name, required=False):
                yield (SECTION, i, "name"), problem
        yield from duplicates(workspace, "permission key", [((SECTION, i), p.key) for i, p in enumerate(perms)])

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        perms: tuple[Permission, ...] = self.entries(workspace)
        return [
            Resource(
                kind=self.name, key=p.key, natural=(p.key,), protect=p.protect,
                attributes={"key": p.key, "name": p.name if p.name is not None else p.key,
                            "description": p.description},
            )
            for p in perms
        ]

    def _from_live(self, ctx: ReadContext, item: Mapping[str, Any]) -> Resource:
        natural = (item["key"],)
        return Resource(
            kind=self.name, key=ctx.key_for(self.name, natural, item["id"]), natural=natural,
            kinde_id=item["id"],
            attributes={"key": item["key"], "name": item.get("name"), "description": item.get("description") or None},
        )

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        a = resource.attributes
        return compact({"key": resource.natural[0], "name": a.get("name"), "description": a.get("description")},
                       {"name": resource.natural[0]})

    def read(self, ctx: ReadContext) -> list[Resource]:
        return [self._from_live(ctx, item) for item in ctx.client.paginate(PATH, "permissions")]

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        return find_id(ctx, PATH, "permissions", "key", resource.natural[0])

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        body = {"key": resource.natural[0], "name": a["name"]}
        if a.get("description"):
            body["description"] = a["description"]
        reply = ctx.client.post(PATH, json=body)
        # The spec promises no id here (NOTES 5.7); fall back to finding it by key.
        kinde_id = (reply.get("permission") or {}).get("id") or self.find(ctx, resource)
        return kinde_id

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        a = resource.attributes
        body: dict[str, Any] = {"name": a["name"], "key": resource.natural[0]}
        if a.get("description") is not None:
            body["description"] = a["description"]
        ctx.client.patch(f"{PATH}/{kinde_id}", json=body, retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")
