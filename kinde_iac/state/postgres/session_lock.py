"""The session advisory lock that makes a PostgreSQL lock row trustworthy from any host.

The holder takes ``pg_try_advisory_lock`` on a connection of its own and keeps that connection
open for the whole run. The server ends the lock with the connection: when the process exits or is
killed (its socket closes), or when its host vanishes (TCP keepalive probes go unanswered, about
a minute with the settings below). So a lock row whose advisory lock can be taken is stale, proof
enough to take it over. A transaction-mode pooler (pgbouncer ``pool_mode = transaction``) hands
each transaction a different server connection and breaks this: use session pooling or none.
"""
from __future__ import annotations

from typing import Any

from kinde_iac.state.location import StateLocation
from kinde_iac.state.postgres.connection import KEEPALIVE, connect, driver, translated_errors

#: Server-side keepalive for the lock connection (settable per session), so the server notices a
#: holder whose host vanished; and no idle timeout, which would end the lock under a live run.
_SESSION_SETTINGS = ("SET tcp_keepalives_idle = 30", "SET tcp_keepalives_interval = 10",
                     "SET tcp_keepalives_count = 3")

_HOLDER = ("SELECT l.pid, a.client_addr, a.application_name, a.backend_start FROM pg_locks l "
           "LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
           "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
           "AND l.classid::bigint = %(hi)s AND l.objid::bigint = %(lo)s AND l.objsubid = 1")


class AdvisoryLock:
    """One workspace's session lock (the ``SessionLock`` protocol)."""

    def __init__(self, location: StateLocation, key: int, query: Any) -> None:
        self._location = location
        self._key = key
        self._query = query  # the backend's connection, for looking at other holders
        self._conn: Any = None

    @property
    def held(self) -> bool:
        return self._conn is not None

    def try_acquire(self, wait: float = 0.0) -> bool:
        if self._conn is not None:
            return True
        conn = connect(self._location, **KEEPALIVE)
        try:
            with translated_errors(self._location):
                for statement in _SESSION_SETTINGS:
                    conn.execute(statement)
                if conn.info.server_version >= 140000:
                    conn.execute("SET idle_session_timeout = 0")
                got = self._take(conn, wait)
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def _take(self, conn: Any, wait: float) -> bool:
        if wait <= 0:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
            return row is not None and bool(row[0])
        conn.execute(f"SET lock_timeout = {max(1, int(wait * 1000))}")
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (self._key,))
        except driver().errors.LockNotAvailable:
            return False
        finally:
            conn.execute("SET lock_timeout = 0")
        return True

    def release(self) -> None:
        """Closing the connection ends every session lock it held; nothing is left to undo."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def other_holder(self) -> str | None:
        # pg_locks splits a bigint key into two 32-bit halves.
        unsigned = self._key & 0xFFFFFFFFFFFFFFFF
        with translated_errors(self._location):
            found = self._query.execute(_HOLDER, {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF}).fetchone()
        if found is None:
            return None
        pid, address, application, started = found
        where = f" from {address}" if address else ""
        return f"database backend pid {pid}{where}, {application or 'unknown application'}, connected since {started}"
