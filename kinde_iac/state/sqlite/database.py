"""The SQLite file itself: creating it owner-only, connecting, and turning sqlite3 errors into
StateError naming the file (so the CLI prints one line, never a traceback)."""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from kinde_iac.errors import StateError
from kinde_iac.state.meta import not_a_state

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


def connect(path: Path) -> Database:
    """A connection to the SQLite file at ``path``, shareable between threads (the store serialises)."""
    if path.is_dir():
        raise StateError(f"cannot open state file {path}: it is a directory")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StateError(f"cannot open state file {path}: {exc}") from exc
    try:
        db = Database(conn, execute_plugins=False)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        # Reading the schema is what makes SQLite look at the file: garbage fails here.
        db.table_names()
        relax_sync(db)
    except sqlite3.OperationalError as exc:
        conn.close()
        # Permissions, a missing directory, a busy file: the file may well be a fine state.
        hint = (f" (kinde-iac writes beside the file, in {path.parent}, for SQLite's -wal and -shm files: the "
                f"file and its directory must be writable)" if "readonly" in str(exc) else "")
        raise StateError(f"cannot open state file {path}: {exc}{hint}") from exc
    except sqlite3.Error as exc:
        conn.close()
        raise not_a_state(str(path), exc) from exc
    return db


def relax_sync(db: Database) -> None:
    """``synchronous=NORMAL`` on a WAL file: a commit is written to the WAL without an fsync of its
    own (the WAL is synced at each checkpoint). A killed process loses nothing committed; a power
    cut can lose the last commits but never corrupts the file, and the lost tail is what the journal
    protocol already reconciles by natural key (docs/state.md). In any other journal mode FULL stays."""
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() == "wal":
        db.execute("PRAGMA synchronous = NORMAL")


def memory() -> Database:
    return Database(sqlite3.connect(":memory:", check_same_thread=False), execute_plugins=False)


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
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction. ``BEGIN IMMEDIATE`` takes SQLite's write lock up front: two processes
    never both read "unlocked" and both insert a lock, and a writer waits (busy timeout) instead of
    failing half-way when it would otherwise have to upgrade a read lock."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
