"""The emulator's own control routes under /_emulator/: reset, state, stats and faults.

No auth, never counted in stats, never faulted or rate limited.
"""
from __future__ import annotations

from werkzeug.wrappers import Response

from kinde_iac.emulator import faults
from kinde_iac.emulator.errors import bad_request
from kinde_iac.emulator.gate import PHASES
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


@routes("POST", "/_emulator/gate", **_CONTROL)
def arm_gate(ctx: Ctx) -> Response:
    """Hold every API request after the first ``after`` ones (crash tests kill the client then)."""
    body = ctx.body()
    after, phase = body.get("after"), body.get("phase", "before")
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise bad_request("INVALID_GATE", "after must be a non-negative integer")
    if phase not in PHASES:
        raise bad_request("INVALID_GATE", f"phase must be one of {', '.join(PHASES)}")
    ctx.services.gate.arm(after, phase)
    return json_response(ctx.services.gate.snapshot())


@routes("DELETE", "/_emulator/gate", **_CONTROL)
def release_gate(ctx: Ctx) -> Response:
    ctx.services.gate.release()
    return json_response(ctx.services.gate.snapshot())


@routes("GET", "/_emulator/gate", **_CONTROL)
def wait_gate(ctx: Ctx) -> Response:
    """Blocks until a request is held (or ``timeout`` seconds pass): synchronisation without sleeps."""
    try:
        timeout = float(ctx.request.args.get("wait", "0"))
    except ValueError:
        raise bad_request("INVALID_GATE", "wait must be a number of seconds") from None
    if timeout > 0:
        ctx.services.gate.wait_held(min(timeout, 120.0))
    return json_response(ctx.services.gate.snapshot())
