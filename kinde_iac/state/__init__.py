"""State: what kinde-iac last applied to each workspace, its journal, history and lock (docs/state.md).

``StateStore`` is the interface the engine and the CLI use; backends store it: a SQLite file
(``state.sqlite``, the default) or a PostgreSQL database (``state.postgres``, loaded only for a
``postgresql://`` location).
"""
from __future__ import annotations

from kinde_iac.errors import LockError, StateError
from kinde_iac.state.identity import StateIdentity
from kinde_iac.state.location import StateLocation, parse_location
from kinde_iac.state.records import OUTCOMES, JournalEntry, LockInfo, StateResource, utc_now
from kinde_iac.state.secrets import hash_secret, is_secret_hash, secret_matches
from kinde_iac.state.sqlite import SCHEMA_VERSION
from kinde_iac.state.store import StateStore
from kinde_iac.state.transfer import Copied

__all__ = [
    "OUTCOMES",
    "SCHEMA_VERSION",
    "Copied",
    "JournalEntry",
    "LockError",
    "LockInfo",
    "StateError",
    "StateIdentity",
    "StateLocation",
    "StateResource",
    "StateStore",
    "hash_secret",
    "is_secret_hash",
    "parse_location",
    "secret_matches",
    "utc_now",
]
