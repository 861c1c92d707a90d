"""Connections, and the application endpoints that enable and disable them."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from kinde_iac.emulator import apispec, paging, validation
from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import (
    Ctx,
    RouteTable,
    ok,
    opt_object,
    opt_str,
    opt_str_list,
    with_404,
)
from kinde_iac.emulator.store.connections import public_options
from kinde_iac.emulator.store.models import Connection

routes = RouteTable()

COLLECTION = "/api/v1/connections"
ITEM = "/api/v1/connections/{connection_id}"


def connection_json(c: Connection) -> dict[str, Any]:
    # Secret options (client secrets, private keys) are write-only: never part of an answer.
    return {"id": c.id, "name": c.name, "display_name": c.display_name, "strategy": c.strategy,
            "options": public_options(c)}


def _variant(strategy: str) -> int:
    """Which of the spec's ``options`` variants (Social, Azure AD, SAML, in that order) applies."""
    if strategy in ("oauth2:azure_ad", "wsfed:azure_ad"):
        return 1
    return 2 if strategy.startswith("saml:") else 0


def _options(body: dict[str, Any], strategy: str, method: str, template: str) -> dict[str, Any] | None:
    """The body's ``options``, checked against the spec's variant for ``strategy``."""
    options = opt_object(body, "options")
    if options is None:
        return None
    request = apispec.resolve(apispec.operations()[(method, template)]["requestBody"])
    schema = request["content"]["application/json"]["schema"]["properties"]["options"]["oneOf"][_variant(strategy)]
    problem = validation.value_problem(schema, options, "options")
    if problem:
        raise bad_request("INVALID_OPTIONS", problem)
    return options


@routes("GET", COLLECTION)
def list_connections(ctx: Ctx) -> Response:
    connections = ctx.repos.connections.list(ctx.env)
    domain = ctx.args.get("home_realm_domain")
    if domain:
        connections = [c for c in connections if domain in (c.options.get("home_realm_domains") or ())]
    page, has_more = paging.cursor_page(connections, ctx.args, paging.DEFAULT_PAGE_SIZE, lambda c: c.id)
    return ok({"connections": [connection_json(c) for c in page], "has_more": has_more})


@routes("POST", COLLECTION)
def create_connection(ctx: Ctx) -> Response:
    body = ctx.body()
    strategy = opt_str(body, "strategy")
    connection = ctx.repos.connections.create(
        ctx.env, name=opt_str(body, "name"), display_name=opt_str(body, "display_name"), strategy=strategy,
        options=_options(body, strategy or "", "POST", COLLECTION),
        enabled_applications=opt_str_list(body, "enabled_applications"),
        organization_code=opt_str(body, "organization_code"))
    return ok({"connection": {"id": connection.id}}, status=201, code="CONNECTION_CREATED",
              message="Connection created")


@routes("GET", ITEM)
def get_connection(ctx: Ctx) -> Response:
    # The spec documents no 404 here (it does for PATCH, PUT and DELETE): unknown ids get a 400.
    return ok({"connection": connection_json(ctx.repos.connections.get(ctx.env, ctx.path["connection_id"]))})


def _update(ctx: Ctx, method: str) -> Response:
    body = ctx.body()
    if "strategy" in body:
        # Not a field of these operations: another identity provider means another connection.
        raise bad_request("CONNECTION_STRATEGY_IMMUTABLE", "A connection's strategy cannot be changed")
    connection = with_404(lambda: ctx.repos.connections.get(ctx.env, ctx.path["connection_id"]))
    options = _options(body, connection.strategy, method, ITEM)
    with_404(lambda: ctx.repos.connections.update(
        ctx.env, connection.id, name=opt_str(body, "name"), display_name=opt_str(body, "display_name"),
        options=options, enabled_applications=opt_str_list(body, "enabled_applications"),
        replace=method == "PUT"))
    return ok()


@routes("PATCH", ITEM)
def update_connection(ctx: Ctx) -> Response:
    return _update(ctx, "PATCH")


@routes("PUT", ITEM)
def replace_connection(ctx: Ctx) -> Response:
    return _update(ctx, "PUT")


@routes("DELETE", ITEM)
def delete_connection(ctx: Ctx) -> Response:
    with_404(lambda: ctx.repos.connections.delete(ctx.env, ctx.path["connection_id"]))
    return ok()


# -- per application -----------------------------------------------------------------------------

@routes("GET", "/api/v1/applications/{application_id}/connections")
def list_application_connections(ctx: Ctx) -> Response:
    connections = ctx.repos.connections.for_application(ctx.env, ctx.path["application_id"])
    # No page parameters exist for this list: everything comes back at once.
    return ok({"connections": [connection_json(c) for c in connections], "has_more": False})


@routes("POST", "/api/v1/applications/{application_id}/connections/{connection_id}")
def enable_connection(ctx: Ctx) -> Response:
    ctx.repos.connections.set_enabled(ctx.env, ctx.path["application_id"], ctx.path["connection_id"],
                                      enabled=True)
    return ok()  # the spec declares no body for this 200


@routes("DELETE", "/api/v1/applications/{application_id}/connections/{connection_id}")
def disable_connection(ctx: Ctx) -> Response:
    ctx.repos.connections.set_enabled(ctx.env, ctx.path["application_id"], ctx.path["connection_id"],
                                      enabled=False)
    return ok()
