"""API keys: ``api_key.<key>``, natural key (API audience, name).

Kinde has no update endpoint for a key, so every field forces replacement, and a replacement issues a
new secret: the old one stops working. The secret Kinde returns once on create goes to
``ctx.deliver_secret`` (the ``--secrets-out`` file) and nowhere else. Kinde does not keep key names
unique, so adoption by natural key only happens on a single match.

Two operations outside plan/apply belong here too (``kinde-iac api-key``, docs/api-keys.md):
``rotate`` gives a key a new secret and ``verify`` asks Kinde whether a secret is valid.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

import attrs

from kinde_iac.errors import KindeIacError
from kinde_iac.jsonpath import JsonPath, quote
from kinde_iac.resources.api import SECTION as APIS
from kinde_iac.resources.api import Api, scope_keys
from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
    slug_key,
)
from kinde_iac.resources.checks import duplicates, key_problem, name_problem
from kinde_iac.resources.kind_config import Issue, WorkspaceView

PATH = "/api/v1/api_keys"
VERIFY_PATH = f"{PATH}/verify"
SECTION = "api_keys"
#: What ``verify`` reports of Kinde's answer (never the secret itself).
VERIFY_FIELDS = ("is_valid", "key_id", "status", "scopes", "org_code", "user_id", "last_verified_on",
                 "verification_count")
#: End users' own keys (self-service) are their data, not environment configuration.
FOREIGN_TYPES = frozenset({"user"})
#: A revoked key may stay listed but can never work again: it is treated as gone.
DEAD_STATUSES = frozenset({"revoked"})


def rotate_request(key_id: str) -> tuple[str, str]:
    """(method, path) that rotates a key, for journal entries that name the request."""
    return "PUT", f"{PATH}/{key_id}"


@attrs.frozen
class ApiKey:
    """An environment- or organization-level API key (issue 7)."""

    key: str
    name: str
    api: str
    scopes: tuple[str, ...] = ()
    type: Literal["environment", "organization"] = "environment"
    org_code: str | None = None
    protect: bool = False


class ApiKeyKind(Kind):
    name = "api_key"
    reads_after = ("api", "api_scope")
    # Deleting an API deletes its keys, so replacing the API replaces them (with a new secret).
    parent_kind = "api"
    config_section = SECTION
    entry_type = ApiKey
    replace_warning = ("a new key means a new secret: the current secret stops working; the new one goes "
                       "only to the file given to apply --secrets-out")
    natural_fields = ("api", "name")
    fields = (
        Field("name", replace=True),
        Field("api", replace=True),
        Field("scopes", is_set=True, replace=True),
        Field("type", replace=True),
        Field("org_code", replace=True),
    )

    # -- config ---------------------------------------------------------------------------------
    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        scopes = scope_keys(workspace)
        keys: tuple[ApiKey, ...] = self.entries(workspace)
        for i, key in enumerate(keys):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(key.key, what="api key key"):
                yield base + ("key",), problem
            if problem := name_problem(key.name):
                yield base + ("name",), problem
            if key.api not in scopes:
                yield base + ("api",), f'api {quote(key.api)} is not defined in "apis"'
            else:
                for j, scope in enumerate(key.scopes):
                    if scope not in scopes[key.api]:
                        yield base + ("scopes", j), f"scope {quote(scope)} is not defined in api {quote(key.api)}"
            if key.type == "organization" and not key.org_code:
                yield base + ("org_code",), 'an "organization" api key needs an "org_code"'
            if key.type == "environment" and key.org_code:
                yield base + ("org_code",), 'only "organization" api keys take an "org_code"'
        yield from duplicates(workspace, "api key key", [((SECTION, i), k.key) for i, k in enumerate(keys)])

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        apis: tuple[Api, ...] = workspace.section(APIS)
        audiences = {a.key: a.audience for a in apis}
        keys: tuple[ApiKey, ...] = self.entries(workspace)
        return [
            Resource(
                kind=self.name, key=k.key, natural=(audiences.get(k.api, k.api), k.name), protect=k.protect,
                depends_on=(f"api.{k.api}", *(f"api_scope.{k.api}/{s}" for s in sorted(set(k.scopes)))),
                attributes={"name": k.name, "api": k.api, "scopes": sorted(set(k.scopes)), "type": k.type,
                            "org_code": k.org_code},
            )
            for k in keys
        ]

    def default_key(self, natural: tuple[str, ...]) -> str:
        return slug_key(natural[-1])

    def natural_label(self, natural: tuple[str, ...]) -> str:
        return f"{natural[-1]} (API {natural[0]})"

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        return compact({"key": resource.key, **resource.attributes}, {"type": "environment"})

    # -- live -----------------------------------------------------------------------------------
    def _listed(self, client: Any) -> list[dict[str, Any]]:
        return [i for i in client.paginate(PATH, "api_keys")
                if i.get("type") not in FOREIGN_TYPES and i.get("status") not in DEAD_STATUSES]

    def read(self, ctx: ReadContext) -> list[Resource]:
        out = []
        pending_org: list[Resource] = []
        listed = self._listed(ctx.client)  # while the scopes are read
        # The spec's example lists scope keys; should Kinde list scope ids instead (NOTES 5.12 leaves
        # it open), ids of scopes read in this refresh are turned back into keys.
        scope_keys = {s.kinde_id: s.natural[-1] for s in ctx.live("api_scope") if s.kinde_id}
        for item in listed:
            api_id = (item.get("api_ids") or [""])[0]
            api = ctx.live_by_id("api", api_id)
            natural = (api.natural[0] if api else api_id, item.get("name") or "")
            resource = Resource(
                kind=self.name, key=ctx.key_for(self.name, natural, item["id"]), natural=natural,
                kinde_id=item["id"], depends_on=(api.address,) if api else (),
                attributes={"name": item.get("name"), "api": api.key if api else api_id,
                            "scopes": sorted({scope_keys.get(x, x) for x in item.get("scopes") or []}),
                            "type": item.get("type"), "org_code": None},
            )
            out.append(resource)
            if item.get("type") == "organization" and ctx.is_relevant(self.name, natural, item["id"]):
                pending_org.append(resource)
        # The list has no org code; only organization keys kinde-iac manages or wants cost a read.
        codes = ctx.map(lambda r: ctx.client.get_object(f"{PATH}/{r.kinde_id}", "api_key").get("organization_id"),
                        pending_org)
        for resource, code in zip(pending_org, codes):
            resource.attributes["org_code"] = code
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        api_id = ctx.id_of(f"api.{resource.attributes['api']}")
        matches = [i["id"] for i in self._listed(ctx.client)
                   if i.get("name") == resource.attributes["name"] and api_id in (i.get("api_ids") or [])]
        return matches[0] if len(matches) == 1 else None

    # -- writes -------------------------------------------------------------------------------
    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        body: dict[str, Any] = {"name": a["name"], "type": a["type"], "api_id": ctx.id_of(f"api.{a['api']}")}
        if a["scopes"]:
            # Scope ids, as the spec says (the docs' example passes keys; the emulator follows the spec).
            body["scope_ids"] = [ctx.id_of(f"api_scope.{a['api']}/{s}") for s in a["scopes"]]
        if a.get("org_code"):
            body["org_code"] = a["org_code"]
        reply = (ctx.client.post(PATH, json=body).get("api_key") or {})
        key_id = reply.get("id") or self.find(ctx, resource)
        # In state before the secret is handed over, so a failure writing it cannot orphan the key.
        ctx.record_created(resource, key_id, a)
        if reply.get("key"):
            self._deliver(ctx, resource.address, key_id, reply["key"])
        return key_id

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        """Every field forces replacement, so the engine only calls this after a create whose reply
        was lost and which did land: the key exists but nobody saw its secret. A rotation gives it one."""
        secret = self.rotate(ctx.client, str(kinde_id))
        if secret:
            self._deliver(ctx, resource.address, kinde_id, secret)

    def _deliver(self, ctx: WriteContext, address: str, key_id: str | None, secret: str) -> None:
        try:
            ctx.deliver_secret(address, secret)
        except Exception as err:  # noqa: BLE001 - any failure here loses the secret; say how to recover
            raise KindeIacError(
                f"{address}: key {key_id} exists but its secret could not be saved ({err}); get a new one with "
                f"`kinde-iac api-key rotate {address} --secrets-out FILE`") from None

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")

    # -- operations outside plan/apply ------------------------------------------------------------
    rotatable = True

    def rotate_request(self, kinde_id: str) -> tuple[str, str]:
        return rotate_request(kinde_id)

    def rotate(self, client: Any, key_id: str) -> str | None:
        """Give the key a new secret and return it (None if Kinde's reply has none); the old secret
        stops working at once. A lost reply loses that secret, and rotating again costs nothing
        more, so the request is retried like an idempotent one."""
        _, path = rotate_request(key_id)
        reply = client.put(path, retry_ambiguous=True).get("api_key") or {}
        return reply.get("key") or None

    def verify(self, client: Any, secret: str) -> dict[str, Any]:
        """What Kinde says about a secret: ``is_valid`` and, for a known key, its id, status, scopes..."""
        result = client.post(VERIFY_PATH, json={"api_key": secret})
        return {k: result.get(k) for k in VERIFY_FIELDS if k in result}
