"""Roles, role permissions and role scopes."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from kinde_iac.emulator import paging
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, drop_none, id_operations, ok, opt_bool, opt_str
from kinde_iac.emulator.handlers.permissions import permission_json

routes = RouteTable()


def _role_fields(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    return {"key": opt_str(body, "key"), "name": opt_str(body, "name"), "description": opt_str(body, "description"),
            "is_default_role": opt_bool(body, "is_default_role"),
            "assignment_permission_id": opt_str(body, "assignment_permission_id")}


@routes("GET", "/api/v1/roles")
def list_roles(ctx: Ctx) -> Response:
    roles, token = ctx.token_page(ctx.repos.roles.list(ctx.env), paging.ROLE_SORTS)
    items = [{"id": r.id, "key": r.key, "name": r.name, "description": r.description,
              "is_default_role": r.is_default_role} for r in roles]
    return ok({"roles": items} | drop_none({"next_token": token}))


@routes("POST", "/api/v1/roles")
def create_role(ctx: Ctx) -> Response:
    role = ctx.repos.roles.create(ctx.env, **_role_fields(ctx))
    return ok({"role": {"id": role.id}}, status=201)


@routes("GET", "/api/v1/roles/{role_id}")
def get_role(ctx: Ctx) -> Response:
    r = ctx.repos.roles.get(ctx.env, ctx.path["role_id"])
    # description is a non-nullable string here (nullable in the list): omitted when unset.
    return ok({"role": drop_none({"id": r.id, "key": r.key, "name": r.name, "description": r.description,
                                  "is_default_role": r.is_default_role})})


@routes("PATCH", "/api/v1/roles/{role_id}")
def update_role(ctx: Ctx) -> Response:
    ctx.repos.roles.update(ctx.env, ctx.path["role_id"], **_role_fields(ctx))
    return ok(status=201)  # 201 for an update: the spec's (odd) choice


@routes("DELETE", "/api/v1/roles/{role_id}")
def delete_role(ctx: Ctx) -> Response:
    ctx.repos.roles.delete(ctx.env, ctx.path["role_id"])
    return ok()


@routes("GET", "/api/v1/roles/{role_id}/permissions")
def list_role_permissions(ctx: Ctx) -> Response:
    perms = ctx.repos.roles.permissions(ctx.env, ctx.path["role_id"])
    page, token = ctx.token_page(perms, paging.PERMISSION_SORTS)
    return ok({"permissions": [permission_json(p) for p in page]} | drop_none({"next_token": token}))


@routes("PATCH", "/api/v1/roles/{role_id}/permissions")
def update_role_permissions(ctx: Ctx) -> Response:
    changes = id_operations(ctx.body(), "permissions")
    added, removed = ctx.repos.roles.update_permissions(ctx.env, ctx.path["role_id"], changes)
    return ok({"permissions_added": added, "permissions_removed": removed})


@routes("DELETE", "/api/v1/roles/{role_id}/permissions/{permission_id}")
def remove_role_permission(ctx: Ctx) -> Response:
    ctx.repos.roles.remove_permission(ctx.env, ctx.path["role_id"], ctx.path["permission_id"])
    return ok()


@routes("GET", "/api/v1/roles/{role_id}/scopes")
def list_role_scopes(ctx: Ctx) -> Response:
    scopes = ctx.repos.roles.scopes(ctx.env, ctx.path["role_id"])
    return ok({"scopes": [drop_none({"id": s.id, "key": s.key, "description": s.description, "api_id": s.api_id})
                          for s in scopes]})


@routes("POST", "/api/v1/roles/{role_id}/scopes")
def add_role_scope(ctx: Ctx) -> Response:
    ctx.repos.roles.add_scope(ctx.env, ctx.path["role_id"], opt_str(ctx.body(), "scope_id"))
    return ok(status=201, code="ROLE_SCOPE_ADDED", message="Scope added to role")


@routes("DELETE", "/api/v1/roles/{role_id}/scopes/{scope_id}")
def remove_role_scope(ctx: Ctx) -> Response:
    ctx.repos.roles.remove_scope(ctx.env, ctx.path["role_id"], ctx.path["scope_id"])
    return ok(code="SCOPE_DELETED", message="Scope deleted from role")
