"""Every emulated operation, driven by requests generated from the spec, answers per the spec."""
from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from werkzeug.wrappers import Response

from kinde_iac.emulator.handlers.base import Ctx, json_response
from kinde_iac.emulator.server import RunningEmulator, start_background

from .client import KindeClient, fetch_token
from .spec_check import SpecViolation
from .walker import Walker


def test_every_operation_conforms(emulator: RunningEmulator, client: KindeClient,
                                  make_client: Callable[..., KindeClient], capsys: pytest.CaptureFixture) -> None:
    routes = emulator.app.routes
    report = Walker(client, make_client(emulator.url), routes).run()
    served = {r.label for r in routes if r.in_spec}
    assert report.operations == served, f"never succeeded: {sorted(served - report.operations)}"
    # One success each, one probe naming an unknown object for most, one without a token for all but one.
    assert report.responses >= 2.5 * len(served)
    assert {403, 200} <= set(report.statuses) and set(report.statuses) <= {200, 201, 400, 403, 404}
    with capsys.disabled():
        print(f"\n{report.summary()}")


def test_the_walk_fails_on_a_response_the_spec_rejects(make_client: Callable[..., KindeClient]) -> None:
    def wrong_shape(ctx: Ctx) -> Response:
        return json_response({"code": "OK", "message": "Success", "webhooks": {"not": "a list"}})

    with start_background() as emu:
        routes = [attrs.evolve(r, handler=wrong_shape) if r.label == "GET /api/v1/webhooks" else r
                  for r in emu.app.routes]
        emu.app.routes[:] = routes
        client = make_client(emu.url, fetch_token(emu.url, *emu.credentials()))
        with pytest.raises(SpecViolation, match="webhooks"):
            Walker(client, make_client(emu.url), routes).run()
