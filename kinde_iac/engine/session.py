"""The steps every workspace command shares, in the one direction data flows:
config -> desired resources -> state -> live (refresh) -> plan. The CLI only wires these."""
from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.config import load_workspace, workspace_file
from kinde_iac.config.model import Workspace
from kinde_iac.engine import plan_model as pm
from kinde_iac.engine.apply import adopted_resource, state_row
from kinde_iac.engine.drift import DriftReport, build_drift
from kinde_iac.engine.export import export_config
from kinde_iac.engine.plan import PlanError, build_plan
from kinde_iac.engine.refresh import LiveState, refresh
from kinde_iac.errors import KindeIacError
from kinde_iac.kinde import KindeClient, resolve_credentials
from kinde_iac.resources import KINDS, Resource
from kinde_iac.state import StateResource, StateStore


@attrs.frozen
class Target:
    """Which workspace, which config file and which state file a command works on."""

    name: str
    config: Path
    state: Path


def resolve_target(workspace: str | None, config: str | None, state: str | None,
                   base_dir: str | Path = "environments") -> Target:
    if workspace and config:
        raise KindeIacError("give either --workspace or --config, not both")
    if not workspace and not config:
        raise KindeIacError("no workspace given: use --workspace NAME (environments/NAME.json) or --config FILE")
    if config:
        path = Path(config)
        name = path.stem
    else:
        assert workspace is not None
        name = workspace
        path = workspace_file(workspace, base_dir)
    return Target(name=name, config=path, state=Path(state) if state else Path("state") / f"{name}.db")


def desired_resources(ws: Workspace) -> list[Resource]:
    return [r for kind in KINDS for r in kind.desired(ws)]


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

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.state.close()


def open_session(target: Target, *, env: Mapping[str, str] | None = None, connect: bool = True,
                 client_options: Mapping[str, Any] | None = None, config_optional: bool = False) -> Session:
    if config_optional and not target.config.exists():
        # export of an environment that has no workspace file yet
        ws = Workspace(name=target.name, source=str(target.config))
    else:
        ws = load_workspace(target.config, name=target.name, env=env)
    desired = desired_resources(ws)
    state = StateStore.open(target.state, workspace=target.name)
    session = Session(target=target, workspace=ws, desired=desired, state=state)
    if connect:
        environ = workspace_environ(target.name, env if env is not None else os.environ)
        creds = resolve_credentials(ws.kinde.domain, environ)
        session.client = KindeClient(creds, **{**client_tuning(environ), **dict(client_options or {})})
    return session


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


def client_tuning(environ: Mapping[str, str]) -> dict[str, Any]:
    """Retry budget and timeout from KINDE_IAC_MAX_RETRIES / KINDE_IAC_TIMEOUT (seconds)."""
    out: dict[str, Any] = {}
    for name, option, cast in (("KINDE_IAC_MAX_RETRIES", "max_retries", int), ("KINDE_IAC_TIMEOUT", "timeout", float)):
        if environ.get(name):
            try:
                out[option] = cast(environ[name])
            except ValueError:
                raise KindeIacError(f"{name}={environ[name]!r} is not a number") from None
    return out


def check_environment(session: Session) -> dict[str, Any]:
    """``GET /api/v1/environment`` must match the workspace's expected environment before any write."""
    assert session.client is not None
    env = session.client.get("/api/v1/environment").get("environment") or {}
    expected = session.workspace.kinde.environment
    if expected and env.get("code") != expected:
        raise KindeIacError(
            f"workspace {session.target.name!r} expects Kinde environment {expected!r}, but the credentials "
            f"reach {env.get('code')!r} at {session.client.base_url}; refusing to continue")
    session.environment = env
    return env


def own_client_id(session: Session) -> str:
    assert session.client is not None
    return session.client.credentials.client_id


def read_live(session: Session, *, parallelism: int, everything: bool = False,
              on_event: Callable[[str], None] | None = None) -> tuple[dict[str, Any], dict[str, StateResource]]:
    """The environment guard, then one refresh: what every command that reads Kinde starts with.
    Returns the environment and the state rows the refresh was keyed on."""
    assert session.client is not None
    env = check_environment(session)
    state_rows = session.state.resources()
    session.live = refresh(session.client, own_client_id=own_client_id(session), desired=session.desired,
                           state=state_rows, parallelism=parallelism, everything=everything, on_event=on_event)
    return env, state_rows


