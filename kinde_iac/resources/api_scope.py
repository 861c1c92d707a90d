"""API scopes: ``api_scope.<api key>/<scope key>``, natural key (audience, key). Only the
description can be updated; a new key is a new scope. Scopes are written inside their API's config
entry (``apis[].scopes``), which the api kind models and checks."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kinde_iac.jsonpath import JsonPath
from kinde_iac.resources.api import SECTION as APIS
from kinde_iac.resources.api import Api, listed_apis
from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
)
from kinde_iac.resources.kind_config import WorkspaceView


def _api_path(api_id: str) -> str:
    return f"/api/v1/apis/{api_id}/scopes"


class ApiScopeKind(Kind):
    name = "api_scope"
    reads_after = ("api",)
    parent_kind = "api"
    nested_field = "scopes"
    fields = (Field("description", unclearable=True),)

    def config_addresses(self, workspace: WorkspaceView) -> Iterator[tuple[str, JsonPath]]:
        apis: tuple[Api, ...] = workspace.section(APIS)
        for i, api in enumerate(apis):
            for j, scope in enumerate(api.scopes):
                yield f"{self.name}.{api.key}/{scope.key}", (APIS, i, "scopes", j)

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        apis: tuple[Api, ...] = workspace.section(APIS)
        out = []
        for api in apis:
            for s in api.scopes:
                out.append(Resource(
                    kind=self.name, key=f"{api.key}/{s.key}", natural=(api.audience, s.key), protect=api.protect,
                    depends_on=(f"api.{api.key}",), attributes={"description": s.description},
                ))
        return out

    def default_key(self, natural: tuple[str, ...]) -> str:
        return natural[-1]

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        return compact({"key": resource.natural[1], "description": resource.attributes.get("description")})

    def read(self, ctx: ReadContext) -> list[Resource]:
        # By the APIs' ids, not the api kind's objects: scopes are read alongside the APIs' own reads.
        reads = ctx.sub_lists("api", [lambda api_id: ctx.client.get_list(_api_path(api_id), "scopes")])
        apis = [a for a in listed_apis(ctx) if ctx.is_relevant("api", (a["audience"],), a["id"])]
        lists = reads.collect(a["id"] for a in apis)
        out = []
        for api in apis:
            (scopes,) = lists[api["id"]]
            api_key = ctx.key_for("api", (api["audience"],), api["id"])
            for s in scopes:
                natural = (api["audience"], s["key"])
                key = ctx.key_for(self.name, natural, s["id"])
                if "/" not in key:
                    key = f"{api_key}/{key}"
                out.append(Resource(kind=self.name, key=key, natural=natural, kinde_id=s["id"],
                                    depends_on=(f"api.{api_key}",), attributes={"description": s.get("description")}))
        return out

    def _api_id(self, ctx: WriteContext, resource: Resource) -> str:
        return ctx.id_of(resource.depends_on[0])

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        for s in ctx.client.get_list(_api_path(self._api_id(ctx, resource)), "scopes"):
            if s.get("key") == resource.natural[1]:
                return s["id"]
        return None

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        body = {"key": resource.natural[1]}
        if resource.attributes.get("description") is not None:
            body["description"] = resource.attributes["description"]
        reply = ctx.client.post(_api_path(self._api_id(ctx, resource)), json=body)
        return (reply.get("scope") or {}).get("id") or self.find(ctx, resource)

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        ctx.client.patch(f"{_api_path(self._api_id(ctx, resource))}/{kinde_id}",
                         json={"description": resource.attributes["description"] or ""}, retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        try:
            api_id = self._api_id(ctx, resource)
        except (KeyError, IndexError):
            return  # the API is gone, and its scopes went with it
        delete_if_present(ctx, f"{_api_path(api_id)}/{kinde_id}")
