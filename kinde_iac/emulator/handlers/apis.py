"""APIs, their scopes, application authorization and app scope grants."""
from __future__ import annotations

from werkzeug.wrappers import Response

from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, drop_none, id_operations, ok, opt_str
from kinde_iac.emulator.store.models import Api, ApiScope

routes = RouteTable()

# GET /apis/{id} reports application types as display strings, not the codes used elsewhere.
APP_TYPE_LABELS = {
    "m2m": "Machine to machine (M2M)",
    "reg": "Back-end web",
    "spa": "Front-end and mobile",
    "device": "Device and IoT",
}


def _audience(ctx: Ctx, api: Api) -> str:
    # The management API's audience is <the Kinde domain the client used>/api.
    return ctx.management_audience if api.is_management_api else api.audience


def _scope(scope: ApiScope) -> dict[str, str]:
    return drop_none({"id": scope.id, "key": scope.key, "description": scope.description})


@routes("GET", "/api/v1/apis")
def list_apis(ctx: Ctx) -> Response:
    expand = ctx.args.get("expand")
    if expand not in (None, "scopes"):
        raise bad_request("INVALID_EXPAND", "expand must be 'scopes'")
    apis = []
    for api, scopes in ctx.repos.apis.list(ctx.env):
        item = {"id": api.id, "name": api.name, "audience": _audience(ctx, api),
                "is_management_api": api.is_management_api}
        if expand == "scopes":
            item["scopes"] = [{"id": s.id, "key": s.key} for s in scopes]
        apis.append(item)
    # No page parameters exist for this list: every API comes back and no next_token is sent.
    return ok({"apis": apis})


@routes("POST", "/api/v1/apis")
def create_api(ctx: Ctx) -> Response:
    body = ctx.body()
    api = ctx.repos.apis.create(ctx.env, name=opt_str(body, "name"), audience=opt_str(body, "audience"),
                                reserved_audience=ctx.management_audience)
    return ok({"api": {"id": api.id}})  # 200, not 201, as the spec says


@routes("GET", "/api/v1/apis/{api_id}")
def get_api(ctx: Ctx) -> Response:
    detail = ctx.repos.apis.get(ctx.env, ctx.path["api_id"])
    api = detail.api
    return ok({"api": {
        "id": api.id, "name": api.name, "audience": _audience(ctx, api),
        "is_management_api": api.is_management_api,
        "scopes": [{"id": s.id, "key": s.key} for s in detail.scopes],
        # Only authorized applications are listed (Kinde does not say whether it lists others).
        "applications": [{"id": a.id, "name": a.name, "type": APP_TYPE_LABELS[a.type], "is_active": True}
                         for a in detail.applications],
    }})


@routes("DELETE", "/api/v1/apis/{api_id}")
def delete_api(ctx: Ctx) -> Response:
    ctx.repos.apis.delete(ctx.env, ctx.path["api_id"])
    return ok(code="API_DELETED", message="API successfully deleted")


@routes("PATCH", "/api/v1/apis/{api_id}/applications")
def authorize_applications(ctx: Ctx) -> Response:
    changes = id_operations(ctx.body(), "applications")
    connected, disconnected = ctx.repos.apis.authorize(ctx.env, ctx.path["api_id"], changes)
    return ok({"applications_connected": connected, "applications_disconnected": disconnected},
              code="API_APPLICATIONS_UPDATED", message="API applications updated")


@routes("POST", "/api/v1/apis/{api_id}/applications/{application_id}/scopes/{scope_id}")
def grant_application_scope(ctx: Ctx) -> Response:
    ctx.repos.apis.grant_app_scope(ctx.env, ctx.path["api_id"], ctx.path["application_id"],
                                   ctx.path["scope_id"], grant=True)
    return ok()


@routes("DELETE", "/api/v1/apis/{api_id}/applications/{application_id}/scopes/{scope_id}")
def revoke_application_scope(ctx: Ctx) -> Response:
    ctx.repos.apis.grant_app_scope(ctx.env, ctx.path["api_id"], ctx.path["application_id"],
                                   ctx.path["scope_id"], grant=False)
    return ok()


# -- scopes ----------------------------------------------------------------------------------------

@routes("GET", "/api/v1/apis/{api_id}/scopes")
def list_scopes(ctx: Ctx) -> Response:
    return ok({"scopes": [_scope(s) for s in ctx.repos.apis.scopes(ctx.env, ctx.path["api_id"])]})


@routes("POST", "/api/v1/apis/{api_id}/scopes")
def create_scope(ctx: Ctx) -> Response:
    body = ctx.body()
    scope = ctx.repos.apis.create_scope(ctx.env, ctx.path["api_id"], key=opt_str(body, "key"),
                                        description=opt_str(body, "description"))
    return ok({"scope": {"id": scope.id}})  # 200, as the spec says


@routes("GET", "/api/v1/apis/{api_id}/scopes/{scope_id}")
def get_scope(ctx: Ctx) -> Response:
    return ok({"scope": _scope(ctx.repos.apis.scope(ctx.env, ctx.path["api_id"], ctx.path["scope_id"]))})


@routes("PATCH", "/api/v1/apis/{api_id}/scopes/{scope_id}")
def update_scope(ctx: Ctx) -> Response:
    body = ctx.body()
    # Only the description is editable; a key change means delete and create.
    ctx.repos.apis.update_scope(ctx.env, ctx.path["api_id"], ctx.path["scope_id"],
                                description=opt_str(body, "description"))
    return ok()


@routes("DELETE", "/api/v1/apis/{api_id}/scopes/{scope_id}")
def delete_scope(ctx: Ctx) -> Response:
    ctx.repos.apis.delete_scope(ctx.env, ctx.path["api_id"], ctx.path["scope_id"])
    return ok()
