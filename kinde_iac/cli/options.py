"""Options and steps that every command module of the CLI shares."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

STATE_HELP = ("State: a SQLite file or postgresql://user@host/db?schema=NAME (else KINDE_IAC_STATE, else the "
              "workspace file's \"kinde\": {\"state\": ...}, else state/<workspace>.db).")


def workspace_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that works on a workspace takes."""
    fn = click.option("--state", "state_path", metavar="PATH|URL", help=STATE_HELP)(fn)
    fn = click.option("--config", "config_path", metavar="FILE",
                      help="Config file; the workspace is the file's stem.")(fn)
    fn = click.option("--workspace", "-w", metavar="NAME", help="Workspace: environments/NAME.json.")(fn)
    return fn


def speed_options(default_parallelism: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn = click.option("--max-rps", type=float, metavar="N",
                          help="Cap requests per second (for a rate limit shared with production).")(fn)
        return click.option("--parallelism", default=default_parallelism, show_default=True,
                            help="Requests in flight at most.")(fn)
    return wrap


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
