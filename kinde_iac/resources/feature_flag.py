"""Feature flags: ``feature_flag.<key>``. The definition (name, description, type, default,
override level) belongs to the Kinde business and is shared by every environment; Kinde never
returns it, so it is compared with the last apply only. The environment's effective ``value`` is
readable and is what a workspace's ``value`` override sets."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kinde_iac.config.model import FlagValue, Workspace
from kinde_iac.resources.base import (
    Field,
    Kind,
    ReadContext,
    Resource,
    WriteContext,
    compact,
    delete_if_present,
)

PATH = "/api/v1/feature_flags"
ENV_PATH = "/api/v1/environment/feature_flags"
DEFINITION = ("name", "description", "default_value", "allow_override_level")


def flag_string(value: FlagValue | None) -> str | None:
    """Kinde carries every flag value as a string (``true``, ``42``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def typed(value: str | None, flag_type: str | None) -> FlagValue | None:
    """The JSON value a config writes for a Kinde flag string."""
    if value is None:
        return None
    if flag_type == "bool":
        return value.lower() == "true"
    if flag_type == "int":
        try:
            return int(value)
        except ValueError:
            return value
    return value


class FeatureFlagKind(Kind):
    name = "feature_flag"
    has_ids = False
    config_section = "feature_flags"
    fields = (
        Field("name", unreadable=True, business_wide=True),
        Field("description", unreadable=True, business_wide=True),
        Field("type", replace=True, business_wide=True),
        Field("allow_override_level", replace=True, unreadable=True, business_wide=True),
        Field("default_value", unreadable=True, business_wide=True),
        Field("value"),
    )

    def desired(self, workspace: Workspace) -> list[Resource]:
        out = []
        for f in workspace.feature_flags:
            default = flag_string(f.default_value)
            out.append(Resource(
                kind=self.name, key=f.key, natural=(f.key,), protect=f.protect,
                attributes={
                    "name": f.name, "description": f.description, "type": f.type,
                    "allow_override_level": f.allow_override_level, "default_value": default,
                    "value": flag_string(f.value) if f.value is not None else default,
                },
            ))
        return out

    def warnings(self, resource: Resource) -> list[str]:
        return ["flag definitions are business-wide: this affects every Kinde environment"]

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        a = resource.attributes
        entry = {"key": resource.natural[0], "name": a.get("name") or resource.natural[0], "type": a.get("type"),
                 "description": a.get("description"), "allow_override_level": a.get("allow_override_level"),
                 "default_value": typed(a.get("default_value") if a.get("default_value") is not None
                                        else a.get("value"), a.get("type"))}
        if a.get("default_value") is not None and a.get("value") != a.get("default_value"):
            entry["value"] = typed(a.get("value"), a.get("type"))
        return compact(entry)

    def read(self, ctx: ReadContext) -> list[Resource]:
        flags = ctx.client.get(ENV_PATH).get("feature_flags") or {}
        out = []
        for key, body in sorted(flags.items()):
            out.append(Resource(
                kind=self.name, key=ctx.key_for(self.name, (key,), None), natural=(key,),
                attributes={"name": None, "description": None, "allow_override_level": None,
                            "default_value": None, "type": body.get("type"), "value": flag_string(body.get("value"))},
            ))
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        flags = ctx.client.get(ENV_PATH).get("feature_flags") or {}
        return resource.natural[0] if resource.natural[0] in flags else None

    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        body = {"key": resource.natural[0], "name": a["name"], "type": a["type"], "default_value": a["default_value"]}
        if a.get("description") is not None:
            body["description"] = a["description"]
        if a.get("allow_override_level") is not None:
            body["allow_override_level"] = a["allow_override_level"]
        ctx.client.post(PATH, json=body)
        ctx.record_created(resource, None, {**a, "value": a["default_value"]})
        if a["value"] != a["default_value"]:
            self._set_value(ctx, resource)
        return None

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        a = resource.attributes
        key = resource.natural[0]
        if changed & set(DEFINITION):
            # PUT is a full replace with every field as a query parameter (NOTES 5.10).
            params = {"name": a["name"], "description": a.get("description") or "", "type": a["type"],
                      "allow_override_level": a.get("allow_override_level") or "env",
                      "default_value": a["default_value"]}
            ctx.client.put(f"{PATH}/{key}", params=params, retry_ambiguous=True)
        if changed & {"value", "default_value"}:
            self._set_value(ctx, resource)

    def _set_value(self, ctx: WriteContext, resource: Resource) -> None:
        a = resource.attributes
        key = resource.natural[0]
        if a["value"] != a["default_value"]:
            ctx.client.patch(f"{ENV_PATH}/{key}", json={"value": a["value"]}, retry_ambiguous=True)
        else:
            delete_if_present(ctx, f"{ENV_PATH}/{key}")

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{resource.natural[0]}")
