"""`diff` and `promote`: two environments side by side, and copying definitions between them."""
from __future__ import annotations

import click

from kinde_iac.cli.options import client_options, speed_options
from kinde_iac.cli.status import ExitCode


@click.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.argument("addresses", nargs=-1, metavar="[ADDRESS...]")
@click.option("--live", is_flag=True, help="Compare both live environments (A:live or B:live for one side).")
@click.option("--ignore-variables", is_flag=True,
              help="Hide attributes that differ only because a variable they are built from differs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@speed_options(8)
def diff(a: str, b: str, addresses: tuple[str, ...], live: bool, ignore_variables: bool, fmt: str,
         parallelism: int, max_rps: float | None) -> None:
    """Show how workspaces A and B differ (exit 2 when they do).

    A and B are workspace names (environments/NAME.json) or config files; NAME:live reads that
    workspace's Kinde environment instead of its config. ADDRESS (role.admin, role.*) narrows the
    comparison."""
    from kinde_iac.engine.envdiff import diff_environments
    from kinde_iac.engine.envsides import parse_side
    from kinde_iac.render import envdiff as render

    result = diff_environments(parse_side(a, live=live), parse_side(b, live=live), addresses=addresses,
                               ignore_variables=ignore_variables, parallelism=parallelism,
                               client_options=client_options(parallelism, max_rps))
    out = {"text": render.render_text, "json": render.render_json, "markdown": render.render_markdown}[fmt]
    click.echo(out(result), nl=False)
    if not result.same:
        raise click.exceptions.Exit(ExitCode.CHANGES)


@click.command()
@click.option("--from", "source", required=True, metavar="A", help="Workspace to copy definitions from.")
@click.option("--to", "target", required=True, metavar="B", help="Workspace whose file is written.")
@click.argument("addresses", nargs=-1, metavar="[ADDRESS...]")
@click.option("--all", "every", is_flag=True, help="Promote every object that differs (objects only in B are kept).")
@click.option("--dry-run", is_flag=True, help="Print the change to B's file without writing it.")
def promote(source: str, target: str, addresses: tuple[str, ...], every: bool, dry_run: bool) -> None:
    """Write objects' definitions from A into B's workspace file, so B defines them as A does.

    B keeps its $extends, variables, layout and protect flags; variable references are copied as
    references; secret values are never copied. The change is printed as a unified diff."""
    from kinde_iac.engine.envsides import parse_side
    from kinde_iac.engine.promote import promote as run_promote
    from kinde_iac.render.promotion import render_promotion

    result = run_promote(parse_side(source), parse_side(target), addresses, every=every, dry_run=dry_run)
    click.echo(render_promotion(result, dry_run=dry_run), nl=False)
