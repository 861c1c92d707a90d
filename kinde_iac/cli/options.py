"""Options and steps that every command module of the CLI shares."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click


def workspace_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that works on a workspace takes."""
    fn = click.option("--state", "state_path", metavar="PATH",
                      help="State file (default state/<workspace>.db).")(fn)
    fn = click.option("--config", "config_path", metavar="FILE",
                      help="Config file; the workspace is the file's stem.")(fn)
    fn = click.option("--workspace", "-w", metavar="NAME", help="Workspace: environments/NAME.json.")(fn)
    return fn


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


def client_options(parallelism: int, max_rps: float | None) -> dict[str, Any]:
    """--parallelism bounds every request in flight (the client's limiter), not just one pool."""
    return {"max_concurrency": parallelism, "max_rps": max_rps}


def use_color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def say_waiting(message: str) -> None:
    """Waiting for the state lock is said aloud (on stderr), so a silent pause is never a mystery."""
    click.echo(message, err=True)
