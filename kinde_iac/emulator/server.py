"""Running the emulator: a threaded HTTP/1.1 keep-alive server in a daemon thread.

``start_background`` is the one entry point: the CLI uses it and so do test suites that need a
live Kinde on 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kinde_iac.emulator.app import EmulatorApp
from kinde_iac.emulator.faults import Faults, FaultSettings
from kinde_iac.emulator.keepalive import Connections, KeepAliveServer
from kinde_iac.emulator.store import Repositories, Store

if TYPE_CHECKING:
    from typing_extensions import Self

DEFAULT_CLIENT_ID = "kinde-iac-emulator"


class RunningEmulator:
    """A live emulator. ``url`` is its base URL; use it as a context manager or call ``stop()``."""

    def __init__(self, server: KeepAliveServer, thread: threading.Thread, app: EmulatorApp, store: Store,
                 url: str) -> None:
        self._server = server
        self._thread = thread
        self.app = app
        self.store = store
        self.url = url
        self.environments: list[str] = list(store.environments)
        self._stopped = False

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    @property
    def audience(self) -> str:
        return f"{self.url}/api"

    @property
    def secret_generated(self) -> bool:
        return self.store.secret_generated

    def credentials(self, code: str | None = None) -> tuple[str, str]:
        """(client_id, client_secret) of an environment's M2M client (default: the first)."""
        client = self.store.client(code)
        return client.client_id, client.client_secret

    def open_connections(self) -> int:
        """TCP connections open right now (idle keep-alive ones included)."""
        return self._server.connections.count()

    def wait_connections(self, at_most: int, *, accepted: int = 0, timeout: float = 10.0) -> bool:
        """Blocks until ``accepted`` connections have been accepted since the start and at most
        ``at_most`` are open: a test's synchronisation point (no sleeping). False if ``timeout``
        seconds passed first."""
        return self._server.connections.wait(open_at_most=at_most, accepted_at_least=accepted, timeout=timeout)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        # Idle keep-alive connections would otherwise keep answering from a stopped emulator.
        self._server.connections.shut_down_all()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"  # listening everywhere; loopback is the address that always works
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def start_background(*, host: str = "127.0.0.1", port: int = 0, data: str | None = None,
                     rate_limit: float | None = None, latency_ms: float = 0, fail_rate: float = 0.0,
                     drop_rate: float = 0.0, client_id: str = DEFAULT_CLIENT_ID, client_secret: str | None = None,
                     environments: Sequence[str] = ("production",)) -> RunningEmulator:
    """Start an emulator serving on ``host:port`` (0 picks a free port) and return at once.

    ``data`` is a SQLite file keeping state (and the token signing key) across restarts; without
    it state lives in memory. Raises OSError if the port is taken and DataFileInUse if another
    emulator holds ``data``.
    """
    store = Store.open(str(data) if data else None, environments=list(environments), client_id=client_id,
                       client_secret=client_secret)
    try:
        faults = Faults(FaultSettings(latency_ms=float(latency_ms), fail_rate=float(fail_rate),
                                      drop_rate=float(drop_rate), rate_limit=rate_limit or None))
        app = EmulatorApp(Repositories(store), faults=faults)
        stats = app.services.stats
        server = KeepAliveServer(host, port, app, Connections(stats.connection_opened, stats.connection_closed))
    except BaseException:
        store.close()
        raise
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="kinde-emulator", daemon=True)
    thread.start()
    return RunningEmulator(server, thread, app, store, f"http://{_url_host(host)}:{server.server_port}")
