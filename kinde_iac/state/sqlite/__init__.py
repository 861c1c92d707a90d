"""The SQLite state backend (the default): ``state/<workspace>.db``."""
from __future__ import annotations

from kinde_iac.state.sqlite.backend import SqliteBackend
from kinde_iac.state.sqlite.database import BUSY_TIMEOUT_SECONDS
from kinde_iac.state.sqlite.schema import SCHEMA_VERSION

__all__ = ["BUSY_TIMEOUT_SECONDS", "SCHEMA_VERSION", "SqliteBackend"]
