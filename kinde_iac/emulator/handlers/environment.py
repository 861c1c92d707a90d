"""GET /api/v1/environment and /api/v1/business (+ PATCH business)."""
from __future__ import annotations

from werkzeug.wrappers import Response

from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, ok, opt_bool, opt_str
from kinde_iac.emulator.store.environment import BUSINESS_FIELDS

routes = RouteTable()


@routes("GET", "/api/v1/environment")
def get_environment(ctx: Ctx) -> Response:
    env, is_default = ctx.repos.environments.get(ctx.env)
    return ok({"environment": {
        "code": env.code,
        "name": env.name,
        "hotjar_site_id": None,
        "google_analytics_tag": None,
        "contentsquare_tag_id": None,
        "is_default": is_default,
        # Kinde's default environment is its live (production) one.
        "is_live": is_default,
        "kinde_domain": ctx.request.host,
        "custom_domain": None,
        "logo": None, "logo_dark": None, "favicon_svg": None, "favicon_fallback": None,
        "link_color": None, "background_color": None, "button_color": None, "button_text_color": None,
        "link_color_dark": None, "background_color_dark": None, "button_text_color_dark": None,
        "button_color_dark": None,
        "button_border_radius": None, "card_border_radius": None, "input_border_radius": None,
        "theme_code": "user_preference",
        "color_scheme": "light dark",
        "created_on": env.created_on,
    }})


@routes("GET", "/api/v1/business")
def get_business(ctx: Ctx) -> Response:
    b = ctx.repos.environments.business()
    return ok({"business": {
        "code": b.code, "name": b.name, "phone": b.phone, "email": b.email, "industry": b.industry,
        "timezone": b.timezone, "privacy_url": b.privacy_url, "terms_url": b.terms_url,
        "has_clickwrap": b.has_clickwrap, "has_kinde_branding": b.has_kinde_branding,
        "created_on": b.created_on,
    }})


@routes("PATCH", "/api/v1/business")
def update_business(ctx: Ctx) -> Response:
    body = ctx.body()
    changes = {}
    for name in BUSINESS_FIELDS:
        changes[name] = opt_bool(body, name) if name.startswith("is_") else opt_str(body, name)
    if not any(v is not None for v in changes.values()):
        raise bad_request("NO_FIELDS_TO_UPDATE", "At least one field must be provided for update")
    ctx.repos.environments.update_business(changes)
    return ok()
