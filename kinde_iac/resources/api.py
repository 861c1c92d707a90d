"""APIs: ``api.<key>``, natural key ``audience``. Kinde has no update endpoint, so a new name or
audience replaces the API (and with it its scopes and authorizations)."""
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
    set_diff,
    slug,
)

PATH = "/api/v1/apis"


class ApiKind(Kind):
    name = "api"
    reads_after = ("application",)
    config_section = "apis"
    fields = (
        Field("name", replace=True),
        Field("audience", replace=True),
        Field("applications", is_set=True, ref_kind="application"),
    )

    def desired(self, workspace: Workspace) -> list[Resource]:
        return [
            Resource(
                kind=self.name, key=a.key, natural=(a.audience,), protect=a.protect,
                depends_on=tuple(f"application.{k}" for k in a.applications),
                attributes={"name": a.name, "audience": a.audience, "applications": sorted(set(a.applications))},
            )
            for a in workspace.apis
        ]

    def default_key(self, natural: tuple[str, ...]) -> str:
        # Audiences are usually URLs; the host and path make a readable key.
        return slug(natural[0].split("://", 1)[-1].replace("/", "-"))

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        return compact({"key": resource.key, **resource.attributes})

    def read(self, ctx: ReadContext) -> list[Resource]:
        items = [i for i in ctx.client.paginate(PATH, "apis", paged=False) if not i.get("is_management_api")]
        relevant = [i for i in items if ctx.is_relevant(self.name, (i["audience"],), i["id"])]
        apps = dict(zip((i["id"] for i in relevant), ctx.map(lambda i: self._apps(ctx, i["id"]), relevant)))
        return [
            Resource(
                kind=self.name, key=ctx.key_for(self.name, (i["audience"],), i["id"]), natural=(i["audience"],),
                kinde_id=i["id"],
                attributes={"name": i.get("name"), "audience": i["audience"], "applications": apps.get(i["id"])},
            )
            for i in items
        ]

    def _apps(self, ctx: ReadContext, api_id: str) -> list[str]:
        api = ctx.client.get(f"{PATH}/{api_id}").get("api") or {}
        keys = []
        for app in api.get("applications") or []:
            if app.get("is_active") is False or app.get("id") == ctx.own_client_id:
                continue
            live = ctx.live_by_id("application", app["id"])
            keys.append(live.key if live else app["id"])
        return sorted(keys)

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        return find_id(ctx, PATH, "apis", "audience", resource.natural[0], paged=False)

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        reply = ctx.client.post(PATH, json={"name": a["name"], "audience": a["audience"]})
        api_id = (reply.get("api") or {}).get("id") or self.find(ctx, resource)
        ctx.record_created(resource, api_id, {**a, "applications": []})
        if a["applications"]:
            self.update(ctx, resource, api_id, {"applications": []}, frozenset({"applications"}))
        return api_id

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        add, remove = set_diff(before.get("applications"), resource.attributes["applications"])
        ops: list[dict[str, Any]] = [{"id": ctx.id_of(f"application.{k}")} for k in add]
        for k in remove:
            try:
                ops.append({"id": ctx.id_of(f"application.{k}"), "operation": "delete"})
            except KeyError:
                ops.append({"id": k, "operation": "delete"})  # an unmanaged app, named by its id
        if ops:
            # Authorizing twice or revoking a revoked app changes nothing, so a lost reply may be retried.
            ctx.client.patch(f"{PATH}/{kinde_id}/applications", json={"applications": ops}, retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")
