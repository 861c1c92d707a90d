"""`apply`: plan, ask, and make Kinde match the configuration; or apply exactly a saved plan."""
from __future__ import annotations

import sys

import click

from kinde_iac.cli.options import client_options, speed_options, take_lock, use_color, workspace_options
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError


@click.command()
@workspace_options
@click.argument("plan_file", required=False, metavar="[PLAN_FILE]")
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@speed_options(4)
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
@click.option("--allow-mass-delete", is_flag=True, help="Accept a plan that destroys more than the allowed share.")
@click.option("--secrets-out", metavar="FILE",
              help="Write one-time secrets of created API keys here (JSON by address, mode 0600).")
def apply(workspace: str | None, config_path: str | None, state_path: str | None, plan_file: str | None,
          auto_approve: bool, no_color: bool, parallelism: int, max_rps: float | None, lock_timeout: float,
          allow_mass_delete: bool, secrets_out: str | None) -> None:
    """Plan, ask for "yes", and make Kinde match the configuration; or apply exactly a saved PLAN_FILE."""
    from kinde_iac.engine.apply import SecretsFile, apply_plan
    from kinde_iac.engine.session import check_safety, make_plan, open_session, resolve_target, who
    from kinde_iac.render.text import render_plan

    saved = doc = None
    if plan_file:
        from kinde_iac.render.json_plan import load_plan_file, plan_from_document

        doc = load_plan_file(plan_file)
        saved = plan_from_document(doc)
        if workspace and workspace != saved.workspace:
            raise KindeIacError(f"{plan_file} is a plan for workspace {saved.workspace!r}, not {workspace!r}; "
                                f"refusing")
        if not config_path:
            workspace = workspace or saved.workspace
    from kinde_iac.render.progress import Progress

    secrets_file = SecretsFile(secrets_out) if secrets_out else None
    if secrets_file is not None:
        secrets_file.check_writable()
    target = resolve_target(workspace, config_path, state_path)
    session = open_session(target, client_options=client_options(parallelism, max_rps))
    progress = Progress.choose(quiet=False, requests=lambda: session.client.stats.requests)
    lock = None
    try:
        if saved is None and not auto_approve and not sys.stdin.isatty():
            raise KindeIacError("no terminal to ask for approval: run with --auto-approve (or apply a saved plan)")
        lock = take_lock(session.state, "apply", lock_timeout)
        fresh = check_safety(make_plan(session, parallelism=parallelism, on_event=progress), session,
                             allow_mass_delete=allow_mass_delete)
        progress.finish()
        if saved is not None and doc is not None:
            from kinde_iac.engine.planfile import check_fresh

            check_fresh(saved, doc, workspace=target.name, lineage=session.state.lineage,
                        serial=session.state.serial, desired=session.desired, fresh=fresh)
            the_plan = saved
            click.echo(f"Applying the saved plan {plan_file} (checked: state, configuration and every object "
                       f"it touches are as they were when it was made).")
        else:
            the_plan = fresh
            click.echo(render_plan(the_plan, color=use_color(no_color)), nl=False)
        if the_plan.blocked:
            raise KindeIacError(the_plan.blocked)
        if saved is None and not auto_approve and the_plan.has_changes:
            click.echo("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n")
            answer = click.prompt("  Enter a value", default="", show_default=False)
            if answer != "yes":
                raise KindeIacError("apply cancelled")
        click.echo("")
        progress.expect(sum(1 for c in the_plan.changes if c.is_change))
        result = apply_plan(the_plan, desired=session.desired_by_address, state=session.state,
                            client=session.client, parallelism=parallelism, who=who(), on_event=progress,
                            secrets_out=secrets_file)
        progress.finish()
        stats = session.client.stats if session.client else None
        c = result.counts
        extra = (f" ({stats.requests} API requests, {stats.retries} retried, {c['rechecked']} creates re-checked "
                 f"by natural key)") if stats else ""
        if not result.ok:
            for address, message in result.failed:
                click.echo(f"Error: {address}: {message}", err=True)
            if result.skipped:
                click.echo(f"Not attempted: {len(result.skipped)} changes; the next apply resumes them.", err=True)
            click.echo(f"Apply failed after {c['added']} added, {c['changed']} changed, "
                       f"{c['destroyed']} destroyed, {c['imported']} imported{extra}.", err=True)
            sys.exit(ExitCode.ERROR)
        click.echo(f"\nApply complete! Resources: {c['added']} added, {c['changed']} changed, "
                   f"{c['destroyed']} destroyed, {c['imported']} imported.{extra}")
    finally:
        if lock is not None:
            session.state.release_lock(lock.id)
        session.close()
