"""State: what kinde-iac last applied to each workspace, its journal, history and lock (docs/state.md).

``StateStore`` is the interface the engine and the CLI use; backends (``state.sqlite``) store it.
"""
from __future__ import annotations

from kinde_iac.errors import LockError, StateError
from kinde_iac.state.records import OUTCOMES, JournalEntry, LockInfo, StateResource, utc_now
from kinde_iac.state.secrets import hash_secret, is_secret_hash, secret_matches
from kinde_iac.state.sqlite import SCHEMA_VERSION
from kinde_iac.state.store import StateStore

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
