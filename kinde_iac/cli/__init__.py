"""Command-line wiring: click commands, no logic beyond wiring and exit codes (``status.ExitCode``).

Each command group lives in its own module, found through ``registry.COMMANDS`` and imported only
when it runs.
"""
from __future__ import annotations

import os
import sys
from typing import Any

import click

from kinde_iac.cli.groups import SuggestingGroup
from kinde_iac.cli.registry import COMMANDS, load_command
from kinde_iac.cli.status import ExitCode
from kinde_iac.errors import Interrupted, KindeIacError


def usage_error_exits_1(err: click.UsageError) -> None:
    """Exit code 2 means "changes present" or "drift found" to CI, so a misspelt option, a missing
    argument or an unknown command must exit 1 (click's usage errors exit 2 by default)."""
    # click declares exit_code on the class; this instance's differs on purpose
    err.exit_code = ExitCode.ERROR  # type: ignore[misc]


class _Group(SuggestingGroup):
    """Lazy commands, and every expected failure as one readable line and exit code 1 (a traceback
    only with --debug), usage errors included."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            usage_error_exits_1(err)
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Summaries come from the registry, so --help imports no command module.
        rows = [(name, COMMANDS[name].summary) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug")) or bool(os.environ.get("KINDE_IAC_DEBUG"))
        try:
            return super().invoke(ctx)
        except click.UsageError as err:  # of a subcommand: its options, arguments or name
            usage_error_exits_1(err)
            raise
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KindeIacError as err:
            _report_failure(ctx, err)
            if debug:
                raise
            click.echo(f"Error: {err}", err=True)
            ctx.exit(ExitCode.ERROR)
        except Interrupted as err:
            from kinde_iac.engine.stop import signal_name

            click.echo(f"Error: interrupted by {signal_name(err.signum)} before any change was made in Kinde",
                       err=True)
            ctx.exit(ExitCode.for_signal(err.signum))
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(ExitCode.ERROR)
        except BrokenPipeError:
            # Whoever read our output stopped (`kinde-iac state list | head`): nothing more can reach
            # it, which is no error of ours worth a message. stdout goes to /dev/null so the flush at
            # exit does not fail a second time; the exit code still says the output was cut short.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(ExitCode.ERROR)
        except Exception as err:
            if debug:
                raise
            click.echo(f"Error: unexpected {type(err).__name__}: {err} (run with --debug for details)", err=True)
            ctx.exit(ExitCode.ERROR)


def _report_failure(ctx: click.Context, err: Exception) -> None:
    """In a CI job, a failed plan, apply or drift also says so in the step outputs and summary."""
    if os.environ.get("GITHUB_OUTPUT") or os.environ.get("GITHUB_STEP_SUMMARY"):
        from kinde_iac.ci.publish import publish_failure

        try:
            publish_failure(ctx.invoked_subcommand, err)
        except KindeIacError as also:
            click.echo(f"Warning: {also}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
# The installed distribution's version, looked up only when asked.
@click.version_option(package_name="kinde-iac", message="kinde-iac %(version)s")
def main(debug: bool) -> None:
    """kinde-iac: plan/apply infrastructure-as-code for Kinde."""


def run() -> None:
    """The console script and ``python -m kinde_iac``: a process that ends with its command, which
    lets it keep the garbage collector off what it builds (``kinde_iac.heap``)."""
    from kinde_iac.heap import console_process

    console_process()
    main()
