"""The emulator and a throwaway project directory as end-to-end tests see them."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner

from kinde_iac.cli import main
from kinde_iac.emulator.server import RunningEmulator


class Kinde:
    """The emulator as a test sees it: credentials per environment and a raw API session."""

    def __init__(self, emulator: RunningEmulator) -> None:
        self.emulator = emulator
        self.url = emulator.url
        self._sessions: dict[str, requests.Session] = {}

    def env(self, code: str = "development", **extra: str) -> dict[str, str]:
        client_id, secret = self.emulator.credentials(code)
        return {"KINDE_DOMAIN": self.url, "KINDE_CLIENT_ID": client_id, "KINDE_CLIENT_SECRET": secret,
                "NO_COLOR": "1", **extra}

    def api(self, code: str = "development") -> requests.Session:
        """A session authorized as the environment's M2M app, for changes behind kinde-iac's back."""
        if code not in self._sessions:
            client_id, secret = self.emulator.credentials(code)
            token = requests.post(f"{self.url}/oauth2/token", timeout=10, data={
                "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                "audience": f"{self.url}/api"}).json()["access_token"]
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {token}"
            self._sessions[code] = s
        return self._sessions[code]

    def call(self, method: str, path: str, code: str = "development", **kw: Any) -> dict:
        resp = self.api(code).request(method, f"{self.url}{path}", timeout=10, **kw)
        assert resp.status_code < 300, (method, path, resp.status_code, resp.text)
        return resp.json() if resp.content else {}

    def list(self, path: str, key: str, code: str = "development") -> list[dict]:
        out: list[dict] = []
        params: dict[str, Any] = {"page_size": 500} if key in ("roles", "permissions", "applications") else {}
        while True:
            body = self.call("GET", path, code, params=params)
            out.extend(body.get(key) or [])
            if not body.get("next_token"):
                return out
            params = {**params, "next_token": body["next_token"]}

    def stats(self) -> dict:
        return requests.get(f"{self.url}/_emulator/stats", timeout=10).json()

    def reset_stats(self) -> None:
        requests.delete(f"{self.url}/_emulator/stats", timeout=10).raise_for_status()

    def reset(self) -> None:
        requests.post(f"{self.url}/_emulator/reset", timeout=10).raise_for_status()
        self._sessions.clear()


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
            input: str | None = None) -> Any:
        merged = {**self.kinde.env(code), **(env or {})}
        return self.runner.invoke(main, list(args), env=merged, input=input, catch_exceptions=False)

    def ws_args(self, config: dict, name: str = "dev") -> list[str]:
        path = self.write(f"{name}.json", config)
        return ["--config", str(path), "--state", str(self.root / f"{name}.db")]

    def apply(self, config: dict, name: str = "dev", code: str = "development", *, mass_delete: bool = False,
              **env: str) -> Any:
        flags = ["--allow-mass-delete"] if mass_delete else []
        result = self.run("apply", *self.ws_args(config, name), "--auto-approve", *flags, code=code, env=env)
        assert result.exit_code == 0, result.output + result.stderr
        return result

    def plan(self, config: dict, name: str = "dev", code: str = "development", **env: str) -> Any:
        return self.run("plan", *self.ws_args(config, name), "--detailed-exitcode", code=code, env=env)

    def assert_converged(self, config: dict, name: str = "dev", code: str = "development", **env: str) -> None:
        result = self.plan(config, name, code, **env)
        assert result.exit_code == 0, result.output + result.stderr
        assert "No changes." in result.output
