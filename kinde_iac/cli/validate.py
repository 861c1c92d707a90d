"""`validate` and `schema`: configuration checks that never touch the network."""
from __future__ import annotations

import json

import click

from kinde_iac.cli.options import workspace_options
from kinde_iac.errors import KindeIacError


@click.command()
@workspace_options
@click.option("--all", "all_", is_flag=True, help="Validate every workspace in environments/ together.")
def validate(workspace: str | None, config_path: str | None, state_path: str | None, all_: bool) -> None:
    """Check configuration without touching the network."""
    from kinde_iac.config import check_workspaces, discover_workspaces, load_workspace
    from kinde_iac.engine.target import resolve_target

    if all_:
        paths = discover_workspaces("environments")
        if not paths:
            raise KindeIacError("no workspace files found in environments/")
        loaded = [load_workspace(p) for p in paths]
        problems = check_workspaces(loaded)
        if problems:
            for p in problems[1:]:
                click.echo(f"Error: {p}", err=True)
            raise problems[0]
        click.echo(f"Success! {len(loaded)} workspaces are valid: {', '.join(w.name for w in loaded)}.")
        return
    target = resolve_target(workspace, config_path, state_path)
    ws = load_workspace(target.config, name=target.name)
    from kinde_iac.engine.target import desired_resources

    click.echo(f"Success! {target.config} is valid ({len(desired_resources(ws))} objects).")



@click.command()
def schema() -> None:
    """Print the JSON Schema of the native configuration format."""
    from kinde_iac.config import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))
