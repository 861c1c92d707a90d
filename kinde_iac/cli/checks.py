"""`check` and `lint`: findings about code and config, with no network and no secrets."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kinde_iac.cli.options import workspace_option
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import KindeIacError

FORMATS = ("text", "json", "sarif")


def _target_options(fn: Any) -> Any:
    fn = click.option("--out", "out_path", metavar="FILE",
                      help="Also write the report in --format to FILE; standard output gets the text report.")(fn)
    fn = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                      help="Output format (sarif: SARIF 2.1.0 for code scanning).")(fn)
    fn = click.option("--config", "config_path", metavar="FILE", help="Config file; the workspace is its stem.")(fn)
    return workspace_option()(fn)


def _emit(report: Any, fmt: str, out_path: str | None) -> None:
    from kinde_iac.checks.output import render_json, render_text
    from kinde_iac.checks.sarif import render_sarif

    rendered = {"text": render_text, "json": render_json, "sarif": render_sarif}[fmt](report)
    if out_path:
        try:
            Path(out_path).write_text(rendered + "\n", encoding="utf-8")
        except OSError as exc:
            raise KindeIacError(f"{out_path}: cannot write report: {exc.strerror or exc}") from None
        click.echo(render_text(report))
    else:
        click.echo(rendered)
    if report.failed:
        raise click.exceptions.Exit(ExitCode.CHANGES)


@click.command()
@_target_options
@click.option("--unused", is_flag=True, help="Also note keys the workspace defines that no scanned code uses.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
def check(workspace: str | None, config_path: str | None, fmt: str, out_path: str | None, unused: bool,
          paths: tuple[str, ...]) -> None:
    """Report permission, role and flag keys the code in PATH... uses that the workspace does not
    define or no role grants. Exit 2 on errors."""
    from kinde_iac.checks.check import run_check
    from kinde_iac.checks.source.scan import scan
    from kinde_iac.checks.workspace import load_target

    loaded = load_target(workspace, config_path)
    _emit(run_check(loaded, scan(paths), with_unused=unused), fmt, out_path)


@click.command()
@_target_options
@click.option("--all", "all_", is_flag=True, help="Lint every workspace in environments/.")
def lint(workspace: str | None, config_path: str | None, fmt: str, out_path: str | None, all_: bool) -> None:
    """Identity policy rules over the effective configuration. Exit 2 on errors or warnings."""
    from kinde_iac.checks.lint.runner import run_lint
    from kinde_iac.checks.workspace import load_all, load_target

    if all_ and (workspace or config_path):
        raise KindeIacError("give either --all or --workspace/--config, not both")
    loaded = load_all() if all_ else [load_target(workspace, config_path)]
    _emit(run_lint(loaded), fmt, out_path)
