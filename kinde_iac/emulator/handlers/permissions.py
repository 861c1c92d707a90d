"""Permissions (list, create, update, delete: Kinde has no get-by-id)."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from kinde_iac.emulator import paging
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, drop_none, ok, opt_str
from kinde_iac.emulator.store.models import Permission

routes = RouteTable()


def permission_json(p: Permission) -> dict[str, Any]:
    # description is a non-nullable string in the spec: omitted when unset.
    return drop_none({"id": p.id, "key": p.key, "name": p.name, "description": p.description})


@routes("GET", "/api/v1/permissions")
def list_permissions(ctx: Ctx) -> Response:
    perms, token = ctx.token_page(ctx.repos.permissions.list(ctx.env), paging.PERMISSION_SORTS)
    return ok({"permissions": [permission_json(p) for p in perms]} | drop_none({"next_token": token}))


@routes("POST", "/api/v1/permissions")
def create_permission(ctx: Ctx) -> Response:
    body = ctx.body()
    perm = ctx.repos.permissions.create(ctx.env, key=opt_str(body, "key"), name=opt_str(body, "name"),
                                        description=opt_str(body, "description"))
    # The spec promises only {code, message}; Kinde's own seed script reads permission.id.
    return ok({"permission": {"id": perm.id}}, status=201)


@routes("PATCH", "/api/v1/permissions/{permission_id}")
def update_permission(ctx: Ctx) -> Response:
    body = ctx.body()
    ctx.repos.permissions.update(ctx.env, ctx.path["permission_id"], key=opt_str(body, "key"),
                                 name=opt_str(body, "name"), description=opt_str(body, "description"))
    return ok()


@routes("DELETE", "/api/v1/permissions/{permission_id}")
def delete_permission(ctx: Ctx) -> Response:
    ctx.repos.permissions.delete(ctx.env, ctx.path["permission_id"])
    return ok()
