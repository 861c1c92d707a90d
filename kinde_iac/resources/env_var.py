"""Environment variables: ``env_var.<key>``. A secret's value is never returned by Kinde and can
only be changed by replacing the variable; kinde-iac keeps a salted hash of it in state."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from kinde_iac.jsonpath import JsonPath, quote
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
from kinde_iac.resources.checks import duplicates
from kinde_iac.resources.kind_config import Issue, SeedKey, WorkspaceView

PATH = "/api/v1/environment_variables"
SECTION = "env_vars"
KEY_MAX = 128
VALUE_MAX = 2048
_KEY = re.compile(r"^[A-Za-z0-9_]+$")


# One entry of "env_vars".
@attrs.frozen
class EnvVar:
    key: str
    value: str = attrs.field(repr=False)
    is_secret: bool = False
    protect: bool = False


class EnvVarKind(Kind):
    name = "env_var"
    config_section = SECTION
    entry_type = EnvVar
    seed_keys = (SeedKey("envVars", description="The seed guide's env var: `sensitive` means `is_secret`."),)
    seed_field_aliases = MappingProxyType({"sensitive": "is_secret"})
    fields = (Field("value"), Field("is_secret", replace=True))

    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        variables: tuple[EnvVar, ...] = self.entries(workspace)
        for i, var in enumerate(variables):
            base: JsonPath = (SECTION, i)
            if not var.key or len(var.key) > KEY_MAX or not _KEY.match(var.key):
                yield base + ("key",), (f"environment variable key must be 1 to {KEY_MAX} letters, digits or _, "
                                        f"got {quote(var.key)}")
            if len(var.value) > VALUE_MAX:
                yield base + ("value",), f"value is {len(var.value)} characters long; at most {VALUE_MAX} are allowed"
        yield from duplicates(workspace, "environment variable key",
                              [((SECTION, i), v.key) for i, v in enumerate(variables)])

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        variables: tuple[EnvVar, ...] = self.entries(workspace)
        return [
            Resource(kind=self.name, key=v.key, natural=(v.key,), protect=v.protect,
                     attributes={"value": v.value, "is_secret": v.is_secret})
            for v in variables
        ]

    def sensitive_fields(self, attributes: Mapping[str, Any]) -> frozenset[str]:
        return frozenset({"value"}) if attributes.get("is_secret") else frozenset()

    def forces_replacement(self, field: str, desired: Mapping[str, Any]) -> bool:
        # Kinde only lets a non-secret value be edited in place (NOTES 5.11).
        return field == "is_secret" or (field == "value" and bool(desired.get("is_secret")))

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        secret = bool(resource.attributes.get("is_secret"))
        # A secret is never written out: the export names the variable that must supply it.
        value = f"${{env:{resource.natural[0]}}}" if secret else resource.attributes.get("value")
        return compact({"key": resource.natural[0], "value": value, "is_secret": secret}, {"is_secret": False})

    def read(self, ctx: ReadContext) -> list[Resource]:
        out = []
        for item in ctx.client.paginate(PATH, "environment_variables", paged=False):
            natural = (item["key"],)
            out.append(Resource(kind=self.name, key=ctx.key_for(self.name, natural, item["id"]), natural=natural,
                                kinde_id=item["id"],
                                attributes={"value": item.get("value"), "is_secret": bool(item.get("is_secret"))}))
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        return find_id(ctx, PATH, "environment_variables", "key", resource.natural[0], paged=False)

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        reply = ctx.client.post(PATH, json={"key": resource.natural[0], "value": a["value"],
                                            "is_secret": a["is_secret"]})
        return (reply.get("environment_variable") or {}).get("id") or self.find(ctx, resource)

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        ctx.client.patch(f"{PATH}/{kinde_id}", json={"value": resource.attributes["value"]}, retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")
