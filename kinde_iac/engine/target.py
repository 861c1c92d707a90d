"""Which workspace a command works on, and the objects its config desires: what the commands that
never talk to Kinde (``validate``, ``check``, ``lint``) need, without the session's HTTP client and
state backend (their imports are most of a plan's start-up)."""
from __future__ import annotations

from pathlib import Path

import attrs

from kinde_iac.config import workspace_file
from kinde_iac.config.model import Workspace
from kinde_iac.errors import KindeIacError
from kinde_iac.resources import KINDS, Resource


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
