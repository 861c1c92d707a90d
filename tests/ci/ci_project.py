"""A kinde-iac project directory as a CI job sees it: the shipped example workspaces (dev, staging,
prod), credentials per workspace for the emulator, and the CLI run in that directory."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from emulator_client import Control

from kinde_iac.cli import main
from kinde_iac.emulator.server import RunningEmulator

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = {"dev": "development", "staging": "staging", "prod": "production"}
TOKEN = "ghs_FAKEtoken0123456789abcdef"


def read_outputs(path: Path) -> dict[str, str]:
    from kinde_iac.ci.action import parse_outputs

    return parse_outputs(path.read_text(encoding="utf-8")) if path.exists() else {}


class Project:
    def __init__(self, root: Path, emulator: RunningEmulator) -> None:
        self.root = root
        self.emulator = emulator
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(REPO / "environments", root / "environments", dirs_exist_ok=True)
        (root / "state").mkdir(exist_ok=True)
        self.github_output = root / "github_output"
        self.step_summary = root / "step_summary"

    def env(self, **extra: str) -> dict[str, str]:
        env = {"KINDE_DOMAIN": self.emulator.url, "NO_COLOR": "1", "PAYMENTS_API_KEY": "pay-secret-1",
               "GITHUB_OUTPUT": str(self.github_output), "GITHUB_STEP_SUMMARY": str(self.step_summary)}
        for workspace, code in ENVIRONMENTS.items():
            client_id, secret = self.emulator.credentials(code)
            env[f"KINDE_CLIENT_ID_{workspace.upper()}"] = client_id
            env[f"KINDE_CLIENT_SECRET_{workspace.upper()}"] = secret
        return {**env, **extra}

    def run(self, *args: str, **env: str) -> Result:
        """The CLI in-process (click's runner), in this directory."""
        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            result = CliRunner().invoke(main, list(args), env=self.env(**env))
        finally:
            os.chdir(cwd)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert "Traceback" not in result.output + result.stderr
        return result

    def shell(self, script: str, env: Mapping[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """A workflow's ``run:`` script in bash, with the test venv's tools first on PATH."""
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd or self.root,
                              env={**os.environ, "PATH": path, **env}, capture_output=True, text=True,
                              timeout=300, check=False)

    def outputs(self) -> dict[str, str]:
        return read_outputs(self.github_output)

    def summary(self) -> str:
        return self.step_summary.read_text(encoding="utf-8") if self.step_summary.exists() else ""

    def reset_ci_files(self) -> None:
        for path in (self.github_output, self.step_summary):
            path.unlink(missing_ok=True)

    def edit(self, workspace: str, change: Any) -> None:
        path = self.root / "environments" / f"{workspace}.json"
        config = json.loads(path.read_text())
        change(config)
        path.write_text(json.dumps(config, indent=2))


def reset(emulator: RunningEmulator) -> None:
    Control(emulator.url).reset()
