"""`drift`, `import` and `export`: what lives in Kinde against what kinde-iac manages."""
from __future__ import annotations

import json
import sys

import click

from kinde_iac.cli.options import (
    READ_PARALLELISM,
    client_options,
    say_waiting,
    speed_options,
    workspace_options,
)
from kinde_iac.cli.status import ExitCode


@click.command()
@workspace_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@speed_options(READ_PARALLELISM)
def drift(workspace: str | None, config_path: str | None, state_path: str | None, fmt: str,
          parallelism: int, max_rps: float | None) -> None:
    """Report what changed outside kinde-iac since the last apply (exit 2 when drift is found)."""
    from kinde_iac.engine.drift import make_drift
    from kinde_iac.engine.session import open_session, resolve_target
    from kinde_iac.render import drift as render

    session = open_session(resolve_target(workspace, config_path, state_path),
                           client_options=client_options(parallelism, max_rps))
    try:
        report = make_drift(session, parallelism=parallelism)
    finally:
        session.close()
    out = {"text": render.render_text, "json": render.render_json, "markdown": render.render_markdown}[fmt]
    click.echo(out(report), nl=False)
    if not report.in_sync:
        sys.exit(ExitCode.CHANGES)


@click.command("import")
@workspace_options
@click.argument("addresses", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Adopt every live object that matches the config.")
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
def import_(workspace: str | None, config_path: str | None, state_path: str | None, addresses: tuple[str, ...],
            all_: bool, lock_timeout: float) -> None:
    """Adopt live objects into state by natural key (ADDRESS, or ADDRESS=ID to pick one); Kinde is not changed."""
    from kinde_iac.engine.adopt import import_objects
    from kinde_iac.engine.session import open_session, resolve_target

    pins = dict(a.split("=", 1) for a in addresses if "=" in a)
    plain = [a for a in addresses if "=" not in a]
    session = open_session(resolve_target(workspace, config_path, state_path),
                           client_options=client_options(READ_PARALLELISM, None))
    try:
        with session.locked("import", lock_timeout, on_wait=say_waiting):
            adopted = import_objects(session, addresses=plain, everything=all_, pins=pins,
                                     parallelism=READ_PARALLELISM)
    finally:
        session.close()
    for ch in adopted:
        click.echo(f"{ch.address}: imported [id={ch.kinde_id or ch.key}]")
    click.echo(f"Import complete! {len(adopted)} objects adopted into state; run `plan` to see what differs.")


@click.command()
@workspace_options
@click.option("--out", "out_path", metavar="FILE", help="Write the config here instead of stdout.")
@speed_options(READ_PARALLELISM)
def export(workspace: str | None, config_path: str | None, state_path: str | None, out_path: str | None,
           parallelism: int, max_rps: float | None) -> None:
    """Write a complete native config of the live environment (secrets as ${env:KEY} references)."""
    from kinde_iac.engine.export import make_export
    from kinde_iac.engine.session import open_session, resolve_target

    session = open_session(resolve_target(workspace, config_path, state_path), config_optional=True,
                           client_options=client_options(parallelism, max_rps))
    try:
        config = make_export(session, parallelism=parallelism)
    finally:
        session.close()
    text = json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if out_path:
        with open(out_path, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"Exported to {out_path}.", err=True)
    else:
        click.echo(text, nl=False)
