"""State: what kinde-iac last applied to each workspace, its journal, history and lock (docs/state.md).

``StateStore`` is the interface the engine and the CLI use; backends store it: a SQLite file
(``state.sqlite``, the default) or a PostgreSQL database (``state.postgres``, loaded only for a
``postgresql://`` location).
"""
from __future__ import annotations

from typing import Any

from kinde_iac.errors import LockError, StateError
from kinde_iac.state.identity import StateIdentity
from kinde_iac.state.location import StateLocation, parse_location
from kinde_iac.state.records import OUTCOMES, JournalEntry, LockInfo, StateResource, utc_now
from kinde_iac.state.secrets import hash_secret, is_secret_hash, secret_matches
from kinde_iac.state.store import StateStore
from kinde_iac.state.transfer import Copied


def __getattr__(name: str) -> Any:
    # The SQLite backend (and sqlite-utils under it) loads when a state is opened, not when the
    # engine imports the records: a plan's token request goes out while it loads.
    if name == "SCHEMA_VERSION":
        from kinde_iac.state.sqlite import SCHEMA_VERSION

        return SCHEMA_VERSION
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
