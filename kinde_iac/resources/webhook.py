"""Webhooks: ``webhook.<key>``. Kinde updates a webhook's name, description and event types in
place; it has no way to change the endpoint, so a new endpoint replaces the webhook.

Webhook names are not unique in Kinde, so a live webhook is adopted by name only on a single match.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

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
    slug_key,
)
from kinde_iac.resources.checks import duplicates, key_problem, url_problem
from kinde_iac.resources.kind_config import Issue, WorkspaceView

SECTION = "webhooks"
PATH = "/api/v1/webhooks"
#: Kinde's event type codes: dotted lower-case words (``user.created``, ``access_request.created``).
_EVENT_TYPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


# One entry of "webhooks".
@attrs.frozen
class Webhook:
    key: str
    name: str
    endpoint: str
    #: Codes of the events that trigger it (``GET /api/v1/event_types`` lists them).
    event_types: tuple[str, ...] = ()
    description: str | None = None
    protect: bool = False


class WebhookKind(Kind):
    name = "webhook"
    config_section = SECTION
    entry_type = Webhook
    fields = (
        Field("name"),
        Field("endpoint", replace=True),  # no endpoint changes it in place
        Field("event_types", is_set=True),
        Field("description"),
    )

    # -- config ---------------------------------------------------------------------------------
    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        hooks: tuple[Webhook, ...] = self.entries(workspace)
        for i, hook in enumerate(hooks):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(hook.key, what="webhook key"):
                yield base + ("key",), problem
            if not hook.name:
                yield base + ("name",), "name must not be empty"
            if problem := url_problem(hook.endpoint):
                yield base + ("endpoint",), problem
            elif urlsplit(hook.endpoint).scheme != "https":
                # Kinde calls webhooks over HTTPS only.
                yield base + ("endpoint",), f"a webhook endpoint must be an https:// URL, got {quote(hook.endpoint)}"
            if not hook.event_types:
                yield base + ("event_types",), "a webhook needs at least one event type (e.g. \"user.created\")"
            for j, event in enumerate(hook.event_types):
                if not _EVENT_TYPE.match(event):
                    yield base + ("event_types", j), (f"expected an event type code such as \"user.created\", "
                                                      f"got {quote(event)}")
        yield from duplicates(workspace, "webhook key", [((SECTION, i), h.key) for i, h in enumerate(hooks)])

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        hooks: tuple[Webhook, ...] = self.entries(workspace)
        return [
            Resource(kind=self.name, key=h.key, natural=(h.name,), protect=h.protect,
                     attributes={"name": h.name, "endpoint": h.endpoint,
                                 "event_types": sorted(set(h.event_types)), "description": h.description})
            for h in hooks
        ]

    def default_key(self, natural: tuple[str, ...]) -> str:
        return slug_key(natural[0])

    def export_entry(self, resource: Resource) -> dict[str, Any]:
        return compact({"key": resource.key, **resource.attributes})

    # -- live -----------------------------------------------------------------------------------
    def read(self, ctx: ReadContext) -> list[Resource]:
        out = []
        for item in ctx.client.paginate(PATH, "webhooks", paged=False):
            natural = (item["name"],)
            out.append(Resource(kind=self.name, key=ctx.key_for(self.name, natural, item["id"]),
                                natural=natural, kinde_id=item["id"],
                                attributes={"name": item["name"], "endpoint": item.get("endpoint"),
                                            "event_types": sorted(set(item.get("event_types") or [])),
                                            "description": item.get("description") or None}))
        return out

    def find(self, ctx: WriteContext, resource: Resource) -> str | None:
        matches = [i["id"] for i in ctx.client.paginate(PATH, "webhooks", paged=False)
                   if i.get("name") == resource.natural[0]]
        return matches[0] if len(matches) == 1 else None

    # -- writes ---------------------------------------------------------------------------------
    def create(self, ctx: WriteContext, resource: Resource) -> str | None:
        a = resource.attributes
        body: dict[str, Any] = {"name": a["name"], "endpoint": a["endpoint"], "event_types": a["event_types"]}
        if a.get("description") is not None:
            body["description"] = a["description"]
        reply = ctx.client.post(PATH, json=body)
        return (reply.get("webhook") or {}).get("id") or self.find(ctx, resource)

    def update(self, ctx: WriteContext, resource: Resource, kinde_id: str | None,
               before: Mapping[str, Any], changed: frozenset[str]) -> None:
        # The description is nullable: sending null clears it.
        patch = {k: resource.attributes.get(k) for k in ("name", "event_types", "description") if k in changed}
        if patch:
            ctx.client.patch(f"{PATH}/{kinde_id}", json=patch, retry_ambiguous=True)

    def delete(self, ctx: WriteContext, resource: Resource, kinde_id: str | None) -> None:
        delete_if_present(ctx, f"{PATH}/{kinde_id}")
