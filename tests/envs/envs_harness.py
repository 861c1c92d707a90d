"""A project directory for the environment-comparison tests: ``environments/`` with a shared
``common.json`` and the ``staging`` and ``prod`` workspaces that extend it, the real CLI run in it
(click's runner, in-process), and the emulator's staging and production environments behind it.

Imported by name: pytest puts this folder on ``sys.path``.
"""
from __future__ import annotations

import copy
import json
import traceback
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from emulator_client import ApiClient, fetch_token

from kinde_iac.cli import main
from kinde_iac.emulator.server import RunningEmulator

#: Secret values that must never appear in any output.
STAGING_SECRET = "sk_staging_SENTINEL_1f9c"
PROD_SECRET = "sk_prod_SENTINEL_7b2e"

COMMON: dict[str, Any] = {
    "applications": [{"key": "web", "name": "Acme Web", "type": "reg", "login_uri": "${var.app_url}/login",
                      "redirect_urls": ["${var.app_url}/callback"]}],
    "apis": [{"key": "orders-api", "name": "Orders API", "audience": "https://orders.acme.example",
              "scopes": [{"key": "orders:read", "description": "Read orders"}], "applications": ["web"]}],
    "permissions": [{"key": "orders:read", "name": "Read orders"},
                    {"key": "orders:write", "name": "Write orders"}],
    "roles": [{"key": "admin", "name": "Admin", "description": "Full access",
               "permissions": ["orders:read", "orders:write"]},
              {"key": "viewer", "name": "Viewer", "permissions": ["orders:read"]}],
    "feature_flags": [{"key": "new_checkout", "name": "New checkout", "type": "bool", "default_value": False}],
    "env_vars": [{"key": "PAYMENTS_GATEWAY", "value": "${var.gateway}"},
                 {"key": "STRIPE_KEY", "value": "${var.stripe_key}", "is_secret": True}],
}


def workspace(environment: str, **variables: Any) -> dict[str, Any]:
    return {"$extends": "common.json", "kinde": {"environment": environment}, "variables": variables}


STAGING = {
    **workspace("staging", app_url="https://staging.acme.example", gateway="sandbox", stripe_key=STAGING_SECRET),
    # Staging is ahead: a renamed admin, a new permission and role, a flag switched on.
    "permissions": [{"key": "orders:refund", "name": "Refund orders"}],
    "roles": [{"key": "admin", "name": "Administrators", "permissions": ["orders:read", "orders:write", "orders:refund"]},
              {"key": "support", "name": "Support", "description": "Help desk",
               "permissions": ["orders:read", "orders:refund"]}],
    "feature_flags": [{"key": "new_checkout", "value": True}],
}
PROD = {
    **workspace("production", app_url="https://acme.example", gateway="live", stripe_key=PROD_SECRET),
    "roles": [{"key": "admin", "protect": True}],
}


def assert_clean(result: Result, args: tuple[str, ...]) -> None:
    """The command ended on purpose: no escaped exception, no catch-all error, no traceback."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
        raise AssertionError(f"kinde-iac {' '.join(args)}: an exception escaped\n{trace}")
    assert "Error: unexpected" not in result.stderr and "Traceback" not in result.output + result.stderr


class Project:
    """The project directory (the working directory of every run) and the emulator."""

    def __init__(self, root: Path, emulator: RunningEmulator) -> None:
        self.root = root
        self.emulator = emulator
        self.runner = CliRunner()
        (root / "environments").mkdir()
        self.write("common", COMMON)
        self.write("staging", STAGING)
        self.write("prod", PROD)

    def path(self, name: str) -> Path:
        return self.root / "environments" / f"{name}.json"

    def write(self, name: str, doc: dict[str, Any]) -> Path:
        path = self.path(name)
        path.write_text(json.dumps(copy.deepcopy(doc), indent=2) + "\n", encoding="utf-8")
        return path

    def read(self, name: str) -> dict[str, Any]:
        return json.loads(self.path(name).read_text(encoding="utf-8"))

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def credentials(self) -> dict[str, str]:
        """Each workspace's own M2M app, as CI would set them."""
        env = {"KINDE_DOMAIN": self.emulator.url, "NO_COLOR": "1"}
        for workspace, code in (("STAGING", "staging"), ("PROD", "production")):
            client_id, secret = self.emulator.credentials(code)
            env[f"KINDE_CLIENT_ID_{workspace}"] = client_id
            env[f"KINDE_CLIENT_SECRET_{workspace}"] = secret
        return env

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        result = self.runner.invoke(main, list(args), env={**self.credentials(), **(env or {})})
        assert_clean(result, args)
        return result

    def api(self, code: str) -> ApiClient:
        return ApiClient(self.emulator.url, fetch_token(self.emulator.url, *self.emulator.credentials(code)))
