"""`comment`: the plan as the pull request's kinde-iac comment."""
from __future__ import annotations

import os
from typing import Any

import click

from kinde_iac.errors import KindeIacError


@click.command()
@click.option("--body-file", type=click.File("r", encoding="utf-8"), default="-", show_default=True,
              help="Markdown body (from `plan --format markdown` or `show --format markdown`).")
@click.option("--repository", envvar="GITHUB_REPOSITORY", help="owner/name (default $GITHUB_REPOSITORY).")
@click.option("--pr", "pr_number", type=int, help="Pull request number (default: from $GITHUB_EVENT_PATH).")
def comment(body_file: Any, repository: str | None, pr_number: int | None) -> None:
    """Post the plan as the pull request's kinde-iac comment, editing the earlier one in place."""
    from kinde_iac.ci.github import post_or_update_comment, pull_request_number
    from kinde_iac.render.markdown import MARKER_PREFIX

    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise KindeIacError("GITHUB_TOKEN is not set")
    if not repository:
        raise KindeIacError("no repository: set GITHUB_REPOSITORY or pass --repository owner/name")
    number = pr_number or pull_request_number(os.environ.get("GITHUB_EVENT_PATH"))
    if not number:
        raise KindeIacError("no pull request number: pass --pr N or run on a pull_request event")
    outcome, comment_id = post_or_update_comment(
        body_file.read(), token=token, repository=repository, pr_number=number, marker=MARKER_PREFIX,
        api_url=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    click.echo(f"Comment {comment_id} {outcome} on {repository}#{number}.")
