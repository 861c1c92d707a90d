"""GET /api/v1/environment and the business."""
from __future__ import annotations

from kinde_iac.emulator.server import RunningEmulator

from .client import KindeClient


def test_environment_reports_code_and_domain(emulator: RunningEmulator, client: KindeClient,
                                             staging: KindeClient) -> None:
    env = client.ok("GET", "/api/v1/environment")["environment"]
    assert env["code"] == "production" and env["name"] == "Production"
    assert env["is_default"] is True and env["is_live"] is True
    assert env["kinde_domain"] == emulator.url.removeprefix("http://")
    other = staging.ok("GET", "/api/v1/environment")["environment"]
    assert other["code"] == "staging" and other["is_default"] is False


def test_business_is_shared_and_patchable(client: KindeClient, staging: KindeClient) -> None:
    business = client.ok("GET", "/api/v1/business")["business"]
    assert business["code"].startswith("bus_")
    client.ok("PATCH", "/api/v1/business", json={"business_name": "Acme", "is_click_wrap": True})
    updated = staging.ok("GET", "/api/v1/business")["business"]
    assert updated["name"] == "Acme" and updated["has_clickwrap"] is True
    assert client.error("PATCH", "/api/v1/business", 400, json={}) == "NO_FIELDS_TO_UPDATE"
