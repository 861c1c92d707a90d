"""Loading workspaces for ``check`` and ``lint``: no credentials, no secrets, no network.

Every ``${env:NAME}`` is replaced by a placeholder instead of the variable's value, so neither
command needs secrets set, their results never depend on the shell they run in, and a value that
came from the environment can be told apart from one written in the config (``secret-literal``).
The placeholder is an ``https`` URL on the reserved ``.invalid`` domain, so URL fields that take
their value from the environment still pass validation.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from kinde_iac.checks.json_lines import ConfigLines
from kinde_iac.config import discover_workspaces, load_workspace
from kinde_iac.config.model import LintIgnore, Workspace
from kinde_iac.engine.target import desired_resources, workspace_config
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import Resource

ENV_MARKER = "kinde-iac.invalid/env/"
_PRODUCTION_NAME = re.compile(r"^prod(uction)?([-_.].*)?$", re.IGNORECASE)


class PlaceholderEnv(Mapping[str, str]):
    """An environment in which every variable is set, to a recognisable placeholder."""

    def __getitem__(self, name: str) -> str:
        return f"https://{ENV_MARKER}{name}"

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def from_env(value: object) -> bool:
    """Whether a config value was (or contains) a ``${env:...}`` reference."""
    return isinstance(value, str) and ENV_MARKER in value


@attrs.define
class Loaded:
    """One workspace as the checks see it: desired objects plus what lint needs besides."""

    name: str
    source: str
    resources: list[Resource]
    production: bool
    ignore: tuple[LintIgnore, ...]
    #: Where each address is written: (file, JSON path of its entry).
    paths: dict[str, tuple[str, str]]
    workspace: Workspace

    def by_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def location(self, address: str | None, lines: ConfigLines, value: str | None = None) -> tuple[str, int]:
        """(file, line) where ``address`` (or ``value`` inside it; by default the object's key) is
        written; the workspace file's first line for objects the config does not place."""
        if address is not None and address in self.paths:
            file, path = self.paths[address]
            if value is None:
                # role.admin -> "admin"; api_scope.orders/orders:read -> "orders:read"
                value = address.split(".", 1)[-1].rsplit("/", 1)[-1]
            return file, lines.line(file, path, value)
        return self.source, 1


def is_production(ws: Workspace) -> bool:
    """``"kinde": {"production": true}`` marks production; without it, a workspace named ``prod``,
    ``production`` or ``prod-*`` is one."""
    if ws.kinde.production is not None:
        return ws.kinde.production
    return bool(_PRODUCTION_NAME.match(ws.name))


def load(path: str | Path, name: str | None = None) -> Loaded:
    ws = load_workspace(path, name=name, env=PlaceholderEnv())
    return Loaded(name=ws.name, source=ws.source, resources=desired_resources(ws), production=is_production(ws),
                  ignore=ws.lint.ignore, paths=dict(ws.paths), workspace=ws)


def load_target(workspace: str | None, config: str | None) -> Loaded:
    name, path = workspace_config(workspace, config)
    return load(path, name)


def load_all(base_dir: str | Path = "environments") -> list[Loaded]:
    paths: Sequence[Path] = discover_workspaces(base_dir)
    if not paths:
        raise KindeIacError(f"no workspace files found in {base_dir}/")
    return [load(p) for p in paths]
