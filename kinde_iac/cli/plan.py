"""`plan` and `show`: make a plan (of one or several workspaces) or render saved ones."""
from __future__ import annotations

import json
import sys

import click

from kinde_iac.cli.options import (
    READ_PARALLELISM,
    STATE_HELP,
    client_options,
    project_option,
    speed_options,
    target_options,
    use_color,
)
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError


@click.command()
@click.option("--workspace", "-w", "workspaces", multiple=True, metavar="NAME",
              help="Workspace: environments/NAME.json (repeat to plan several; each uses KINDE_CLIENT_ID_<NAME> "
                   "and friends when set).")
@click.option("--config", "config_path", metavar="FILE", help="Config file; the workspace is the file's stem.")
@click.option("--state", "state_path", metavar="PATH|URL", help=STATE_HELP)
@click.option("--out", "out_path", metavar="FILE",
              help="Save the plan for `kinde-iac apply FILE` ({workspace} in FILE: one file per workspace).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "gitlab"]), default="text",
              show_default=True)
@click.option("--full-plan-hint", metavar="TEXT", help="Where the full plan is, named in a shortened markdown body.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@speed_options(READ_PARALLELISM)
@click.option("--allow-mass-delete", is_flag=True, help="Accept a plan that destroys more than the allowed share.")
@project_option
@target_options
def plan(workspaces: tuple[str, ...], config_path: str | None, state_path: str | None, out_path: str | None,
         fmt: str, full_plan_hint: str | None, detailed_exitcode: bool, no_color: bool, parallelism: int,
         max_rps: float | None, allow_mass_delete: bool, project: str | None, targets: tuple[str, ...],
         replace: tuple[str, ...]) -> None:
    """Show what apply would change."""
    from kinde_iac.ci.publish import publish_plan
    from kinde_iac.ci.saved_plans import out_path as plan_path
    from kinde_iac.engine.workspaces import plan_workspaces
    from kinde_iac.render.markers import default_project
    from kinde_iac.render.progress import Progress

    names: list[str | None] = list(dict.fromkeys(workspaces)) or [None]  # a repeated name once
    if len(names) > 1 and (config_path or state_path):
        raise KindeIacError("--config and --state work on one workspace; plan several with --workspace only")
    if len(names) > 1 and fmt == "gitlab":
        raise KindeIacError("--format gitlab reports one workspace (GitLab shows one report per job): "
                            "plan each workspace in its own job")
    if out_path:
        from kinde_iac.engine.private_file import check_target

        for name in names:  # before any request: a file that cannot be written fails now
            check_target(plan_path(out_path, name or "", len(names) > 1), what="plan file")
    project = project or default_project()
    planned = plan_workspaces(
        names, config=config_path, state=state_path, parallelism=parallelism, allow_mass_delete=allow_mass_delete,
        client_options=client_options(parallelism, max_rps), documents=bool(out_path) or fmt == "json",
        progress=lambda session: Progress.choose(quiet=fmt != "text", requests=session.requests),
        targets=targets, replace=replace)
    results = planned.results
    saved = [(plan_path(out_path, r.workspace, len(results) > 1), r.document) for r in results
             if out_path and r.document is not None]
    if saved:
        from kinde_iac.ci.saved_plans import save

        for path, document in saved:
            save(path, document)
    if fmt == "markdown":
        from kinde_iac.render.markdown import render_markdown

        click.echo(render_markdown(results, full_plan_hint=full_plan_hint, project=project), nl=False)
    elif fmt == "gitlab":
        from kinde_iac.render.gitlab import render_gitlab

        if results[0].plan is not None:
            click.echo(render_gitlab(results[0].plan), nl=False)
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
        for path, _ in saved:
            click.echo(f"\nSaved the plan to {path}. Apply exactly this plan with: kinde-iac apply {path}")
    code = ExitCode.ERROR if planned.failed else \
        ExitCode.CHANGES if detailed_exitcode and planned.has_changes else ExitCode.SUCCESS
    publish_plan(results, exit_code=code, plan_files=[p for p, _ in saved], project=project)
    if code:
        sys.exit(code)


@click.command()
@click.argument("plan_files", nargs=-1, required=True, metavar="PLAN_FILE_OR_DIR...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "gitlab"]), default="text",
              show_default=True)
@click.option("--full-plan-hint", metavar="TEXT", help="Where the full plan is, named in a shortened markdown body.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@click.option("--workspace", "-w", "workspaces", multiple=True, metavar="NAME",
              help="Expected workspaces, in section order (repeat); one without a saved plan is shown as failed.")
@project_option
def show(plan_files: tuple[str, ...], fmt: str, full_plan_hint: str | None, no_color: bool,
         workspaces: tuple[str, ...], project: str | None) -> None:
    """Render saved plans (several files, or a directory of them, make one markdown body with a section each)."""
    from kinde_iac.ci.saved_plans import gather
    from kinde_iac.render.gitlab import render_gitlab
    from kinde_iac.render.json_plan import error_document, workspaces_document
    from kinde_iac.render.markdown import render_markdown
    from kinde_iac.render.markers import default_project
    from kinde_iac.render.text import render_plan

    sections = gather(plan_files, workspaces)
    failed = [s for s in sections if s.plan is None]
    if fmt == "json":
        docs = [s.document if s.document is not None else error_document(s.workspace, s.error) for s in sections]
        click.echo(json.dumps(workspaces_document(docs), indent=2, sort_keys=True))
    elif fmt == "markdown":
        click.echo(render_markdown(sections, full_plan_hint=full_plan_hint, project=project or default_project()),
                   nl=False)
    elif fmt == "gitlab":
        if len(sections) != 1 or sections[0].plan is None:
            raise KindeIacError("--format gitlab reports exactly one saved plan")
        click.echo(render_gitlab(sections[0].plan), nl=False)
    else:
        for s in sections:
            if s.plan is None:
                click.echo(f"Error: {s.workspace}: {s.error}", err=True)
            else:
                click.echo(render_plan(s.plan, color=use_color(no_color)), nl=False)
    if failed and fmt != "markdown":
        sys.exit(ExitCode.ERROR)
