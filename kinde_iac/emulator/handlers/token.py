"""POST /oauth2/token: the client-credentials grant (not in the Management API spec).

Errors use the OAuth shape ``{"error", "error_description"}``, not Kinde's ``errors`` envelope.
"""
from __future__ import annotations

import hmac

from werkzeug.wrappers import Response

from kinde_iac.emulator import scopes
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, json_response

routes = RouteTable()

TOKEN_PATH = "/oauth2/token"


def oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status,
                         headers={"Cache-Control": "no-store"})


@routes("POST", TOKEN_PATH, public=True, in_spec=False)
def issue_token(ctx: Ctx) -> Response:
    form = ctx.request.form
    grant_type = form.get("grant_type")
    if not grant_type:
        return oauth_error(400, "invalid_request", "The request is missing the grant_type parameter.")
    if grant_type != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", f"The grant type {grant_type} is not supported.")
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    basic = ctx.request.authorization
    if basic is not None and basic.type == "basic" and not client_id:
        client_id, client_secret = basic.username, basic.password
    store = ctx.repos.store
    client = store.client_by_id(client_id or "")
    if client is None or not hmac.compare_digest((client_secret or "").encode(), client.client_secret.encode()):
        return oauth_error(401, "invalid_client", "Client authentication failed (unknown client or wrong secret).")
    audience = form.get("audience")
    if audience != ctx.management_audience:
        # Kinde answers a missing or unknown audience with 403 invalid_request.
        return oauth_error(403, "invalid_request",
                           f"The audience must be {ctx.management_audience} (got {audience or 'none'}).")
    granted = scopes.all_scopes()
    requested = (form.get("scope") or "").split()
    ungranted = sorted(set(requested) - set(granted))
    if ungranted:
        return oauth_error(400, "invalid_scope",
                           f"The client is not allowed to request scope {', '.join(ungranted)}.")
    token_scopes = list(dict.fromkeys(requested)) if requested else list(granted)
    token = ctx.services.tokens.issue(client_id=client.client_id, audience=audience, issuer=ctx.base_url,
                                      scopes=token_scopes)
    return json_response({"access_token": token, "expires_in": ctx.services.tokens.ttl,
                          "scope": " ".join(token_scopes), "token_type": "Bearer"},
                         headers={"Cache-Control": "no-store"})
