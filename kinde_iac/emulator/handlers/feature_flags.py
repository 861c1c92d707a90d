"""Feature flag definitions (business-wide) and this environment's value overrides."""
from __future__ import annotations

from werkzeug.wrappers import Response

from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, ok, opt_str

routes = RouteTable()

_PUT_PARAMS = ("name", "description", "type", "allow_override_level", "default_value")


@routes("POST", "/api/v1/feature_flags")
def create_flag(ctx: Ctx) -> Response:
    body = ctx.body()
    ctx.repos.feature_flags.create(
        key=opt_str(body, "key"), name=opt_str(body, "name"), type=opt_str(body, "type"),
        # Not read with opt_str: Kinde's guide sends JSON booleans here, which the store accepts.
        default_value=body.get("default_value"), description=opt_str(body, "description"),
        allow_override_level=opt_str(body, "allow_override_level"))
    return ok(status=201)


@routes("PUT", "/api/v1/feature_flags/{feature_flag_key}")
def replace_flag(ctx: Ctx) -> Response:
    # Every field is a required query parameter (no body), as the spec says.
    missing = [p for p in _PUT_PARAMS if p not in ctx.args]
    if missing:
        raise bad_request(f"{missing[0].upper()}_REQUIRED", f"{missing[0]} is required")
    ctx.repos.feature_flags.replace(ctx.path["feature_flag_key"], **{p: ctx.args[p] for p in _PUT_PARAMS})
    return ok()


@routes("DELETE", "/api/v1/feature_flags/{feature_flag_key}")
def delete_flag(ctx: Ctx) -> Response:
    ctx.repos.feature_flags.delete(ctx.path["feature_flag_key"])
    return ok()


@routes("GET", "/api/v1/environment/feature_flags")
def list_environment_flags(ctx: Ctx) -> Response:
    flags = {flag.key: {"type": flag.type, "value": value}
             for flag, value, _ in ctx.repos.feature_flags.effective(ctx.env)}
    return ok({"feature_flags": flags})


@routes("DELETE", "/api/v1/environment/feature_flags")
def delete_environment_overrides(ctx: Ctx) -> Response:
    ctx.repos.feature_flags.delete_overrides(ctx.env)
    return ok()


@routes("PATCH", "/api/v1/environment/feature_flags/{feature_flag_key}")
def override_flag(ctx: Ctx) -> Response:
    body = ctx.body()
    ctx.repos.feature_flags.set_override(ctx.env, ctx.path["feature_flag_key"], body.get("value"))
    return ok()


@routes("DELETE", "/api/v1/environment/feature_flags/{feature_flag_key}")
def delete_override(ctx: Ctx) -> Response:
    ctx.repos.feature_flags.delete_override(ctx.env, ctx.path["feature_flag_key"])
    return ok()
