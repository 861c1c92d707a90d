"""Helpers shared by the config tests (a plain module: no conftest, to avoid name clashes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
SEED_EXAMPLE = DATA / "seed_dev.json"
NATIVE_EXAMPLE = DATA / "native_full.json"
NATIVE_ENV = {"PAYMENTS_SECRET": "s3cret", "GITHUB_CLIENT_SECRET": "gh-s3cret"}


def write(directory: Path, files: dict[str, Any]) -> None:
    """Write ``{name: text or JSON-able value}`` under ``directory``."""
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
