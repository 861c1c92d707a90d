"""`state list|show|journal|mv|rm|migrate` and `force-unlock`."""
from __future__ import annotations

import json
from typing import Any

import click

from kinde_iac.cli.groups import SuggestingGroup
from kinde_iac.cli.options import say_waiting, workspace_options
from kinde_iac.errors import KindeIacError


@click.group(cls=SuggestingGroup)
def state() -> None:
    """Inspect the state, move or forget what it manages, or move it to another backend."""


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
        raise KindeIacError(f"{address} is not in state {store.location}")
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


@state.command("migrate")
@workspace_options
@click.option("--to", "to", required=True, metavar="PATH|URL",
              help="Where the state goes: a SQLite file, or postgresql://user@host/db?schema=NAME.")
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for each state lock.")
def state_migrate(workspace: str | None, config_path: str | None, state_path: str | None, to: str,
                  lock_timeout: float) -> None:
    """Copy the workspace's state (lineage, serial, resources, journal, history) to another backend.

    The source is the state the usual -w/--config/--state name. A target already holding this
    workspace with another lineage is refused. The source is left as it was: point kinde-iac at the
    target afterwards (--state, KINDE_IAC_STATE or "kinde": {"state": ...}).
    """
    from kinde_iac.engine.session import take_lock
    from kinde_iac.state import StateStore, parse_location

    source = _open_state(workspace, config_path, state_path)
    try:
        target_location = parse_location(to)
    except KindeIacError as err:
        raise KindeIacError(f"--to: {err}") from None
    if target_location == source.location:
        raise KindeIacError(f"--to names the source state itself ({source.location})")
    target = StateStore.open(target_location, workspace=source.workspace)
    try:
        source_lock = take_lock(source, "migrate", lock_timeout, on_wait=say_waiting)
        try:
            target_lock = take_lock(target, "migrate", lock_timeout, on_wait=say_waiting)
            try:
                copied = source.copy_to(target)
            finally:
                target.release_lock(target_lock.id)
        finally:
            source.release_lock(source_lock.id)
    finally:
        target.close()
        source.close()
    click.echo(f"Migrated workspace {source.workspace!r} from {source.location} to {target_location}: lineage "
               f"{copied.lineage}, serial {copied.serial}, {copied.resources} resources, {copied.applies} applies, "
               f"{copied.journal} journal entries.")
    click.echo(f"The source is unchanged. From now on use the new state (--state, KINDE_IAC_STATE or "
               f"\"kinde\": {{\"state\": ...}} in the workspace file) and stop using {source.location}.")


@state.command("mv")
@workspace_options
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
def state_mv(workspace: str | None, config_path: str | None, state_path: str | None, source: str, target: str,
             lock_timeout: float) -> None:
    """Manage the object known as FROM under the address TO from now on (Kinde is not called). A
    "moved" entry in the configuration does the same through a plan."""
    from kinde_iac.engine.moves import move_in_state
    from kinde_iac.engine.session import take_lock, who

    store = _open_state(workspace, config_path, state_path)
    lock = take_lock(store, "state mv", lock_timeout, say_waiting)
    try:
        row = move_in_state(store, source, target, who=who())
    finally:
        store.release_lock(lock.id)
    click.echo(f"Moved {source} to {target}" + (f" [id={row.kinde_id}]" if row.kinde_id else "") + ".")


@state.command("rm")
@workspace_options
@click.argument("address")
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
def state_rm(workspace: str | None, config_path: str | None, state_path: str | None, address: str,
             lock_timeout: float) -> None:
    """Stop managing ADDRESS: it leaves the state and stays in Kinde, untouched."""
    from kinde_iac.engine.moves import remove_from_state
    from kinde_iac.engine.session import take_lock, who

    store = _open_state(workspace, config_path, state_path)
    lock = take_lock(store, "state rm", lock_timeout, say_waiting)
    try:
        row = remove_from_state(store, address, who=who())
    finally:
        store.release_lock(lock.id)
    click.echo(f"Removed {address} from state" + (f" [id={row.kinde_id}]" if row.kinde_id else "")
               + "; Kinde still has it. Remove it from the configuration too, or the next plan adopts it again.")


def _open_state(workspace: str | None, config_path: str | None, state_path: str | None) -> Any:
    from kinde_iac.engine.target import resolve_target
    from kinde_iac.state import StateStore

    target = resolve_target(workspace, config_path, state_path)
    if not target.state.exists():
        raise KindeIacError(f"no state file at {target.state} (nothing applied yet)")
    store = StateStore.open(target.state, workspace=target.name, unlock_command=target.unlock_command())
    if not store.born:
        store.close()
        raise KindeIacError(f"no state of workspace {target.name!r} at {target.state} (nothing applied yet)")
    return store


@click.command("force-unlock")
@workspace_options
@click.argument("lock_id")
def force_unlock(workspace: str | None, config_path: str | None, state_path: str | None, lock_id: str) -> None:
    """Release a lock left behind by a killed run."""
    store = _open_state(workspace, config_path, state_path)
    info = store.force_unlock(lock_id)
    click.echo(f"Released lock {info.id} held by {info.who} since {info.since}.")
