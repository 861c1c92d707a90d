"""Options and steps that every command module of the CLI shares."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from kinde_iac.cli.status import ExitCode

STATE_HELP = ("State: a SQLite file or postgresql://user@host/db?schema=NAME (else KINDE_IAC_STATE, else the "
              "workspace file's \"kinde\": {\"state\": ...}, else state/<workspace>.db).")


def one_workspace(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> str | None:
    """``--workspace`` of a command that works on one workspace: given twice, it is refused (exit 1)
    rather than the last one silently winning."""
    if len(value) > 1:
        raise click.BadParameter(
            f"given {len(value)} times ({', '.join(value)}), but `{ctx.command_path}` works on one workspace "
            f"at a time: run it once for each", ctx=ctx, param=param)
    return value[0] if value else None


def workspace_option(*, several: bool = False, help_text: str = "Workspace: environments/NAME.json."
                     ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--workspace NAME`` / ``-w``: a tuple of names when the command handles ``several``, else one
    name (or None), refusing a repeat."""
    if several:
        return click.option("--workspace", "-w", "workspaces", multiple=True, metavar="NAME",
                            help=help_text + " Repeat it for several; each is reported, and the exit code is the worst.")
    return click.option("--workspace", "-w", multiple=True, metavar="NAME", callback=one_workspace, help=help_text)


def workspace_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that works on one workspace takes."""
    fn = click.option("--state", "state_path", metavar="PATH|URL", help=STATE_HELP)(fn)
    fn = click.option("--config", "config_path", metavar="FILE",
                      help="Config file; the workspace is the file's stem.")(fn)
    return workspace_option()(fn)


def workspaces_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a command that works on one workspace or several (``workspaces`` is a tuple)."""
    fn = click.option("--state", "state_path", metavar="PATH|URL", help=STATE_HELP + " One workspace only.")(fn)
    fn = click.option("--config", "config_path", metavar="FILE",
                      help="Config file; the workspace is the file's stem.")(fn)
    return workspace_option(several=True)(fn)


def worst(codes: Sequence[int]) -> int:
    """The exit code of a run over several workspaces: an error beats changes, changes beat success."""
    rank = {ExitCode.SUCCESS: 0, ExitCode.CHANGES: 1, ExitCode.ERROR: 2}
    return max(codes, key=lambda c: rank.get(ExitCode(c), 2), default=ExitCode.SUCCESS)


#: ``--parallelism`` defaults, measured rather than guessed: docs/performance.md, "Default parallelism".
#: Commands that write (apply) and commands that only read (plan, drift, export, import).
APPLY_PARALLELISM = 10
READ_PARALLELISM = 16


def speed_options(default_parallelism: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn = click.option("--max-rps", type=float, metavar="N",
                          help="Cap requests per second (for a rate limit shared with production).")(fn)
        return click.option("--parallelism", default=default_parallelism, show_default=True,
                            help="Requests in flight at most.")(fn)
    return wrap


def target_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--target`` and ``--replace`` (repeatable), as Terraform's."""
    fn = click.option("--replace", "replace", multiple=True, metavar="ADDRESS",
                      help="Replace this object (destroy, then create) even though nothing forces it. Repeatable.")(fn)
    return click.option("--target", "targets", multiple=True, metavar="ADDRESS",
                        help="Plan only this object and what it depends on (a partial plan). Repeatable.")(fn)


def client_options(parallelism: int, max_rps: float | None) -> dict[str, Any]:
    """--parallelism bounds every request in flight (the client's limiter), not just one pool."""
    return {"max_concurrency": parallelism, "max_rps": max_rps}


def use_color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def say_waiting(message: str) -> None:
    """Waiting for the state lock is said aloud (on stderr), so a silent pause is never a mystery."""
    click.echo(message, err=True)


def project_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--project``: which kinde-iac project a comment, note or drift issue belongs to, so two projects
    in one repository keep theirs apart."""
    return click.option("--project", metavar="NAME", envvar="KINDE_IAC_PROJECT",
                        help="Project named in the comment/issue marker (default: this directory's name).")(fn)
