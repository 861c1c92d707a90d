"""A session: what one command run holds open (config, desired objects, state, API client), and the
steps every workspace command starts with: the environment guard, the state lock, one refresh."""
from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import attrs

from kinde_iac.config import load_workspace
from kinde_iac.config.model import Workspace
from kinde_iac.engine.events import RefreshListener
from kinde_iac.engine.refresh import LiveState, refresh
from kinde_iac.engine.target import Target, desired_resources, resolve_target  # noqa: F401 - re-exported
from kinde_iac.errors import KindeIacError, LockError
from kinde_iac.kinde import KindeClient, resolve_credentials, tuning_from_env
from kinde_iac.resources import Resource
from kinde_iac.state import LockInfo, StateResource, StateStore


@attrs.define
class Session:
    """Everything one command run holds open: config, desired objects, state, API client."""

    target: Target
    workspace: Workspace
    desired: list[Resource]
    state: StateStore
    client: KindeClient | None = None
    environment: dict[str, Any] = attrs.field(factory=dict)
    live: LiveState | None = None

    @property
    def desired_by_address(self) -> dict[str, Resource]:
        return {r.address: r for r in self.desired}

    @property
    def api(self) -> KindeClient:
        """The API client of a session opened to talk to Kinde."""
        if self.client is None:
            raise KindeIacError("this command was opened without a connection to Kinde")
        return self.client

    def requests(self) -> int:
        """API requests sent so far (for progress lines)."""
        return self.client.stats.requests if self.client is not None else 0

    @contextmanager
    def locked(self, operation: str, timeout: float = 0.0,
               on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the state lock. A held lock fails at once, unless ``timeout`` allows waiting, and then
        ``on_wait`` hears why it waits."""
        lock = take_lock(self.state, operation, timeout, on_wait)
        try:
            yield
        finally:
            self.state.release_lock(lock.id)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.state.close()


def take_lock(store: StateStore, operation: str, timeout: float = 0.0,
              on_wait: Callable[[str], None] | None = None) -> LockInfo:
    """The state lock. A held lock fails at once, unless ``timeout`` allows waiting (said to ``on_wait``)."""
    try:
        return store.acquire_lock(operation)
    except LockError as err:
        if timeout <= 0:
            raise
        if on_wait is not None:
            on_wait(f"Waiting up to {timeout:g}s for the state lock: {err}")
    return store.acquire_lock(operation, timeout=timeout)


def open_session(target: Target, *, env: Mapping[str, str] | None = None, connect: bool = True,
                 client_options: Mapping[str, Any] | None = None, config_optional: bool = False) -> Session:
    if config_optional and not target.config.exists():
        # export of an environment that has no workspace file yet
        ws = Workspace(name=target.name, source=str(target.config))
    else:
        ws = load_workspace(target.config, name=target.name, env=env)
    desired = desired_resources(ws)
    client = None
    if connect:
        environ = workspace_environ(target.name, env if env is not None else os.environ)
        creds = resolve_credentials(ws.kinde.domain, environ)
        client = KindeClient(creds, **{**tuning_from_env(environ), **dict(client_options or {})})
        # The token's round trip overlaps opening the state (and loading its backend, 30 ms of CPU).
        client.warm_up()
    try:
        state = StateStore.open(target.state, workspace=target.name)
    except BaseException:
        if client is not None:
            client.close()
        raise
    return Session(target=target, workspace=ws, desired=desired, state=state, client=client)


CREDENTIAL_VARIABLES = ("KINDE_CLIENT_ID", "KINDE_CLIENT_SECRET", "KINDE_DOMAIN", "KINDE_SCOPES")


def workspace_environ(workspace: str, environ: Mapping[str, str]) -> dict[str, str]:
    """``KINDE_CLIENT_ID_STAGING`` and friends win over ``KINDE_CLIENT_ID`` for workspace ``staging``:
    each Kinde environment has its own M2M app, and one run may plan several workspaces."""
    suffix = "_" + "".join(c if c.isalnum() else "_" for c in workspace.upper())
    out = dict(environ)
    for name in CREDENTIAL_VARIABLES:
        if environ.get(name + suffix):
            out[name] = environ[name + suffix]
    return out


def check_environment(session: Session) -> dict[str, Any]:
    """``GET /api/v1/environment`` must match the workspace's expected environment before any write."""
    env = session.api.get("/api/v1/environment").get("environment") or {}
    expected = session.workspace.kinde.environment
    if expected and env.get("code") != expected:
        raise KindeIacError(
            f"workspace {session.target.name!r} expects Kinde environment {expected!r}, but the credentials "
            f"reach {env.get('code')!r} at {session.api.base_url}; refusing to continue")
    session.environment = env
    return env


def own_client_id(session: Session) -> str:
    return session.api.credentials.client_id


def read_live(session: Session, *, parallelism: int, everything: bool = False,
              on_event: RefreshListener | None = None
              ) -> tuple[dict[str, Any], dict[str, StateResource], LiveState]:
    """The environment guard and one refresh: what every command that reads Kinde starts with.
    Returns the environment, the state rows the refresh was keyed on, and what it read.

    The guard's request goes out beside the refresh's first lists rather than a round trip ahead of
    them: reading the wrong environment harms nothing, and nothing is planned, let alone written,
    unless the guard passes (its error wins over any error of the refresh)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="environment-guard") as guard:
        checked = guard.submit(check_environment, session)
        try:
            state_rows = session.state.resources()
            live = refresh(session.api, own_client_id=own_client_id(session), desired=session.desired,
                           state=state_rows, parallelism=parallelism, everything=everything, on_event=on_event)
        except Exception:
            if (refused := checked.exception()) is not None:
                raise refused from None
            raise
        env = checked.result()
    session.live = live
    return env, state_rows, live


def who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"
