"""APIs: ``api.<key>``, natural key ``audience``. Kinde has no update endpoint, so a new name or
audience replaces the API (and with it its scopes and authorizations).

In config an API carries its scopes (the ``api_scope`` kind), written as strings or objects, and
may name an OpenAPI document whose operations generate more of them (docs/openapi-scopes.md)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from kinde_iac.errors import ConfigError
from kinde_iac.jsonpath import JsonPath, quote
from kinde_iac.resources.application import SECTION as APPLICATIONS
from kinde_iac.resources.application import application_keys
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
    slug_key,
)
from kinde_iac.resources.checks import duplicates, key_problem
from kinde_iac.resources.kind_config import ConfigEntry, Expansion, Issue, SchemaRefs, WorkspaceView

PATH = "/api/v1/apis"
SECTION = "apis"
NAME_MAX = 64
AUDIENCE_MAX = 64


# One scope of an API entry.
@attrs.frozen
class ApiScope:
    key: str
    description: str | None = None


# One entry of "apis".
@attrs.frozen
class Api:
    key: str
    name: str
    audience: str
    #: Scopes as written: a bare string is a key whose description is the key itself (as the seed
    #: script does); normalisation turns both forms into ApiScope.
    scopes: tuple[ApiScope, ...] = ()
    #: Keys of applications (in this config) authorized to call the API.
    applications: tuple[str, ...] = ()
    #: Path to an OpenAPI/Swagger document whose operations generate scopes (issue 7).
    openapi: str | None = None
    protect: bool = False


def scope_keys(workspace: WorkspaceView) -> dict[str, set[str]]:
    """API key -> its scope keys (hand-written and generated), for kinds that reference scopes."""
    return {api.key: {s.key for s in api.scopes} for api in workspace.section(SECTION)}


class ApiKind(Kind):
    name = "api"
    reads_after = ("application",)
    config_section = SECTION
    entry_type = Api
    file_fields = ("openapi",)
    natural_fields = ("audience",)
    fields = (
        Field("name", replace=True),
        Field("audience", replace=True),
        Field("applications", is_set=True, ref_kind="application"),
    )

    # -- config ---------------------------------------------------------------------------------
    def normalise_entry(self, entry: ConfigEntry) -> None:
        data = entry.data
        if "key" not in data and isinstance(data.get("audience"), str):
            # The same rule as default_key, so a keyless entry gets the address that drift and
            # export show for the live API.
            key = slug(data["audience"])
            if key:  # otherwise the converter reports the missing key
                entry.set_key(key, derived_from="audience")
        if isinstance(data.get("scopes"), list):
            entry.expand_strings("scopes", ("key", "description"))

    def expand(self, workspace: WorkspaceView) -> Expansion | None:
        """Each API's ``openapi`` document adds its generated scopes after the hand-written ones, so
        validation, roles and API keys see them like any other scope."""
        apis: tuple[Api, ...] = self.entries(workspace)
        if not any(api.openapi for api in apis):
            return None
        # Only here: the YAML parser is a start-up cost every other workspace should not pay.
        from kinde_iac.resources.openapi_scopes import OpenApiError, generate_from_file

        out, origins = [], {}
        for i, api in enumerate(apis):
            if not api.openapi:
                out.append(api)
                continue
            try:
                generation = generate_from_file(api.openapi)
            except OpenApiError as err:
                file, where = workspace.locate((SECTION, i, "openapi"))
                raise ConfigError(f"cannot generate scopes from OpenAPI document: {err}", file=file,
                                  path=where) from None
            hand_written = {s.key: j for j, s in enumerate(api.scopes)}
            for scope in generation.scopes:
                if scope.key in hand_written:
                    file, where = workspace.locate((SECTION, i, "scopes", hand_written[scope.key]))
                    raise ConfigError(
                        f"scope {quote(scope.key)} is written here and also generated from {api.openapi} "
                        f"({scope.method} {scope.path}); remove one of them", file=file, path=where)
                origins[f"api_scope.{api.key}/{scope.key}"] = (generation.source, scope.origin)
            generated = tuple(ApiScope(key=s.key, description=s.description) for s in generation.scopes)
            out.append(attrs.evolve(api, scopes=api.scopes + generated))
        return Expansion(entries=tuple(out), origins=origins)

    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        apps = {a.key for a in workspace.section(APPLICATIONS)}
        apis: tuple[Api, ...] = self.entries(workspace)
        for i, api in enumerate(apis):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(api.key, what="api key", slash=False):
                yield base + ("key",), problem
            if not api.name or len(api.name) > NAME_MAX:
                yield base + ("name",), f"api name must be 1 to {NAME_MAX} characters long"
            if not api.audience or len(api.audience) > AUDIENCE_MAX:
                yield base + ("audience",), f"audience must be 1 to {AUDIENCE_MAX} characters long"
            for j, scope in enumerate(api.scopes):
                if problem := key_problem(scope.key, what="scope key"):
                    yield base + ("scopes", j, "key"), problem
            scopes = [(base + ("scopes", j), s.key) for j, s in enumerate(api.scopes)]
            yield from duplicates(workspace, "scope key", scopes, within=f" in api {quote(api.key)}")
            for j, app in enumerate(api.applications):
                if app not in apps:
                    yield base + ("applications", j), f'application {quote(app)} is not defined in "applications"'
        yield from duplicates(workspace, "api key", [((SECTION, i), a.key) for i, a in enumerate(apis)])
        yield from duplicates(workspace, "api audience",
                              [((SECTION, i, "audience"), a.audience) for i, a in enumerate(apis)])

    def adjust_schema(self, schema: dict[str, Any], refs: SchemaRefs, partial: bool) -> dict[str, Any]:
        items = {"anyOf": [{"type": "string"}, refs.ref(ApiScope)]}
        schema["properties"]["scopes"] = {"type": "array", "items": items}
        # The key may be left out: it is derived from the audience.
        required = [r for r in schema.pop("required", []) if r != "key"]
        if partial:
            schema["anyOf"] = [{"required": ["key"]}, {"required": ["audience"]}]
            required = []
        if required:
            schema["required"] = required
        return schema

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        apis: tuple[Api, ...] = self.entries(workspace)
        return [
            Resource(
                kind=self.name, key=a.key, natural=(a.audience,), protect=a.protect,
                depends_on=tuple(f"application.{k}" for k in a.applications),
                attributes={"name": a.name, "audience": a.audience, "applications": sorted(set(a.applications))},
            )
            for a in apis
        ]

    def default_key(self, natural: tuple[str, ...]) -> str:
        return slug_key(natural[0])

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        return compact({"key": resource.key, **resource.attributes})

    def read(self, ctx: ReadContext) -> list[Resource]:
        details = ctx.sub_lists(self.name, [lambda api_id: self._app_ids(ctx, api_id)])
        items = listed_apis(ctx)
        app_ids = {api_id: ids for api_id, (ids,) in details.collect(
            i["id"] for i in items if ctx.is_relevant(self.name, (i["audience"],), i["id"])).items()}
        # Ids become keys after the reads, from the applications' list (read once, alongside).
        app_keys = application_keys(ctx) if app_ids else {}
        return [
            Resource(
                kind=self.name, key=ctx.key_for(self.name, (i["audience"],), i["id"]), natural=(i["audience"],),
                kinde_id=i["id"],
                attributes={"name": i.get("name"), "audience": i["audience"],
                            "applications": (sorted(app_keys.get(a, a) for a in app_ids[i["id"]])
                                             if i["id"] in app_ids else None)},
            )
            for i in items
        ]

    def _app_ids(self, ctx: ReadContext, api_id: str) -> list[str]:
        """Ids of the applications authorized to call the API (kinde-iac's own left out)."""
        api = ctx.client.get_object(f"{PATH}/{api_id}", "api")
        return [app["id"] for app in api.get("applications") or []
                if app.get("is_active") is not False and app.get("id") != ctx.own_client_id]

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


def listed_apis(ctx: ReadContext) -> list[dict[str, Any]]:
    """Every live API but Kinde's management API (never touched), from the list read once per refresh."""
    items = ctx.listing(PATH, "apis", paged=False)
    for item in items:
        if item.get("is_management_api"):
            ctx.exclude(item["id"], "the Kinde Management API")
    return [i for i in items if not i.get("is_management_api")]


def api_keys(ctx: ReadContext) -> dict[str, str]:
    """Address key by Kinde id of every live API, for kinds that link to APIs."""
    return {i["id"]: ctx.key_for("api", (i["audience"],), i["id"]) for i in listed_apis(ctx)}
