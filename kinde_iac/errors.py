"""The one error family the CLI turns into a single readable line and exit code 1."""
from __future__ import annotations


class KindeIacError(Exception):
    """Base of every error kinde-iac raises on purpose; str() is the user-facing line."""


class ConfigError(KindeIacError):
    """A problem in a config file, located by file and JSON path (``$.roles[2].key``)."""

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None) -> None:
        self.message = message
        self.file = file
        self.path = path
        where = ": ".join(p for p in (file, path) if p)
        super().__init__(f"{where}: {message}" if where else message)


class ApiError(KindeIacError):
    """A Kinde Management API failure: HTTP status, Kinde error code and message.

    ``ambiguous`` is true when a write may or may not have landed (a dropped connection or a
    5xx after the request was sent), so the caller must re-check before repeating it.
    """

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        *,
        method: str = "",
        path: str = "",
        ambiguous: bool = False,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.path = path
        self.ambiguous = ambiguous
        what = f"{method} {path}".strip()
        status_txt = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"Kinde API error{' on ' + what if what else ''}: {status_txt} {code}: {message}")


class StateError(KindeIacError):
    """The state database is unreadable, corrupt, from a newer version, or locked."""


class LockError(StateError):
    """Another run holds the workspace lock."""


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM, SIGHUP) ended the run before apply began changing Kinde.

    A BaseException, like KeyboardInterrupt, so no ``except Exception`` on the way swallows it; the
    CLI prints one line and exits with 128 + the signal number, as shells do.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by signal {signum}")
