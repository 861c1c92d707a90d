"""`validate` and `schema`: configuration checks that never touch the network."""
from __future__ import annotations

import json
import sys

import click

from kinde_iac.cli.options import workspaces_options, worst
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError


@click.command()
@workspaces_options
@click.option("--all", "all_", is_flag=True, help="Validate every workspace in environments/ together.")
@click.option("--require-secrets", is_flag=True,
              help="Also fail when a ${env:NAME} that feeds a secret value is unset (by default such a "
                   "reference is checked, not its value).")
def validate(workspaces: tuple[str, ...], config_path: str | None, state_path: str | None, all_: bool,
             require_secrets: bool) -> None:
    """Check configuration without touching the network."""
    from kinde_iac.config import check_workspaces, discover_workspaces
    from kinde_iac.config.offline import OfflineWorkspace, load_offline
    from kinde_iac.engine.target import desired_resources, workspace_config

    def success(loaded: OfflineWorkspace, what: str) -> str:
        line = f"Success! {what} is valid ({len(desired_resources(loaded.workspace))} objects)."
        if loaded.unset_secrets:
            line += (f" Not set, so checked as references only: {', '.join(loaded.unset_secrets)} "
                     f"(secret values; --require-secrets asks for them).")
        return line

    if all_:
        if workspaces or config_path:
            raise KindeIacError("give either --all or --workspace/--config, not both")
        paths = discover_workspaces("environments")
        if not paths:
            raise KindeIacError("no workspace files found in environments/")
        loaded = [load_offline(p, require_secrets=require_secrets) for p in paths]
        problems = check_workspaces([w.workspace for w in loaded])
        if problems:
            for p in problems[1:]:
                click.echo(f"Error: {p}", err=True)
            raise problems[0]
        unset = sorted({name for w in loaded for name in w.unset_secrets})
        click.echo(f"Success! {len(loaded)} workspaces are valid: {', '.join(w.workspace.name for w in loaded)}."
                   + (f" Not set, so checked as references only: {', '.join(unset)}." if unset else ""))
        return
    names: list[str | None] = list(dict.fromkeys(workspaces)) or [None]  # a repeated name once
    if len(names) > 1 and (config_path or state_path):
        raise KindeIacError("--config and --state work on one workspace; validate several with --workspace only")
    if len(names) == 1:
        name, config = workspace_config(names[0], config_path)
        click.echo(success(load_offline(config, name=name, require_secrets=require_secrets), str(config)))
        return
    codes = []
    for given in names:
        try:
            name, config = workspace_config(given, None)
            click.echo(success(load_offline(config, name=name, require_secrets=require_secrets), str(config)))
            codes.append(ExitCode.SUCCESS)
        except KindeIacError as err:
            click.echo(f"Error: {err}", err=True)
            codes.append(ExitCode.ERROR)
    sys.exit(worst(codes))


@click.command()
def schema() -> None:
    """Print the JSON Schema of the native configuration format."""
    from kinde_iac.config import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))
