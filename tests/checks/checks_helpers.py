"""Helpers for the `check` and `lint` tests: the fixture app's decoys, the CLI runner, line lookup."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from kinde_iac.cli import main

FIXTURES = Path(__file__).parent / "fixtures"

#: Files a scan must never read: each uses a key no workspace defines, so reading one shows up.
DECOYS = {
    "node_modules/@kinde-oss/kinde-auth-react/index.js": 'getPermission("ghost:dependency");\n',
    ".next/server/app/page.js": 'has({ permissions: ["ghost:build"] });\n',
    "dist/bundle.mjs": 'getFlag("ghost_dist", false);\n',
    "generated/keys.ts": 'export const k = getFlag("ghost_generated", false);\n',  # in the app's .gitignore
    "src/flags.local.ts": 'getFlag("ghost_local", false);\n',  # *.local.ts in the app's .gitignore
    "src/types/kinde.d.ts": 'declare function getPermission(key: "ghost:types"): boolean;\n',
}


class Cli:
    """The real CLI, run in a working directory of the test's own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.runner.invoke(main, list(args), env=env, catch_exceptions=False)

    def json(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self(*args)
        return result.exit_code, json.loads(result.stdout)

    def write(self, name: str, doc: dict[str, Any]) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2))
        return path


def lines_with(path: Path, needle: str) -> list[int]:
    """1-based numbers of the lines of ``path`` containing ``needle`` (found without the scanner)."""
    return [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
