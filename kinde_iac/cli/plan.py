"""`plan` and `show`: make a plan (of one or several workspaces) or render saved ones."""
from __future__ import annotations

import json
import sys

import click

from kinde_iac.cli.options import READ_PARALLELISM, client_options, speed_options, use_color
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError


@click.command()
@click.option("--workspace", "-w", "workspaces", multiple=True, metavar="NAME",
              help="Workspace: environments/NAME.json (repeat to plan several; each uses KINDE_CLIENT_ID_<NAME> "
                   "and friends when set).")
@click.option("--config", "config_path", metavar="FILE", help="Config file; the workspace is the file's stem.")
@click.option("--state", "state_path", metavar="PATH", help="State file (default state/<workspace>.db).")
@click.option("--out", "out_path", metavar="FILE", help="Save the plan for `kinde-iac apply FILE`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--full-plan-hint", metavar="TEXT", help="Where the full plan is, named in a shortened markdown body.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@speed_options(READ_PARALLELISM)
@click.option("--allow-mass-delete", is_flag=True, help="Accept a plan that destroys more than the allowed share.")
def plan(workspaces: tuple[str, ...], config_path: str | None, state_path: str | None, out_path: str | None,
         fmt: str, full_plan_hint: str | None, detailed_exitcode: bool, no_color: bool, parallelism: int,
         max_rps: float | None, allow_mass_delete: bool) -> None:
    """Show what apply would change."""
    from kinde_iac.engine.workspaces import plan_workspaces
    from kinde_iac.render.progress import Progress

    targets: list[str | None] = list(workspaces) or [None]
    if len(targets) > 1 and (config_path or state_path or out_path):
        raise KindeIacError("--config, --state and --out work on one workspace; plan several with --workspace only")
    planned = plan_workspaces(
        targets, config=config_path, state=state_path, parallelism=parallelism, allow_mass_delete=allow_mass_delete,
        client_options=client_options(parallelism, max_rps), documents=bool(out_path) or fmt == "json",
        progress=lambda session: Progress.choose(quiet=fmt != "text", requests=session.requests))
    results = planned.results
    if out_path and results[0].document is not None:
        from kinde_iac.engine.planfile import write_plan_file

        write_plan_file(out_path, results[0].document)
    if fmt == "markdown":
        from kinde_iac.render.markdown import render_markdown

        click.echo(render_markdown(results, full_plan_hint=full_plan_hint), nl=False)
    elif fmt == "json":
        from kinde_iac.render.json_plan import error_document, workspaces_document

        docs = [r.document if r.document is not None else error_document(r.workspace, r.error) for r in results]
        click.echo(json.dumps(workspaces_document(docs), indent=2, sort_keys=True))
    else:
        from kinde_iac.render.text import render_plan

        for r in results:
            if len(results) > 1:
                click.echo(f"=== {r.workspace}")
            if r.plan is None:
                click.echo(f"Error: {r.error}", err=True)
            else:
                click.echo(render_plan(r.plan, color=use_color(no_color)), nl=False)
        if out_path:
            click.echo(f"\nSaved the plan to {out_path}. Apply exactly this plan with: kinde-iac apply {out_path}")
    if planned.failed:
        sys.exit(ExitCode.ERROR)
    if detailed_exitcode and planned.has_changes:
        sys.exit(ExitCode.CHANGES)


@click.command()
@click.argument("plan_files", nargs=-1, required=True, metavar="PLAN_FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--full-plan-hint", metavar="TEXT", help="Where the full plan is, named in a shortened markdown body.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
def show(plan_files: tuple[str, ...], fmt: str, full_plan_hint: str | None, no_color: bool) -> None:
    """Render saved plans (several files make one markdown body with a section each)."""
    from kinde_iac.engine.plan_model import WorkspaceResult
    from kinde_iac.engine.planfile import read_plan_file
    from kinde_iac.render.json_plan import workspaces_document
    from kinde_iac.render.markdown import render_markdown
    from kinde_iac.render.text import render_plan

    saved = [read_plan_file(f) for f in plan_files]
    if fmt == "json":
        click.echo(json.dumps(workspaces_document([s.document for s in saved]), indent=2, sort_keys=True))
    elif fmt == "markdown":
        click.echo(render_markdown([WorkspaceResult(workspace=s.plan.workspace, plan=s.plan) for s in saved],
                                   full_plan_hint=full_plan_hint), nl=False)
    else:
        for s in saved:
            click.echo(render_plan(s.plan, color=use_color(no_color)), nl=False)
