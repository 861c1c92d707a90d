"""Which workspace a command works on, where its state lives, and the objects its config desires:
what the commands that never talk to Kinde (``validate``, ``check``, ``lint``) need, without the
session's HTTP client and state backend (their imports are most of a plan's start-up)."""
from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from kinde_iac.config import state_setting, workspace_file
from kinde_iac.config.model import Workspace
from kinde_iac.errors import ConfigError, KindeIacError
from kinde_iac.resources import KINDS, Resource

if TYPE_CHECKING:
    from kinde_iac.state.location import StateLocation

#: The environment variable naming the state (a path or a postgresql:// URL) when --state does not.
STATE_VARIABLE = "KINDE_IAC_STATE"


@attrs.frozen
class Target:
    """Which workspace, which config file and which state a command works on."""

    name: str
    config: Path
    #: A SQLite file or a PostgreSQL database; ``str()`` shows it without a password.
    state: StateLocation
    #: Where ``state`` came from: "--state", "KINDE_IAC_STATE", "kinde.state" or "default".
    state_source: str = "default"

    def cli_args(self) -> list[str]:
        """The options that name this target again on the command line (for hints in messages)."""
        try:
            by_name = self.config == workspace_file(self.name)
        except ConfigError:
            by_name = False
        args = ["-w", self.name] if by_name else ["--config", str(self.config)]
        if self.state_source == "--state":
            args += ["--state", self.state.shown]
        return args

    def unlock_command(self) -> str:
        """``kinde-iac force-unlock`` with the options that reach this state: the lock hint runs as pasted."""
        return shlex.join(["kinde-iac", "force-unlock", *self.cli_args()])


def workspace_config(workspace: str | None, config: str | None,
                     base_dir: str | Path = "environments") -> tuple[str, Path]:
    """(workspace name, config file) a command names: all that the commands with no state need."""
    if workspace and config:
        raise KindeIacError("give either --workspace or --config, not both")
    if not workspace and not config:
        raise KindeIacError("no workspace given: use --workspace NAME (environments/NAME.json) or --config FILE")
    if config:
        return Path(config).stem, Path(config)
    assert workspace is not None
    return workspace, workspace_file(workspace, base_dir)


def resolve_target(workspace: str | None, config: str | None, state: str | None,
                   base_dir: str | Path = "environments", env: Mapping[str, str] | None = None) -> Target:
    """The target a command names. Its state: ``--state``, else ``KINDE_IAC_STATE``, else the workspace
    file's ``"kinde": {"state": ...}``, else ``state/<name>.db``."""
    # The state package loads only for commands that have a state (validate, check and lint do not).
    from kinde_iac.state.location import StateLocation, parse_location

    name, path = workspace_config(workspace, config, base_dir)
    environ = os.environ if env is None else env
    if state:
        text, source = state, "--state"
    elif environ.get(STATE_VARIABLE):
        text, source = environ[STATE_VARIABLE], STATE_VARIABLE
    elif path.is_file() and (setting := state_setting(path, environ)) is not None:
        text, source = setting, "kinde.state"
    else:
        return Target(name=name, config=path, state=StateLocation(path=Path("state") / f"{name}.db"))
    try:
        location = parse_location(text)
    except KindeIacError as err:
        raise KindeIacError(f"{source}: {err}") from None
    return Target(name=name, config=path, state=location, state_source=source)


def desired_resources(ws: Workspace) -> list[Resource]:
    return [r for kind in KINDS for r in kind.desired(ws)]
