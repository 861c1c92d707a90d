"""`apply`: plan, ask, and make Kinde match the configuration; or apply exactly a saved plan."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from kinde_iac.cli.options import (
    APPLY_PARALLELISM,
    client_options,
    speed_options,
    target_options,
    use_color,
    workspace_options,
)
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError

if TYPE_CHECKING:
    from kinde_iac.engine.plan_model import Plan
    from kinde_iac.engine.planfile import SavedPlan


class _Terminal:
    """The apply conversation on click's terminal: the plan on stdout, approval read from stdin."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def can_ask(self) -> bool:
        return sys.stdin.isatty()

    def waiting(self, message: str) -> None:
        click.echo(message, err=True)

    def show_plan(self, plan: Plan, saved: SavedPlan | None) -> None:
        from kinde_iac.render.text import render_plan

        if saved is not None:
            click.echo(f"Applying the saved plan {saved.path} (checked: state, configuration and every object "
                       f"it touches are as they were when it was made, and a fresh plan takes the same steps).")
        else:
            click.echo(render_plan(plan, color=self.color), nl=False)

    def approve(self) -> bool:
        click.echo("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n")
        return click.prompt("  Enter a value", default="", show_default=False) == "yes"

    def applying(self) -> None:
        click.echo("")


@click.command()
@workspace_options
@click.argument("plan_file", required=False, metavar="[PLAN_FILE]")
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@speed_options(APPLY_PARALLELISM)
@click.option("--lock-timeout", default=0.0, show_default=True, help="Seconds to wait for the state lock.")
@click.option("--allow-mass-delete", is_flag=True, help="Accept a plan that destroys more than the allowed share.")
@click.option("--secrets-out", metavar="FILE",
              help="Write one-time secrets of created API keys here (JSON by address, mode 0600).")
@target_options
def apply(workspace: str | None, config_path: str | None, state_path: str | None, plan_file: str | None,
          auto_approve: bool, no_color: bool, parallelism: int, max_rps: float | None, lock_timeout: float,
          allow_mass_delete: bool, secrets_out: str | None, targets: tuple[str, ...], replace: tuple[str, ...]) -> None:
    """Plan, ask for "yes", and make Kinde match the configuration; or apply exactly a saved PLAN_FILE."""
    from kinde_iac.ci.publish import publish_apply
    from kinde_iac.cli.signals import stop_on_signals
    from kinde_iac.engine.apply_flow import ApplyRequest, run_apply, saved_target
    from kinde_iac.engine.planfile import read_plan_file
    from kinde_iac.engine.secrets_file import secrets_file
    from kinde_iac.engine.session import open_session, resolve_target
    from kinde_iac.engine.stop import StopRequest
    from kinde_iac.render.progress import Progress
    from kinde_iac.render.text import apply_summary

    saved = read_plan_file(plan_file) if plan_file else None
    if saved is not None:
        if targets or replace:
            raise KindeIacError("a saved plan is applied exactly as it was made: give --target and --replace to "
                                "`plan --out` instead")
        workspace, config_path, state_path = saved_target(saved, workspace, config_path, state_path)
    request = ApplyRequest(saved=saved, auto_approve=auto_approve, parallelism=parallelism,
                           allow_mass_delete=allow_mass_delete, lock_timeout=lock_timeout,
                           secrets_out=secrets_file(secrets_out), targets=targets, replace=replace)
    session = open_session(resolve_target(workspace, config_path, state_path),
                           client_options=client_options(parallelism, max_rps))
    with stop_on_signals(StopRequest()) as stop:
        try:
            summary = run_apply(session, request, _Terminal(use_color(no_color)),
                                Progress.choose(quiet=False, requests=session.requests), stop=stop)
        finally:
            session.close()
        click.echo(apply_summary(summary), err=not summary.ok)
    if summary.result.interrupted is not None and stop.signum is not None:
        code = ExitCode.for_signal(stop.signum)
    else:
        code = ExitCode.SUCCESS if summary.ok else ExitCode.ERROR
    publish_apply(summary, workspace=session.target.name, exit_code=code)
    if code:
        sys.exit(code)
