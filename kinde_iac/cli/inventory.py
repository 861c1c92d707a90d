"""`drift`, `import` and `export`: what lives in Kinde against what kinde-iac manages."""
from __future__ import annotations

import json
import sys

import click

from kinde_iac.cli.options import (
    READ_PARALLELISM,
    client_options,
    project_option,
    say_waiting,
    speed_options,
    workspace_options,
    workspaces_options,
    worst,
)
from kinde_iac.cli.status import ExitCode


@click.command()
@workspaces_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@speed_options(READ_PARALLELISM)
@click.option("--github-issue", is_flag=True,
              help="Open, update or close each workspace's drift issue on GitHub (label kinde-iac-drift).")
@project_option
def drift(workspaces: tuple[str, ...], config_path: str | None, state_path: str | None, fmt: str,
          parallelism: int, max_rps: float | None, github_issue: bool, project: str | None) -> None:
    """Report what changed outside kinde-iac since the last apply (exit 2 when drift is found)."""
    from kinde_iac.ci.publish import after_drift
    from kinde_iac.engine.drift import DriftReport, make_drift
    from kinde_iac.engine.session import open_session, resolve_target
    from kinde_iac.errors import KindeIacError
    from kinde_iac.render import drift as render

    names: list[str | None] = list(dict.fromkeys(workspaces)) or [None]  # a repeated name once
    if len(names) > 1 and (config_path or state_path):
        raise KindeIacError("--config and --state work on one workspace; check several with --workspace only")

    def one(name: str | None) -> DriftReport:
        session = open_session(resolve_target(name, config_path, state_path),
                               client_options=client_options(parallelism, max_rps))
        try:
            return make_drift(session, parallelism=parallelism)
        finally:
            session.close()

    out = {"text": render.render_text, "json": render.render_json, "markdown": render.render_markdown}[fmt]
    if len(names) == 1:
        report = one(names[0])
        click.echo(out(report), nl=False)
        code = ExitCode.SUCCESS if report.in_sync else ExitCode.CHANGES
        after_drift(report, exit_code=code, project=project, github_issue=github_issue, say=click.echo)
        if code:
            sys.exit(code)
        return
    codes, documents = [], []
    for name in names:
        try:
            report = one(name)
        except KindeIacError as err:
            click.echo(f"Error: {name}: {err}", err=True)
            codes.append(ExitCode.ERROR)
            documents.append({"workspace": name, "error": str(err)})
            continue
        code = ExitCode.SUCCESS if report.in_sync else ExitCode.CHANGES
        codes.append(code)
        if fmt == "json":
            documents.append(render.to_dict(report))
        else:
            click.echo(f"=== {name}\n" if fmt == "text" else "", nl=False)
            click.echo(out(report))
        after_drift(report, exit_code=code, project=project, github_issue=github_issue,
                    say=lambda line: click.echo(line, err=fmt == "json"))
    if fmt == "json":
        click.echo(json.dumps({"workspaces": documents}, indent=2, sort_keys=True))
    sys.exit(worst(codes))


@click.command("import")
@workspace_options
@click.argument("addresses", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Adopt every live object that matches the config.")
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
def import_(workspace: str | None, config_path: str | None, state_path: str | None, addresses: tuple[str, ...],
            all_: bool, lock_timeout: float) -> None:
    """Adopt live objects into state by natural key (ADDRESS, or ADDRESS=ID to pick one). Kinde is not
    changed, except that fields it cannot return (flag definitions, secret values) are written once."""
    from kinde_iac.engine.adopt import adopt
    from kinde_iac.engine.session import open_session, resolve_target

    pins = dict(a.split("=", 1) for a in addresses if "=" in a)
    plain = [a for a in addresses if "=" not in a]
    session = open_session(resolve_target(workspace, config_path, state_path),
                           client_options=client_options(READ_PARALLELISM, None))
    try:
        with session.locked("import", lock_timeout, on_wait=say_waiting):
            done = adopt(session, addresses=plain, everything=all_, pins=pins, parallelism=READ_PARALLELISM)
    finally:
        session.close()
    for ch in done.adopted:
        click.echo(f"{ch.address}: imported [id={ch.kinde_id or ch.key}]")
    for ch in done.written:
        click.echo(f"{ch.address}: wrote {', '.join(c.name for c in ch.changes)} as configured (Kinde cannot "
                   f"return {'it' if len(ch.changes) == 1 else 'them'}, so no other value could be recorded)"
                   + ("; replaced, since Kinde cannot change it in place" if ch.action.value == "replace" else ""))
    click.echo(f"Import complete! {len(done.adopted)} objects adopted into state; run `plan` to see what differs.")


@click.command()
@workspace_options
@click.option("--out", "out_path", metavar="FILE", help="Write the config here instead of stdout.")
@speed_options(READ_PARALLELISM)
def export(workspace: str | None, config_path: str | None, state_path: str | None, out_path: str | None,
           parallelism: int, max_rps: float | None) -> None:
    """Write a complete native config of the live environment (secrets as ${env:KEY} references)."""
    from kinde_iac.engine.export import export_warnings, make_export
    from kinde_iac.engine.private_file import check_target, write_private_file
    from kinde_iac.engine.session import open_session, resolve_target

    if out_path:
        check_target(out_path, what="export file")
    session = open_session(resolve_target(workspace, config_path, state_path), config_optional=True,
                           client_options=client_options(parallelism, max_rps))
    try:
        config = make_export(session, parallelism=parallelism)
    finally:
        session.close()
    for warning in export_warnings(config):
        click.echo(f"Warning: {warning}", err=True)
    text = json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if out_path:
        # Owner-only: an export lists every object of the environment, as the state does.
        write_private_file(out_path, text, what="export file")
        click.echo(f"Exported to {out_path}.", err=True)
    else:
        click.echo(text, nl=False)
