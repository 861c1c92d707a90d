"""API keys: list (cursor paged), create, get, rotate, delete (revokes), and the public verify."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from kinde_iac.emulator import paging
from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, ok, opt_str, opt_str_list, with_404
from kinde_iac.emulator.store.api_keys import ApiKeyView

routes = RouteTable()

DEFAULT_PAGE_SIZE = 50  # "Defaults to 50 if parameter not sent" (getApiKeys)


def _json(view: ApiKeyView, *, detail: bool = False) -> dict[str, Any]:
    k = view.key
    out: dict[str, Any] = {
        "id": k.id, "name": k.name, "type": k.type, "status": k.status, "key_prefix": k.key_prefix,
        "key_suffix": k.key_suffix, "created_on": k.created_on, "last_verified_on": k.last_verified_on,
        "last_verified_ip": k.last_verified_ip, "created_by": None, "api_ids": [k.api_id],
        "scopes": view.scope_keys,
    }
    if detail:
        out |= {"verification_count": k.verification_count, "organization_id": k.org_code, "user_id": k.user_id}
    return out


@routes("GET", "/api/v1/api_keys")
def list_api_keys(ctx: Ctx) -> Response:
    keys = ctx.repos.api_keys.list(ctx.env)
    filters = {"key_type": lambda v: v.key.type, "status": lambda v: v.key.status,
               "user_id": lambda v: v.key.user_id, "org_code": lambda v: v.key.org_code}
    for name, get in filters.items():
        wanted = ctx.args.get(name)
        if wanted:
            keys = [k for k in keys if get(k) == wanted]
    page, has_more = paging.cursor_page(keys, ctx.args, DEFAULT_PAGE_SIZE, lambda v: v.key.id)
    return ok({"has_more": has_more, "api_keys": [_json(k) for k in page]})


@routes("POST", "/api/v1/api_keys")
def create_api_key(ctx: Ctx) -> Response:
    body = ctx.body()
    key, secret = ctx.repos.api_keys.create(
        ctx.env, name=opt_str(body, "name"), type=opt_str(body, "type"), api_id=opt_str(body, "api_id"),
        scope_ids=opt_str_list(body, "scope_ids"), user_id=opt_str(body, "user_id"),
        org_code=opt_str(body, "org_code"))
    return ok({"api_key": {"id": key.id, "key": secret}}, status=201, code="API_KEY_CREATED",
              message="API key created")


@routes("GET", "/api/v1/api_keys/{key_id}")
def get_api_key(ctx: Ctx) -> Response:
    view = with_404(lambda: ctx.repos.api_keys.get(ctx.env, ctx.path["key_id"]))
    return ok({"api_key": _json(view, detail=True)})


@routes("PUT", "/api/v1/api_keys/{key_id}")
def rotate_api_key(ctx: Ctx) -> Response:
    key, secret = with_404(lambda: ctx.repos.api_keys.rotate(ctx.env, ctx.path["key_id"]))
    return ok({"api_key": {"id": key.id, "key": secret}}, status=201, code="API_KEY_ROTATED",
              message="API key rotated successfully")


@routes("DELETE", "/api/v1/api_keys/{key_id}")
def delete_api_key(ctx: Ctx) -> Response:
    with_404(lambda: ctx.repos.api_keys.revoke(ctx.env, ctx.path["key_id"]))
    return ok()


@routes("POST", "/api/v1/api_keys/verify", public=True)
def verify_api_key(ctx: Ctx) -> Response:
    secret = opt_str(ctx.body(), "api_key")
    if not secret:
        raise bad_request("API_KEY_REQUIRED", "api_key is required")
    found = ctx.repos.api_keys.verify(secret, ip=ctx.request.remote_addr)
    if found is None:
        # Unknown, deleted or rotated-out secret: a verification result, not an error.
        return ok({"is_valid": False, "scopes": []}, code="API_KEY_INVALID", message="API key is invalid")
    k = found.key
    return ok({"is_valid": k.status == "active", "key_id": k.id, "status": k.status, "scopes": found.scope_keys,
               "org_code": k.org_code, "user_id": k.user_id, "last_verified_on": k.last_verified_on,
               "verification_count": k.verification_count},
              code="API_KEY_VERIFIED", message="API key verified")
