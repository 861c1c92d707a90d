"""The emulator and a throwaway project directory as end-to-end tests see them."""
from __future__ import annotations

import json
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from emulator_client import ApiClient, Control, fetch_token

from kinde_iac.cli import main
from kinde_iac.emulator.server import RunningEmulator


class Kinde:
    """The emulator as a test sees it: credentials per environment, and the shared test client
    authorized as each environment's M2M app, for reading and changing Kinde behind kinde-iac's back."""

    def __init__(self, emulator: RunningEmulator) -> None:
        self.emulator = emulator
        self.url = emulator.url
        self.control = Control(emulator.url)
        self._clients: dict[str, ApiClient] = {}

    def env(self, code: str = "development", **extra: str) -> dict[str, str]:
        client_id, secret = self.emulator.credentials(code)
        return {"KINDE_DOMAIN": self.url, "KINDE_CLIENT_ID": client_id, "KINDE_CLIENT_SECRET": secret,
                "NO_COLOR": "1", **extra}

    def api(self, code: str = "development") -> ApiClient:
        if code not in self._clients:
            self._clients[code] = ApiClient(self.url, fetch_token(self.url, *self.emulator.credentials(code)))
        return self._clients[code]

    def call(self, method: str, path: str, code: str = "development", **kw: Any) -> dict:
        return self.api(code).call(method, path, **kw)

    def list(self, path: str, key: str, code: str = "development") -> list[dict]:
        params: dict[str, Any] = {"page_size": 500} if key in ("roles", "permissions", "applications") else {}
        return self.api(code).walk(path, key, **params)

    def stats(self) -> dict:
        return self.control.stats()

    def reset_stats(self) -> None:
        self.control.reset_stats()

    def reset(self) -> None:
        self.control.reset()
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def assert_clean_exit(result: Result, args: Sequence[str]) -> None:
    """No exception escaped the CLI (click's runner catches it into ``result.exception``; only the
    SystemExit carrying the exit code may be there), none was turned into the catch-all
    "Error: unexpected ..." line, and no traceback was printed."""
    command = " ".join(["kinde-iac", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
        raise AssertionError(f"{command}: an exception escaped the CLI\n{trace}")
    assert "Error: unexpected " not in result.stderr, f"{command}: an unexpected error\n{result.stderr}"
    assert "Traceback" not in result.output + result.stderr, f"{command} printed a traceback\n{result.output}"


class Workdir:
    """A throwaway project directory: config files and state for one test."""

    def __init__(self, root: Path, kinde: Kinde) -> None:
        self.root = root
        self.kinde = kinde
        self.runner = CliRunner()

    def write(self, name: str, config: dict) -> Path:
        path = self.root / name
        path.write_text(json.dumps(config, indent=2))
        return path

    def run(self, *args: str, env: dict[str, str] | None = None, code: str = "development",
            input: str | None = None) -> Result:
        """One CLI run. Whatever its exit code, it must have ended on purpose (``assert_clean_exit``)."""
        merged = {**self.kinde.env(code), **(env or {})}
        result = self.runner.invoke(main, list(args), env=merged, input=input)
        assert_clean_exit(result, args)
        return result

    def ws_args(self, config: dict, name: str = "dev") -> list[str]:
        path = self.write(f"{name}.json", config)
        return ["--config", str(path), "--state", str(self.root / f"{name}.db")]

    def apply(self, config: dict, name: str = "dev", code: str = "development", *, mass_delete: bool = False,
              **env: str) -> Result:
        flags = ["--allow-mass-delete"] if mass_delete else []
        result = self.run("apply", *self.ws_args(config, name), "--auto-approve", *flags, code=code, env=env)
        assert result.exit_code == 0, result.output + result.stderr
        return result

    def plan(self, config: dict, name: str = "dev", code: str = "development", **env: str) -> Result:
        return self.run("plan", *self.ws_args(config, name), "--detailed-exitcode", code=code, env=env)

    def assert_converged(self, config: dict, name: str = "dev", code: str = "development", **env: str) -> None:
        result = self.plan(config, name, code, **env)
        assert result.exit_code == 0, result.output + result.stderr
        assert "No changes." in result.output
