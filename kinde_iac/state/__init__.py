"""State: the per-workspace SQLite record of what kinde-iac last applied (see docs/state.md)."""
from __future__ import annotations

from kinde_iac.errors import LockError, StateError
from kinde_iac.state.lock import LockInfo
from kinde_iac.state.secrets import hash_secret, is_secret_hash, secret_matches
from kinde_iac.state.store import (
    OUTCOMES,
    SCHEMA_VERSION,
    JournalEntry,
    StateResource,
    StateStore,
    utc_now,
)

__all__ = [
    "OUTCOMES",
    "SCHEMA_VERSION",
    "JournalEntry",
    "LockError",
    "LockInfo",
    "StateError",
    "StateResource",
    "StateStore",
    "hash_secret",
    "is_secret_hash",
    "secret_matches",
    "utc_now",
]
