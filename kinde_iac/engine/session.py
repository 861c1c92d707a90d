"""A session: what one command run holds open (config, desired objects, state, API client), and the
steps every workspace command starts with: the environment guard, the state lock, one refresh."""
from __future__ import annotations

import getpass
import math
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import attrs

from kinde_iac.config import load_workspace
from kinde_iac.config.model import Workspace
from kinde_iac.config.offline import EnvReader
from kinde_iac.engine.events import RefreshListener
from kinde_iac.engine.moves import apply_moves
from kinde_iac.engine.read_pool import ReadPool
from kinde_iac.engine.refresh import LiveState, refresh
from kinde_iac.engine.target import (  # noqa: F401 - re-exported for the commands that hold a session
    STATE_VARIABLE,
    Target,
    desired_resources,
    resolve_target,
)
from kinde_iac.errors import KindeIacError, LockError, StateError
from kinde_iac.kinde import KindeClient, resolve_credentials, tuning_from_env
from kinde_iac.resources import BY_NAME, Resource
from kinde_iac.state import LockInfo, StateIdentity, StateLocation, StateResource, StateStore


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
    #: The ``${env:NAME}`` values the config read, by name (a saved plan keeps salted hashes of them).
    inputs: dict[str, str] = attrs.field(factory=dict, repr=False)
    #: Addresses the config's ``moved`` entries gave state objects in the last read: new -> old.
    moves: dict[str, str] = attrs.field(factory=dict)

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
              on_wait: Callable[[str], None] | None = None,
              poll: Callable[[float], None] | None = None) -> LockInfo:
    """The state lock. A held lock fails at once, unless ``timeout`` allows waiting (said to ``on_wait``;
    ``poll`` replaces the pause between attempts).

    The lock is tied to this process, so once it is gone another run takes the lock over; ``on_wait``
    also hears when this run takes over the lock of a dead one."""
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout >= 0):
        raise KindeIacError(f"--lock-timeout must be a finite number of seconds of 0 or more, got {timeout!r}")
    try:
        return store.acquire_lock(operation, tie_to_process=True, on_note=on_wait)
    except LockError as err:
        if timeout <= 0:
            raise
        if on_wait is not None:
            on_wait(f"Waiting up to {timeout:g}s for the state lock: {err}")
    if poll is not None:
        return store.acquire_lock(operation, timeout=timeout, poll=poll, tie_to_process=True, on_note=on_wait)
    return store.acquire_lock(operation, timeout=timeout, tie_to_process=True, on_note=on_wait)


def open_session(target: Target, *, env: Mapping[str, str] | None = None, connect: bool = True,
                 client_options: Mapping[str, Any] | None = None, config_optional: bool = False) -> Session:
    reader = EnvReader(os.environ if env is None else env, fill=frozenset())
    if config_optional and not target.config.exists():
        # export of an environment that has no workspace file yet
        ws = Workspace(name=target.name, source=str(target.config))
    else:
        ws = load_workspace(target.config, name=target.name, env=reader)
    desired = desired_resources(ws)
    client = None
    if connect:
        environ = workspace_environ(target.name, env if env is not None else os.environ)
        creds = resolve_credentials(ws.kinde.domain, environ)
        client = KindeClient(creds, **{**tuning_from_env(environ), **dict(client_options or {})})
        # The token's round trip overlaps opening the state (and loading its backend, 30 ms of CPU).
        client.warm_up()
    try:
        state = StateStore.open(target.state, workspace=target.name, unlock_command=target.unlock_command())
    except BaseException:
        if client is not None:
            client.close()
        raise
    return Session(target=target, workspace=ws, desired=desired, state=state, client=client,
                   inputs=dict(reader.read))


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
    check_state_identity(session, env)
    return env


def check_state_identity(session: Session, env: Mapping[str, Any]) -> None:
    """The state must belong to the Kinde business, domain and environment the credentials reach
    (recorded at its first write): otherwise its ids belong to someone else's objects. Asks
    ``GET /api/v1/business`` only when the recorded domain cannot vouch for the business."""
    live = StateIdentity(domain=env.get("kinde_domain") or None, environment=env.get("code") or None)
    session.state.claim_identity(live, business=lambda: business_code(session))


def business_code(session: Session) -> str | None:
    try:
        business = session.api.get_object("/api/v1/business", "business")
    except KindeIacError as err:
        raise KindeIacError(f"cannot tell which Kinde business the credentials belong to, which the state "
                            f"records (the M2M application needs the read:businesses scope): {err}") from None
    return business.get("code") or None


def own_client_id(session: Session) -> str:
    return session.api.credentials.client_id


def read_live(session: Session, *, parallelism: int, everything: bool = False,
              on_event: RefreshListener | None = None
              ) -> tuple[dict[str, Any], dict[str, StateResource], LiveState]:
    """The environment guard and one refresh: what every command that reads Kinde starts with.
    Returns the environment, the state rows the refresh was keyed on (under the addresses the
    config's ``moved`` entries give them), and what it read.

    The guard's request (and the state identity check after it) goes out beside the refresh's first
    lists rather than a round trip ahead of them: reading the wrong environment harms nothing, and
    nothing is planned, let alone written, unless the guard passes (its error wins over any error of
    the refresh)."""
    with ReadPool(1, thread_name_prefix="environment-guard") as guard:
        checked = guard.submit(check_environment, session)
        try:
            rows = session.state.resources()
            check_state_kinds(rows, session.target.state)
            state_rows, session.moves = apply_moves(rows, session.workspace.moved)
            live = refresh(session.api, own_client_id=own_client_id(session), desired=session.desired,
                           state=state_rows, parallelism=parallelism, everything=everything, on_event=on_event)
        except Exception:
            if (refused := checked.exception()) is not None:
                raise refused from None
            raise
        env = checked.result()
    session.live = live
    return env, state_rows, live


def check_state_kinds(rows: Mapping[str, StateResource], where: StateLocation) -> None:
    """Every state row must be of a kind this kinde-iac knows: a row it cannot read back is a
    damaged file, or one a newer version wrote, and is reported as such rather than failing later."""
    for address, row in rows.items():
        if row.kind not in BY_NAME:
            raise StateError(f"state file {where}: {address} has kind {row.kind!r}, which this kinde-iac does not "
                             f"know (kinds: {', '.join(BY_NAME)}); the file is damaged or was written by a newer "
                             f"kinde-iac")


def who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"
