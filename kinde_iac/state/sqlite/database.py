"""The SQLite file itself: creating it owner-only, connecting, and turning sqlite3 errors into
StateError naming the file (so the CLI prints one line, never a traceback).

The backend holds a plain ``sqlite3`` connection: reads and the per-step writes are plain SQL
(``sqlite/rows.py``). sqlite-utils wraps the same connection where it does the work, creating and
migrating the layout (:func:`utils`), and is imported only then, so a plan or an apply of an
existing state never loads it (about 0.05 s of start-up, issue 19)."""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kinde_iac.errors import StateError
from kinde_iac.state.meta import not_a_state

if TYPE_CHECKING:
    from sqlite_utils import Database

# Long enough to ride out another process's short write transaction, short enough that a wedged
# writer surfaces as an error rather than a hang.
BUSY_TIMEOUT_SECONDS = 5.0


def create_file(path: Path) -> None:
    """Create ``path`` (and its parents) with mode 0600, unless it exists already."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError(f"cannot create state file {path}: cannot create its directory {path.parent} "
                         f"({exc.strerror or exc})") from exc
    # Create the file ourselves, owner-only, before SQLite opens it: SQLite would create it with the
    # umask's mode (typically world-readable), and the state names every object of the environment
    # and the hashes of its secrets.
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process created it first; its contents are checked by the caller
    except OSError as exc:
        raise StateError(f"cannot create state file {path}: {exc.strerror or exc} (is {path.parent} "
                         f"writable?)") from exc
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # a restrictive umask could have left less than 0600
    finally:
        os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the SQLite file at ``path``, shareable between threads (the store serialises)."""
    if path.is_dir():
        raise StateError(f"cannot open state file {path}: it is a directory")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StateError(f"cannot open state file {path}: {exc}") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        # Reading the schema is what makes SQLite look at the file: garbage fails here.
        table_names(conn)
        relax_sync(conn)
    except sqlite3.OperationalError as exc:
        conn.close()
        # Permissions, a missing directory, a busy file: the file may well be a fine state.
        hint = (f" (kinde-iac writes beside the file, in {path.parent}, for SQLite's -wal and -shm files: the "
                f"file and its directory must be writable)" if "readonly" in str(exc) else "")
        raise StateError(f"cannot open state file {path}: {exc}{hint}") from exc
    except sqlite3.Error as exc:
        conn.close()
        raise not_a_state(str(path), exc) from exc
    return conn


def utils(conn: sqlite3.Connection) -> Database:
    """sqlite-utils over ``conn``, for creating and migrating the layout."""
    from sqlite_utils import Database

    return Database(conn, execute_plugins=False)


def table_names(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def relax_sync(conn: sqlite3.Connection) -> None:
    """``synchronous=NORMAL`` on a WAL file: a commit is written to the WAL without an fsync of its
    own (the WAL is synced at each checkpoint). A killed process loses nothing committed; a power
    cut can lose the last commits but never corrupts the file, and the lost tail is what the journal
    protocol already reconciles by natural key (docs/state.md). In any other journal mode FULL stays."""
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() == "wal":
        conn.execute("PRAGMA synchronous = NORMAL")


def memory() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", check_same_thread=False)


@contextlib.contextmanager
def translated_errors(where: str) -> Iterator[None]:
    """Re-raise sqlite3 errors from the block as StateError naming ``where``."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise StateError(
                f"state file {where} is busy (another kinde-iac process is writing it "
                f"and did not finish within {BUSY_TIMEOUT_SECONDS:g} s): {text}"
            ) from exc
        raise StateError(f"state file {where}: {text}") from exc
    except (sqlite3.ProgrammingError, sqlite3.IntegrityError) as exc:
        raise StateError(f"state file {where}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise not_a_state(where, exc) from exc


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction. ``BEGIN IMMEDIATE`` takes SQLite's write lock up front: two processes
    never both read "unlocked" and both insert a lock, and a writer waits (busy timeout) instead of
    failing half-way when it would otherwise have to upgrade a read lock."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()
        raise
