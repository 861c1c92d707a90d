"""`state list|show|journal` and `force-unlock`."""
from __future__ import annotations

import json
from typing import Any

import click

from kinde_iac.cli.options import workspace_options
from kinde_iac.errors import KindeIacError


@click.group()
def state() -> None:
    """Inspect the state file."""


@state.command("list")
@workspace_options
def state_list(workspace: str | None, config_path: str | None, state_path: str | None) -> None:
    """List the addresses kinde-iac manages."""
    store = _open_state(workspace, config_path, state_path)
    for address, row in store.resources().items():
        click.echo(f"{address}\t{row.kinde_id or '-'}")


@state.command("show")
@workspace_options
@click.argument("address")
def state_show(workspace: str | None, config_path: str | None, state_path: str | None, address: str) -> None:
    """Show one object's last-applied attributes (secrets appear only as salted hashes)."""
    store = _open_state(workspace, config_path, state_path)
    row = store.get(address)
    if row is None:
        raise KindeIacError(f"{address} is not in state {store.path}")
    click.echo(json.dumps({"address": row.address, "kinde_id": row.kinde_id, "natural": list(row.natural),
                           "depends_on": list(row.depends_on), "attributes": row.attributes,
                           "updated_at": row.updated_at}, indent=2, sort_keys=True))


@state.command("journal")
@workspace_options
def state_journal(workspace: str | None, config_path: str | None, state_path: str | None) -> None:
    """Show the journal of the last apply (each API step's intent and outcome)."""
    store = _open_state(workspace, config_path, state_path)
    for e in store.journal():
        click.echo(f"{e.started_at}\t{e.address}\t{e.action}\t{e.outcome or 'IN FLIGHT (no result)'}"
                   f"\t{e.kinde_id or ''}\t{e.detail}")


def _open_state(workspace: str | None, config_path: str | None, state_path: str | None) -> Any:
    from kinde_iac.engine.target import resolve_target
    from kinde_iac.state import StateStore

    target = resolve_target(workspace, config_path, state_path)
    if not target.state.exists():
        raise KindeIacError(f"no state file at {target.state} (nothing applied yet)")
    return StateStore.open(target.state, workspace=target.name)


@click.command("force-unlock")
@workspace_options
@click.argument("lock_id")
def force_unlock(workspace: str | None, config_path: str | None, state_path: str | None, lock_id: str) -> None:
    """Release a lock left behind by a killed run."""
    store = _open_state(workspace, config_path, state_path)
    info = store.force_unlock(lock_id)
    click.echo(f"Released lock {info.id} held by {info.who} since {info.since}.")
