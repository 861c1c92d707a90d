"""The two state backends as the contract suite sees them: a place to open stores at, by location
string, from this process or a child (imported by name: pytest puts this folder on sys.path)."""
from __future__ import annotations

from pathlib import Path

import attrs

from kinde_iac.state import StateStore

BACKENDS = ("sqlite", "postgresql")


@attrs.frozen
class Place:
    """Where one test's state lives: a file path (SQLite) or a URL with the test's own schema."""

    backend: str
    location: str

    def open(self, workspace: str = "staging", *, create: bool = False, domain: str | None = None) -> StateStore:
        return StateStore.open(self.location, workspace=workspace, create=create, domain=domain)

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgresql"


def sqlite_place(tmp_path: Path, name: str = "staging") -> Place:
    return Place("sqlite", str(tmp_path / "state" / f"{name}.db"))
