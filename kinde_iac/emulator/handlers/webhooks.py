"""Webhooks and the event types they can subscribe to."""
from __future__ import annotations

import hashlib
from typing import Any

from werkzeug.wrappers import Response

from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, drop_none, ok, opt_str, opt_str_list
from kinde_iac.emulator.store.models import Webhook
from kinde_iac.emulator.store.webhooks import EVENT_TYPES

routes = RouteTable()


def _json(hook: Webhook) -> dict[str, Any]:
    # description is a non-nullable string in the spec: omitted when unset.
    return drop_none({"id": hook.id, "name": hook.name, "endpoint": hook.endpoint, "description": hook.description,
                      "event_types": list(hook.event_types), "created_on": hook.created_on})


@routes("GET", "/api/v1/webhooks")
def list_webhooks(ctx: Ctx) -> Response:
    # No page parameters exist for this list: every webhook comes back at once.
    return ok({"webhooks": [_json(h) for h in ctx.repos.webhooks.list(ctx.env)]})


@routes("POST", "/api/v1/webhooks")
def create_webhook(ctx: Ctx) -> Response:
    body = ctx.body()
    hook = ctx.repos.webhooks.create(ctx.env, name=opt_str(body, "name"), endpoint=opt_str(body, "endpoint"),
                                     event_types=opt_str_list(body, "event_types"),
                                     description=opt_str(body, "description"))
    # 200, not 201, as the spec says.
    return ok({"webhook": {"id": hook.id, "endpoint": hook.endpoint}}, code="WEBHOOK_CREATED",
              message="Webhook created")


@routes("PATCH", "/api/v1/webhooks/{webhook_id}")
def update_webhook(ctx: Ctx) -> Response:
    body = ctx.body()
    if "endpoint" in body:
        # Not a field of this operation: a new endpoint means a new webhook (delete and create).
        raise bad_request("WEBHOOK_ENDPOINT_IMMUTABLE", "A webhook's endpoint cannot be changed")
    hook = ctx.repos.webhooks.update(ctx.env, ctx.path["webhook_id"], name=opt_str(body, "name"),
                                     event_types=opt_str_list(body, "event_types"),
                                     description=opt_str(body, "description"),
                                     description_given="description" in body)
    return ok({"webhook": {"id": hook.id}}, code="WEBHOOK_UPDATED", message="Webhook updated")


@routes("DELETE", "/api/v1/webhooks/{webhook_id}")
def delete_webhook(ctx: Ctx) -> Response:
    ctx.repos.webhooks.delete(ctx.env, ctx.path["webhook_id"])
    return ok(code="WEBHOOK_DELETED", message="Webhook deleted")


@routes("GET", "/api/v1/event_types")
def list_event_types(ctx: Ctx) -> Response:
    return ok({"event_types": [
        {"id": "event_type_" + hashlib.sha256(code.encode()).hexdigest()[:32], "code": code, "name": name,
         "origin": "kinde", "schema": {}}
        for code, name in EVENT_TYPES
    ]})
