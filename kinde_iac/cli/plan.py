"""`plan` and `show`: make a plan (of one or several workspaces) or render saved ones."""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from kinde_iac.cli.options import client_options, speed_options, use_color
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError


def _plan_one(workspace: str | None, config_path: str | None, state_path: str | None, parallelism: int,
              allow_mass_delete: bool, max_rps: float | None, quiet: bool) -> tuple[Any, Any]:
    """Plan one workspace; returns (plan, desired objects)."""
    from kinde_iac.engine.session import check_safety, make_plan, open_session, resolve_target
    from kinde_iac.render.progress import Progress

    session = open_session(resolve_target(workspace, config_path, state_path),
                           client_options=client_options(parallelism, max_rps))
    progress = Progress.choose(quiet=quiet, requests=lambda: session.client.stats.requests)
    try:
        plan = check_safety(make_plan(session, parallelism=parallelism, on_event=progress), session,
                            allow_mass_delete=allow_mass_delete)
        return plan, session.desired
    finally:
        progress.finish()
        session.close()


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
@speed_options(8)
@click.option("--allow-mass-delete", is_flag=True, help="Accept a plan that destroys more than the allowed share.")
def plan(workspaces: tuple[str, ...], config_path: str | None, state_path: str | None, out_path: str | None,
         fmt: str, full_plan_hint: str | None, detailed_exitcode: bool, no_color: bool, parallelism: int,
         max_rps: float | None, allow_mass_delete: bool) -> None:
    """Show what apply would change."""
    from kinde_iac.engine.planfile import saved_document, write_plan_file
    from kinde_iac.render.markdown import WorkspaceResult, render_markdown
    from kinde_iac.render.text import render_plan

    targets: list[str | None] = list(workspaces) or [None]
    if len(targets) > 1 and (config_path or state_path or out_path):
        raise KindeIacError("--config, --state and --out work on one workspace; plan several with --workspace only")
    if len(targets) > 1 and fmt == "text":
        fmt_many = True
    else:
        fmt_many = False
    results: list[Any] = []
    for name in targets:
        try:
            the_plan, desired = _plan_one(name, config_path, state_path, parallelism, allow_mass_delete, max_rps,
                                          quiet=fmt != "text")
        except KindeIacError as err:
            if len(targets) == 1:
                raise
            results.append((WorkspaceResult(workspace=name or "?", error=str(err)), None, None))
            continue
        doc = saved_document(the_plan, desired) if out_path or fmt == "json" else None
        results.append((WorkspaceResult(workspace=the_plan.workspace, plan=the_plan), the_plan, doc))
        if out_path and doc is not None:
            write_plan_file(out_path, doc)
    if fmt == "markdown":
        click.echo(render_markdown([r for r, _, _ in results], full_plan_hint=full_plan_hint), nl=False)
    elif fmt == "json":
        docs = [doc if doc is not None else {"workspace": r.workspace, "errors": [r.error]}
                for r, _, doc in results]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else {"workspaces": docs}, indent=2, sort_keys=True))
    else:
        for r, p, _ in results:
            if fmt_many:
                click.echo(f"=== {r.workspace}")
            if p is None:
                click.echo(f"Error: {r.error}", err=True)
            else:
                click.echo(render_plan(p, color=use_color(no_color)), nl=False)
        if out_path:
            click.echo(f"\nSaved the plan to {out_path}. Apply exactly this plan with: kinde-iac apply {out_path}")
    if any(p is None for _, p, _ in results):
        sys.exit(ExitCode.ERROR)
    if detailed_exitcode and any(p.has_changes for _, p, _ in results):
        sys.exit(ExitCode.CHANGES)



@click.command()
@click.argument("plan_files", nargs=-1, required=True, metavar="PLAN_FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--full-plan-hint", metavar="TEXT", help="Where the full plan is, named in a shortened markdown body.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
def show(plan_files: tuple[str, ...], fmt: str, full_plan_hint: str | None, no_color: bool) -> None:
    """Render saved plans (several files make one markdown body with a section each)."""
    from kinde_iac.render.json_plan import load_plan_file, plan_from_document
    from kinde_iac.render.markdown import WorkspaceResult, render_markdown
    from kinde_iac.render.text import render_plan

    docs = [load_plan_file(f) for f in plan_files]
    plans = [plan_from_document(d) for d in docs]
    if fmt == "json":
        click.echo(json.dumps(docs[0] if len(docs) == 1 else {"workspaces": docs}, indent=2, sort_keys=True))
    elif fmt == "markdown":
        click.echo(render_markdown([WorkspaceResult(workspace=p.workspace, plan=p) for p in plans],
                                   full_plan_hint=full_plan_hint), nl=False)
    else:
        for p in plans:
            click.echo(render_plan(p, color=use_color(no_color)), nl=False)
