"""Connecting to the state database, and turning driver errors into StateError with the password
taken out (libpq messages can echo the connection string)."""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kinde_iac.errors import StateError
from kinde_iac.state.location import StateLocation

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_SECONDS = 10
#: How long a server waits before it probes a silent client, and how often: a lock holder whose
#: host vanished (no FIN) is found dead after about idle + interval x count seconds, not hours.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


def driver() -> Any:
    """The psycopg module, or a one-line error saying how to install it."""
    try:
        import psycopg
    except ImportError:
        raise StateError("a postgresql:// state needs psycopg 3: pip install 'kinde-iac[postgres]'") from None
    return psycopg


def connect(location: StateLocation, **options: Any) -> psycopg.Connection[Any]:
    """An autocommit connection (transactions are explicit); errors name the URL without its password."""
    pg = driver()
    assert location.url is not None
    try:
        conn: psycopg.Connection[Any] = pg.connect(
            location.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="kinde-iac",
            **options)
    except pg.Error as exc:
        raise StateError(f"cannot connect to state database {location.shown}: {_message(location, exc)}") from None
    return conn


def _message(location: StateLocation, exc: BaseException) -> str:
    return location.scrub(" ".join(str(exc).split()) or type(exc).__name__)


@contextlib.contextmanager
def translated_errors(location: StateLocation) -> Iterator[None]:
    """Re-raise psycopg errors from the block as one StateError line naming the (masked) URL."""
    pg = driver()
    try:
        yield
    except pg.Error as exc:
        # ``from None``: the driver's exception may carry the DSN, and --debug prints the chain.
        raise StateError(f"state database {location.shown}: {_message(location, exc)}") from None


def advisory_key(schema: str, workspace: str) -> int:
    """The session advisory lock of one workspace: a signed 64-bit number from its schema and name."""
    digest = hashlib.sha256(f"kinde-iac/{schema}/{workspace}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
