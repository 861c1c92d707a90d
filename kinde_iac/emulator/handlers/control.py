"""The emulator's own control routes under /_emulator/: reset, state, stats and faults.

No auth, never counted in stats, never faulted or rate limited.
"""
from __future__ import annotations

from werkzeug.wrappers import Response

from kinde_iac.emulator import faults
from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.handlers.base import Ctx, RouteTable, json_response

routes = RouteTable()
_CONTROL = {"public": True, "in_spec": False, "control": True}


@routes("POST", "/_emulator/reset", **_CONTROL)
def reset(ctx: Ctx) -> Response:
    ctx.repos.store.reset()
    ctx.services.stats.clear()
    return json_response({"reset": True})


@routes("GET", "/_emulator/state", **_CONTROL)
def state(ctx: Ctx) -> Response:
    return json_response(ctx.repos.store.dump())


@routes("GET", "/_emulator/stats", **_CONTROL)
def get_stats(ctx: Ctx) -> Response:
    return json_response(ctx.services.stats.snapshot())


@routes("DELETE", "/_emulator/stats", **_CONTROL)
def clear_stats(ctx: Ctx) -> Response:
    ctx.services.stats.clear()
    return json_response(ctx.services.stats.snapshot())


@routes("GET", "/_emulator/faults", **_CONTROL)
def get_faults(ctx: Ctx) -> Response:
    return json_response(ctx.services.faults.settings.to_json())


@routes("POST", "/_emulator/faults", **_CONTROL)
def set_faults(ctx: Ctx) -> Response:
    body = ctx.body()
    try:
        settings = faults.parse_settings(ctx.services.faults.settings, body)
    except faults.InvalidFaults as exc:
        raise bad_request("INVALID_FAULTS", str(exc)) from None
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise bad_request("INVALID_FAULTS", "seed must be an integer")
    ctx.services.faults.update(settings, seed=seed)
    return json_response(settings.to_json())
