"""Feature flags: ``feature_flag.<key>``. The definition (name, description, type, default,
override level) belongs to the Kinde business and is shared by every environment; Kinde never
returns it, so it is compared with the last apply only (and written when no apply has recorded it).
The environment's effective ``value`` is readable and is what kinde-iac converges.

The live default is never relied on, since nobody can read it: an environment's value is written
as an explicit environment override, except right after this apply has written the definition
itself, when a workspace that sets no ``value`` has its override removed and follows the default
it just wrote. So the value converges in one apply whatever the business-wide definition holds.

Since definitions are business-wide, every workspace must agree on them: ``check_workspaces``."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

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
)
from kinde_iac.resources.checks import duplicates, key_problem, name_problem
from kinde_iac.resources.kind_config import Issue, SeedKey, WorkspaceView

PATH = "/api/v1/feature_flags"
ENV_PATH = "/api/v1/environment/feature_flags"
SECTION = "feature_flags"
#: The fields one PUT of the definition changes.
DEFINITION = ("name", "description", "default_value", "allow_override_level")
#: Fields of a flag that Kinde keeps once per business, not per environment.
BUSINESS_WIDE = ("name", "description", "type", "default_value", "allow_override_level")
INT32 = (-(2**31), 2**31 - 1)
_INT_TEXT = re.compile(r"^[+-]?[0-9]+$")

FlagType = Literal["bool", "str", "int"]
FlagValue = bool | int | str


# One entry of "feature_flags".
@attrs.frozen
class FeatureFlag:
    key: str
    name: str
    type: FlagType
    default_value: FlagValue
    description: str | None = None
    allow_override_level: Literal["env", "org", "usr"] | None = None
    #: This workspace's environment override; None means "use the business-wide default".
    value: FlagValue | None = None
    protect: bool = False


def flag_value_problem(flag_type: str, value: Any) -> str | None:
    """Why ``value`` cannot be a value of a ``flag_type`` flag, or None if it can.

    Kinde takes flag values as strings, so ``"true"`` and ``"42"`` are accepted beside JSON
    ``true`` and ``42``.
    """
    if flag_type == "bool":
        if isinstance(value, bool) or value in ("true", "false"):
            return None
        return f'expected true or false for a "bool" flag, got {_show(value)}'
    if flag_type == "int":
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INT_TEXT.match(value):
            number = int(value)
        if number is None:
            return f'expected an integer for an "int" flag, got {_show(value)}'
        if not INT32[0] <= number <= INT32[1]:
            return f"expected an integer between {INT32[0]} and {INT32[1]}, got {number}"
        return None
    if not isinstance(value, str):
        return f'expected a string for a "str" flag, got {_show(value)}'
    return None


def _names(workspaces: Iterable[WorkspaceView]) -> str:
    return ", ".join(sorted(ws.name for ws in workspaces))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    return str(value)


def _stored_text(flag_type: str, value: Any) -> Any:
    """Kinde stores defaults as strings: ``true`` and ``"true"`` are the same definition."""
    if flag_type == "bool" and isinstance(value, bool):
        return "true" if value else "false"
    if flag_type == "int" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if flag_type == "int" and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return str(int(value))
    return value


def _definition(flag: FeatureFlag) -> dict[str, Any]:
    d = {f: getattr(flag, f) for f in BUSINESS_WIDE}
    d["default_value"] = _stored_text(flag.type, flag.default_value)
    return d


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
    config_section = SECTION
    entry_type = FeatureFlag
    seed_keys = (SeedKey("featureFlags"),)
    fields = (
        Field("name", unreadable=True, business_wide=True),
        Field("description", unreadable=True, business_wide=True),
        Field("type", replace=True, business_wide=True),
        Field("allow_override_level", replace=True, unreadable=True, business_wide=True),
        Field("default_value", unreadable=True, business_wide=True),
        Field("value"),
    )

    # -- config ---------------------------------------------------------------------------------
    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        flags: tuple[FeatureFlag, ...] = self.entries(workspace)
        for i, flag in enumerate(flags):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(flag.key, what="feature flag key"):
                yield base + ("key",), problem
            if problem := name_problem(flag.name):
                yield base + ("name",), problem
            if problem := flag_value_problem(flag.type, flag.default_value):
                yield base + ("default_value",), problem
            if flag.value is not None and (problem := flag_value_problem(flag.type, flag.value)):
                yield base + ("value",), problem
        yield from duplicates(workspace, "feature flag key", [((SECTION, i), f.key) for i, f in enumerate(flags)])

    def check_workspaces(self, workspaces: Sequence[WorkspaceView]) -> Iterator[tuple[WorkspaceView, JsonPath, str]]:
        """One problem per flag, workspace and field whose definition differs from the first workspace
        defining the flag; the per-environment ``value`` may differ freely, and a flag missing from a
        workspace is not a disagreement."""
        first: dict[str, tuple[WorkspaceView, int, FeatureFlag]] = {}
        for ws in workspaces:
            flags: tuple[FeatureFlag, ...] = self.entries(ws)
            for i, flag in enumerate(flags):
                if flag.key not in first:
                    first[flag.key] = (ws, i, flag)
                    continue
                ref_ws, ref_i, ref = first[flag.key]
                ref_def, this_def = _definition(ref), _definition(flag)
                for field in BUSINESS_WIDE:
                    if ref_def[field] == this_def[field]:
                        continue
                    ref_at = ": ".join(ref_ws.locate((SECTION, ref_i, field)))
                    yield ws, (SECTION, i, field), (
                        f"feature flag {quote(flag.key)} is defined differently by workspace {ws.source} "
                        f"({field} = {json.dumps(getattr(flag, field))}) and by workspace {ref_ws.source} "
                        f"({field} = {json.dumps(getattr(ref, field))} at {ref_at}); flag definitions are "
                        f'business-wide in Kinde: keep them in a shared part and override only "value" per '
                        f"workspace")

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        flags: tuple[FeatureFlag, ...] = self.entries(workspace)
        out = []
        for f in flags:
            default = flag_string(f.default_value)
            out.append(Resource(
                kind=self.name, key=f.key, natural=(f.key,), protect=f.protect,
                attributes={
                    "name": f.name, "description": f.description, "type": f.type,
                    "allow_override_level": f.allow_override_level, "default_value": default,
                    "value": flag_string(f.value) if f.value is not None else default,
                    # Not compared: whether the environment keeps an override of its own.
                    "env_override": f.value is not None,
                },
            ))
        return out

    def warnings(self, resource: Resource) -> list[str]:
        return ["flag definitions are business-wide: this affects every Kinde environment"]

    def business_wide_effects(self, resource: Resource, changed: frozenset[str], others: Sequence[WorkspaceView],
                              *, deleting: bool = False, unknown: frozenset[str] = frozenset()) -> list[str]:
        key = resource.natural[0]
        users = [(ws, f) for ws in others for f in self.entries(ws) if f.key == key]
        if not users:
            return []
        if deleting:
            several = len(users) > 1
            return [(f"still defined by workspace{'s' if several else ''} {_names(ws for ws, _ in users)}: "
                     f"deleting it (the first step of a replacement too) removes it and its overrides from "
                     f"{'their environments' if several else 'its environment'} as well")]
        if "default_value" not in changed:
            return []
        following = [ws for ws, f in users if f.value is None]
        own = [ws for ws, f in users if f.value is not None]
        several = len(following) > 1
        where = (f"the environment{'s' if several else ''} of workspace{'s' if several else ''} {_names(following)}, "
                 f"which set no value" if following else "no other workspace of this project, since none follows it")
        if "default_value" in unknown:
            note = (f"writes the default, which Kinde cannot show: if it held another one, the effective value "
                    f"changes in every environment without an override of its own, here {where}")
        else:
            note = f"the new default is the effective value in every environment without an override of its own: {where}"
        if own:
            note += f"; {_names(own)} set{'s' if len(own) == 1 else ''} {'its' if len(own) == 1 else 'their'} own"
        return [note]

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
        out = []
        for body in sorted(ctx.client.paginate(ENV_PATH, "feature_flags", paged=False), key=lambda f: f["key"]):
            key = body["key"]
            out.append(Resource(
                kind=self.name, key=ctx.key_for(self.name, (key,), None), natural=(key,),
                attributes={"name": None, "description": None, "allow_override_level": None,
                            "default_value": None, "type": body.get("type"), "value": flag_string(body.get("value"))},
            ))
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        flags = {f["key"] for f in ctx.client.paginate(ENV_PATH, "feature_flags", paged=False)}
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
        if a.get("env_override"):
            self._override(ctx, resource)
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
            # The default is known now (just written): an environment that sets no value follows it,
            # and one that does keeps its own, whatever the default was before.
            if a.get("env_override"):
                self._override(ctx, resource)
            else:
                delete_if_present(ctx, f"{ENV_PATH}/{key}")
        elif "value" in changed:
            # The live default is unknown (Kinde never returns it), so the value is set explicitly.
            self._override(ctx, resource)

    def _override(self, ctx: WriteContext, resource: Resource) -> None:
        ctx.client.patch(f"{ENV_PATH}/{resource.natural[0]}", json={"value": resource.attributes["value"]},
                         retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{resource.natural[0]}")
