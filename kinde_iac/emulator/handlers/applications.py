"""Applications, their callback (redirect/logout) URLs and token settings."""
from __future__ import annotations

from werkzeug.wrappers import Response

from kinde_iac.emulator import paging
from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import (
    Ctx,
    RouteTable,
    drop_none,
    json_response,
    ok,
    opt_bool,
    opt_int,
    opt_str,
    opt_str_list,
)
from kinde_iac.emulator.store.applications import SETTINGS, TOKEN_SETTINGS

routes = RouteTable()


@routes("GET", "/api/v1/applications")
def list_applications(ctx: Ctx) -> Response:
    apps, token = ctx.token_page(ctx.repos.applications.list(ctx.env), paging.NAME_SORTS)
    payload = {"applications": [{"id": a.id, "name": a.name, "type": a.type} for a in apps]}
    return ok(payload | drop_none({"next_token": token}))


@routes("POST", "/api/v1/applications")
def create_application(ctx: Ctx) -> Response:
    body = ctx.body()
    app = ctx.repos.applications.create(ctx.env, name=opt_str(body, "name"), type=opt_str(body, "type"),
                                        org_code=opt_str(body, "org_code"))
    return ok({"application": drop_none({"id": app.id, "client_id": app.id, "client_secret": app.client_secret})},
              status=201)


@routes("GET", "/api/v1/applications/{application_id}")
def get_application(ctx: Ctx) -> Response:
    a = ctx.repos.applications.get(ctx.env, ctx.path["application_id"])
    return ok({"application": drop_none({
        "id": a.id, "name": a.name, "type": a.type, "client_id": a.id, "client_secret": a.client_secret,
        "login_uri": a.login_uri, "homepage_uri": a.homepage_uri,
        "has_cancel_button": a.has_cancel_button,
        "is_access_control_enabled": a.is_access_control_enabled,
        "is_allow_faceless_auth": a.is_allow_faceless_auth,
        "is_ask_for_name": a.is_ask_for_name,
        "has_marketing_consent": a.has_marketing_consent,
        "has_sign_in_link_on_sign_up_page": a.has_sign_in_link_on_sign_up_page,
        "has_register_link_on_sign_in_page": a.has_register_link_on_sign_in_page,
        "has_sign_in_with_sso_button": a.has_sign_in_with_sso_button,
        "use_gravatar_fallback": a.use_gravatar_fallback,
    })})


@routes("PATCH", "/api/v1/applications/{application_id}")
def update_application(ctx: Ctx) -> Response:
    body = ctx.body()
    changes: dict[str, object] = {}
    for name in SETTINGS:
        if name in body:
            reader = opt_bool if name.startswith(("is_", "has_", "use_")) else opt_str
            changes[name] = reader(body, name)
    for name in ("redirect_uris", "logout_uris"):
        if name in body:
            changes[name] = opt_str_list(body, name) or []
    ctx.repos.applications.update(ctx.env, ctx.path["application_id"],
                                  {k: v for k, v in changes.items() if v is not None or k.endswith("_uris")})
    # The spec declares no body for this 200; Kinde's success envelope is the safe thing to send.
    return ok()


@routes("DELETE", "/api/v1/applications/{application_id}")
def delete_application(ctx: Ctx) -> Response:
    ctx.repos.applications.delete(ctx.env, ctx.path["application_id"])
    return ok()


@routes("PATCH", "/api/v1/applications/{application_id}/tokens")
def update_application_tokens(ctx: Ctx) -> Response:
    body = ctx.body()
    changes = {name: (opt_bool if name.startswith("is_") else opt_int)(body, name) for name in TOKEN_SETTINGS}
    ctx.repos.applications.update_tokens(ctx.env, ctx.path["application_id"], changes)
    return ok()


# -- callback URLs (path parameter named app_id here) --------------------------------------------

def _urls_from_body(ctx: Ctx) -> list[str]:
    urls = opt_str_list(ctx.body(), "urls")
    if urls is None:
        raise bad_request("URLS_REQUIRED", "urls is required")
    return urls


def _urls_from_query(ctx: Ctx) -> list[str]:
    raw = ctx.args.get("urls")
    if not raw:
        raise bad_request("URLS_REQUIRED", "urls is required")
    return [u.strip() for u in raw.split(",") if u.strip()]


@routes("GET", "/api/v1/applications/{app_id}/auth_redirect_urls")
def get_redirect_urls(ctx: Ctx) -> Response:
    urls = ctx.repos.applications.urls(ctx.env, ctx.path["app_id"], "redirect_urls")
    # The spec's schema for this one response has no code/message.
    return json_response({"redirect_urls": list(urls)})


@routes("POST", "/api/v1/applications/{app_id}/auth_redirect_urls")
def add_redirect_urls(ctx: Ctx) -> Response:
    ctx.repos.applications.add_urls(ctx.env, ctx.path["app_id"], "redirect_urls", _urls_from_body(ctx))
    return ok()


@routes("PUT", "/api/v1/applications/{app_id}/auth_redirect_urls")
def replace_redirect_urls(ctx: Ctx) -> Response:
    ctx.repos.applications.replace_urls(ctx.env, ctx.path["app_id"], "redirect_urls", _urls_from_body(ctx))
    return ok()


@routes("DELETE", "/api/v1/applications/{app_id}/auth_redirect_urls")
def delete_redirect_urls(ctx: Ctx) -> Response:
    ctx.repos.applications.delete_urls(ctx.env, ctx.path["app_id"], "redirect_urls", _urls_from_query(ctx))
    return ok()


@routes("GET", "/api/v1/applications/{app_id}/auth_logout_urls")
def get_logout_urls(ctx: Ctx) -> Response:
    urls = ctx.repos.applications.urls(ctx.env, ctx.path["app_id"], "logout_urls")
    return ok({"logout_urls": list(urls)})


@routes("POST", "/api/v1/applications/{app_id}/auth_logout_urls")
def add_logout_urls(ctx: Ctx) -> Response:
    ctx.repos.applications.add_urls(ctx.env, ctx.path["app_id"], "logout_urls", _urls_from_body(ctx))
    return ok()


@routes("PUT", "/api/v1/applications/{app_id}/auth_logout_urls")
def replace_logout_urls(ctx: Ctx) -> Response:
    ctx.repos.applications.replace_urls(ctx.env, ctx.path["app_id"], "logout_urls", _urls_from_body(ctx))
    return ok()


@routes("DELETE", "/api/v1/applications/{app_id}/auth_logout_urls")
def delete_logout_urls(ctx: Ctx) -> Response:
    ctx.repos.applications.delete_urls(ctx.env, ctx.path["app_id"], "logout_urls", _urls_from_query(ctx))
    return ok()
