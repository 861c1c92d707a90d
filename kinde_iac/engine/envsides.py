"""The two sides ``diff`` compares: a workspace's effective desired config (after ``$extends``,
variables and seed-format conversion), or what its Kinde environment holds live, read as refresh
reads it (by natural key, with the workspace's own credentials)."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from kinde_iac.config import load_workspace, workspace_file
from kinde_iac.config.model import Workspace
from kinde_iac.config.provenance import MISSING, built_from, variables_of, written_at
from kinde_iac.engine.diff import same
from kinde_iac.engine.drift import matching_rule
from kinde_iac.engine.session import Session, desired_resources, read_live, resolve_target, workspace_environ
from kinde_iac.errors import KindeIacError
from kinde_iac.kinde import KindeClient, resolve_credentials, tuning_from_env
from kinde_iac.resources import BY_NAME, KINDS, Resource
from kinde_iac.state import StateResource, StateStore

LIVE_SUFFIX = ":live"


@attrs.frozen
class SideSpec:
    """One side as the command line names it: ``staging``, ``staging:live``, or a config file."""

    name: str
    config: Path
    live: bool


def parse_side(text: str, *, live: bool = False, base_dir: str | Path = "environments") -> SideSpec:
    """``NAME`` is ``environments/NAME.json``; a path ending in ``.json`` names the file itself (the
    workspace is its stem); ``:live`` (or ``live``) reads the environment instead of the config."""
    if text.endswith(LIVE_SUFFIX):
        text, live = text[: -len(LIVE_SUFFIX)], True
    if not text:
        raise KindeIacError('empty workspace name: give NAME, NAME:live or a config file')
    if text.endswith(".json") or os.sep in text or "/" in text:
        path = Path(text)
        return SideSpec(name=path.stem, config=path, live=live)
    return SideSpec(name=text, config=workspace_file(text, base_dir), live=live)


class ComparisonEnv(Mapping[str, str]):
    """The process environment for ``${env:NAME}``, where an unset variable reads as the reference
    itself: comparing and promoting configs never needs a secret, and two unset references to the
    same variable compare equal."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def __getitem__(self, name: str) -> str:
        value = self._environ.get(name)
        return value if value is not None else f"${{env:{name}}}"

    def __contains__(self, name: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._environ)

    def __len__(self) -> int:
        return len(self._environ)


def load_config(spec: SideSpec, environ: Mapping[str, str] | None = None) -> Workspace:
    return load_workspace(spec.config, name=spec.name, env=ComparisonEnv(environ))


@attrs.frozen
class Written:
    """How the config wrote one attribute: the value before substitution, and every variable it
    was built from."""

    template: Any
    variables: frozenset[str]


@attrs.frozen
class Side:
    name: str
    live: bool
    resources: dict[str, Resource]
    #: Address -> attributes whose value cannot be known: Kinde does not return them and no last
    #: apply of this workspace records them.
    unknown: dict[str, frozenset[str]]
    #: (address, attribute) -> how the config wrote it. On a live side only where the live value is
    #: the configured one, so a live value is attributed to a variable only when it came from it.
    written: dict[tuple[str, str], Written]
    #: The workspace's variable definitions as written.
    variables: Mapping[str, Any]
    environment: str | None = None
    domain: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} (live)" if self.live else self.name


def entry_paths(ws: Workspace) -> dict[str, tuple[str | int, ...]]:
    """Address -> the path of its entry in the merged document."""
    return {address: path for kind in KINDS for address, path in kind.config_addresses(ws)}


def _written(ws: Workspace, desired: Mapping[str, Resource]) -> dict[tuple[str, str], Written]:
    variables = variables_of(ws)
    out: dict[tuple[str, str], Written] = {}
    for address, path in entry_paths(ws).items():
        resource = desired.get(address)
        if resource is None:
            continue
        for name in resource.attributes:
            template = written_at(ws, path + (name,))
            if template is not MISSING:
                out[(address, name)] = Written(template, built_from(template, variables))
    return out


def config_side(ws: Workspace) -> Side:
    desired = {r.address: r for r in desired_resources(ws)}
    return Side(name=ws.name, live=False, resources=desired, unknown={}, written=_written(ws, desired),
                variables=variables_of(ws))


def _with_last_applied(resource: Resource, row: StateResource | None) -> tuple[Resource, frozenset[str]]:
    """Attributes Kinde never returns (and secrets, which it returns without value) taken from the
    last apply; those no apply records are unknown."""
    kind = BY_NAME[resource.kind]
    attributes = dict(resource.attributes)
    unknown = set()
    for f in kind.fields:
        secret = f.name in kind.sensitive_fields(attributes)
        if not (f.unreadable or secret) or (secret and attributes.get(f.name) is not None):
            continue
        if row is not None and f.name in row.attributes:
            attributes[f.name] = row.attributes[f.name]
        else:
            unknown.add(f.name)
    return attrs.evolve(resource, attributes=attributes), frozenset(unknown)


def open_live(spec: SideSpec, ws: Workspace, client_options: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] | None = None) -> Session:
    """A session on the workspace's environment with its own credentials (``KINDE_CLIENT_ID_<WS>``)
    and its own state, found as every command finds it (``KINDE_IAC_STATE``, the file's
    ``kinde.state``, else ``state/<name>.db``). Unlike ``open_session`` it keeps the comparison
    config, which needs no secret."""
    environ = os.environ if environ is None else environ
    target = attrs.evolve(resolve_target(None, str(spec.config), None, env=environ), name=spec.name)
    env = workspace_environ(spec.name, environ)
    creds = resolve_credentials(ws.kinde.domain, env)
    client = KindeClient(creds, **{**tuning_from_env(env), **dict(client_options or {})})
    state = StateStore.open(target.state, workspace=spec.name)
    return Session(target=target, workspace=ws, desired=desired_resources(ws), state=state, client=client)


def live_side(session: Session, *, parallelism: int) -> Side:
    """Every live object of the environment (unmanaged ones too, except those the workspace's
    ``ignore`` rules leave out), with the last apply filling in what Kinde does not return."""
    env, state_rows, live = read_live(session, parallelism=parallelism, everything=True)
    desired = {r.address: r for r in session.desired}
    wanted = {(r.kind, r.natural) for r in session.desired}
    resources: dict[str, Resource] = {}
    unknown: dict[str, frozenset[str]] = {}
    today = dt.date.today()
    for kind in KINDS:
        for resource in live.of(kind.name):
            managed = resource.address in state_rows or (resource.kind, resource.natural) in wanted
            if not managed and matching_rule(resource.address, session.workspace.ignore, today):
                continue
            full, missing = _with_last_applied(resource, state_rows.get(resource.address))
            resources[full.address] = full
            if missing:
                unknown[full.address] = missing
    written = {}
    for (address, name), how in _written(session.workspace, desired).items():
        live_object = resources.get(address)
        if live_object is None:
            continue
        is_set = BY_NAME[live_object.kind].field(name).is_set if name in _field_names(live_object) else False
        if same(live_object.attributes.get(name), desired[address].attributes.get(name), is_set=is_set):
            written[(address, name)] = how
    return Side(name=session.target.name, live=True, resources=resources, unknown=unknown, written=written,
                variables=variables_of(session.workspace), environment=env.get("code"), domain=session.api.base_url)


def _field_names(resource: Resource) -> set[str]:
    return {f.name for f in BY_NAME[resource.kind].fields}
