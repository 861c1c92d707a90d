"""Environment variables; a secret's value is never returned (``value: null``)."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from kinde_iac.emulator.handlers.base import Ctx, RouteTable, ok, opt_bool, opt_str
from kinde_iac.emulator.store.models import EnvVar

routes = RouteTable()


def _json(var: EnvVar) -> dict[str, Any]:
    return {"id": var.id, "key": var.key, "value": None if var.is_secret else var.value,
            "is_secret": var.is_secret, "created_on": var.created_on}


@routes("GET", "/api/v1/environment_variables")
def list_env_vars(ctx: Ctx) -> Response:
    # No page parameters exist: everything comes back at once.
    return ok({"has_more": False, "environment_variables": [_json(v) for v in ctx.repos.env_vars.list(ctx.env)]})


@routes("POST", "/api/v1/environment_variables")
def create_env_var(ctx: Ctx) -> Response:
    body = ctx.body()
    var = ctx.repos.env_vars.create(ctx.env, key=opt_str(body, "key"), value=opt_str(body, "value"),
                                    is_secret=opt_bool(body, "is_secret"))
    return ok({"environment_variable": {"id": var.id}}, status=201, code="VARIABLE_CREATED",
              message="Environment variable created")


@routes("GET", "/api/v1/environment_variables/{variable_id}")
def get_env_var(ctx: Ctx) -> Response:
    return ok({"environment_variable": _json(ctx.repos.env_vars.get(ctx.env, ctx.path["variable_id"]))})


@routes("PATCH", "/api/v1/environment_variables/{variable_id}")
def update_env_var(ctx: Ctx) -> Response:
    body = ctx.body()
    ctx.repos.env_vars.update(ctx.env, ctx.path["variable_id"], key=opt_str(body, "key"),
                              value=opt_str(body, "value"), is_secret=opt_bool(body, "is_secret"))
    return ok(code="ENVIRONMENT_VARIABLE_UPDATED", message="Environment variable updated")


@routes("DELETE", "/api/v1/environment_variables/{variable_id}")
def delete_env_var(ctx: Ctx) -> Response:
    ctx.repos.env_vars.delete(ctx.env, ctx.path["variable_id"])
    return ok(code="ENVIRONMENT_VARIABLE_DELETED", message="Environment variable deleted")
