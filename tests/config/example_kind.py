"""A kind that exists only in these tests: the webhook of issue 17, configuration side, written the
way docs/architecture.md ("Adding a resource kind") says. test_config_kinds.py registers it in a
fresh interpreter and checks that loading, validation and the JSON Schema pick it up from the
registry alone."""
from __future__ import annotations

from collections.abc import Iterator

import attrs

from kinde_iac.jsonpath import JsonPath
from kinde_iac.resources.base import Field, Kind, Resource
from kinde_iac.resources.checks import duplicates, key_problem, url_problem
from kinde_iac.resources.kind_config import Issue, WorkspaceView

SECTION = "webhooks"


# One entry of "webhooks".
@attrs.frozen
class Webhook:
    key: str
    name: str
    endpoint: str
    event_types: tuple[str, ...] = ()
    description: str | None = None
    protect: bool = False


class WebhookKind(Kind):
    name = "webhook"
    config_section = SECTION
    entry_type = Webhook
    fields = (
        Field("name"),
        Field("endpoint", replace=True),  # Kinde cannot change it in place
        Field("event_types", is_set=True),
        Field("description"),
    )

    def check(self, workspace: WorkspaceView) -> Iterator[Issue]:
        hooks: tuple[Webhook, ...] = self.entries(workspace)
        for i, hook in enumerate(hooks):
            base: JsonPath = (SECTION, i)
            if problem := key_problem(hook.key, what="webhook key"):
                yield base + ("key",), problem
            if problem := url_problem(hook.endpoint):
                yield base + ("endpoint",), problem
        yield from duplicates(workspace, "webhook key", [((SECTION, i), h.key) for i, h in enumerate(hooks)])

    def desired(self, workspace: WorkspaceView) -> list[Resource]:
        hooks: tuple[Webhook, ...] = self.entries(workspace)
        return [
            Resource(kind=self.name, key=h.key, natural=(h.name,), protect=h.protect,
                     attributes={"name": h.name, "endpoint": h.endpoint, "event_types": sorted(set(h.event_types)),
                                 "description": h.description})
            for h in hooks
        ]