def make_plan(session: Session, *, parallelism: int = 8, adopt_ids: Mapping[str, str] | None = None,
              on_event: Callable[[str], None] | None = None,
              on_ambiguous: Callable[[str, str], None] | None = None) -> pm.Plan:
    env, state_rows = read_live(session, parallelism=parallelism, on_event=on_event)
    assert session.client is not None and session.live is not None
    plan = build_plan(
        workspace=session.target.name, domain=session.client.base_url, environment=env.get("code"),
        desired=session.desired, state=state_rows, lineage=session.state.lineage, serial=session.state.serial,
        live=session.live, adopt_ids=adopt_ids, on_ambiguous=on_ambiguous,
    )
    if not session.workspace.kinde.environment:
        warning = (f"{session.target.config}: no kinde.environment set, so kinde-iac cannot check that these "
                   f"credentials reach the intended environment (they reach {env.get('code')!r})")
        plan = attrs.evolve(plan, warnings=(*plan.warnings, warning))
    return plan


def check_safety(plan: pm.Plan, session: Session, *, allow_mass_delete: bool) -> pm.Plan:
    """The rails: protected objects are never destroyed; a plan destroying more than the workspace's
    share of managed objects (default half) needs --allow-mass-delete."""
    desired = session.desired_by_address
    state_rows = session.state.resources()
    protected = []
    for ch in plan.changes:
        if ch.action not in (pm.DELETE, pm.REPLACE):
            continue
        d = desired.get(ch.address)
        s = state_rows.get(ch.address)
        if (d is not None and d.protect) or (s is not None and s.protect):
            protected.append(ch.address)
    if protected:
        raise PlanError(f"{', '.join(protected)}: protected (\"protect\": true) but this plan would destroy "
                        f"{'it' if len(protected) == 1 else 'them'}; apply once with protect removed first")
    destroys = sum(1 for ch in plan.changes if ch.action == pm.DELETE)
    managed = len(state_rows)
    share = session.workspace.max_delete_fraction
    if managed and destroys > share * managed and not allow_mass_delete:
        message = (f"this plan destroys {destroys} of {managed} managed objects (more than {share:.0%}); "
                   f"apply needs --allow-mass-delete")
        plan = attrs.evolve(plan, warnings=(*plan.warnings, message), blocked=message)
    return plan


def who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


def make_drift(session: Session, *, parallelism: int = 8,
               on_event: Callable[[str], None] | None = None) -> DriftReport:
    """Last apply against live, with every kind read so unmanaged objects are found too."""
    env, state_rows = read_live(session, parallelism=parallelism, everything=True, on_event=on_event)
    assert session.client is not None and session.live is not None
    return build_drift(workspace=session.target.name, domain=session.client.base_url, environment=env.get("code"),
                       desired=session.desired, state=state_rows, live=session.live,
                       ignore=session.workspace.ignore)


def import_objects(session: Session, *, addresses: Sequence[str], everything: bool,
                   pins: Mapping[str, str], parallelism: int = 8) -> list[pm.ResourceChange]:
    """Adopt live objects that match desired ones by natural key into state; Kinde is not changed."""
    ambiguous: dict[str, str] = {}
    wanted = set(addresses) | set(pins)
    unknown = sorted(a for a in wanted if a not in session.desired_by_address)
    if unknown:
        raise KindeIacError(f"{', '.join(unknown)}: not in {session.target.config}; only configured objects "
                            f"can be imported")
    if not wanted and not everything:
        raise KindeIacError("name the addresses to import (or ADDRESS=ID), or use --all")
    plan = make_plan(session, parallelism=parallelism, adopt_ids=pins,
                     on_ambiguous=lambda address, message: ambiguous.__setitem__(address, message))
    state_rows = session.state.resources()
    blocking = [m for a, m in sorted(ambiguous.items()) if everything or a in wanted]
    if blocking:
        raise KindeIacError("; ".join(blocking))
    chosen = [ch for ch in plan.changes if ch.imported and (everything or ch.address in wanted)]
    missing = sorted(wanted - {ch.address for ch in chosen} - set(state_rows))
    if missing:
        raise KindeIacError(f"{', '.join(missing)}: no live object matches by natural key; nothing to import "
                            f"(apply creates it)")
    desired = session.desired_by_address
    for ch in chosen:
        session.state.put(state_row(adopted_resource(desired[ch.address], ch), session.state.get(ch.address)))
    return chosen


def make_export(session: Session, *, parallelism: int = 8) -> dict[str, Any]:
    env, state_rows = read_live(session, parallelism=parallelism, everything=True)
    assert session.live is not None
    return export_config(session.live, state_rows, environment=env.get("code"))
