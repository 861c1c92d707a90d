"""`comment`: the plan as the pull request's (or merge request's) kinde-iac comment."""
from __future__ import annotations

import os
from typing import Any

import click

from kinde_iac.cli.options import project_option
from kinde_iac.errors import KindeIacError


@click.command()
@click.option("--body-file", type=click.File("r", encoding="utf-8"), default="-", show_default=True,
              help="Markdown body (from `plan --format markdown` or `show --format markdown`).")
@click.option("--repository", metavar="OWNER/NAME",
              help="GitHub: owner/name (default $GITHUB_REPOSITORY); GitLab: project id or path "
                   "(default $CI_PROJECT_ID).")
@click.option("--pr", "pr_number", type=int,
              help="Pull request number (default: from $GITHUB_EVENT_PATH); GitLab: merge request IID "
                   "(default $CI_MERGE_REQUEST_IID).")
@click.option("--gitlab", is_flag=True, help="Post to a GitLab merge request (token in $GITLAB_TOKEN).")
@click.option("--update-only", is_flag=True, help="Edit the existing comment, but never post a new one.")
@project_option
def comment(body_file: Any, repository: str | None, pr_number: int | None, gitlab: bool, update_only: bool,
            project: str | None) -> None:
    """Post the plan as the pull request's kinde-iac comment, editing the earlier one in place."""
    from kinde_iac.render.markers import default_project, plan_marker_prefix

    marker = plan_marker_prefix(project or default_project())
    body = body_file.read()
    env = os.environ
    if gitlab:
        from kinde_iac.ci.gitlab import post_or_update_note

        project_id = repository or env.get("CI_PROJECT_ID")
        iid = pr_number or (int(env["CI_MERGE_REQUEST_IID"]) if env.get("CI_MERGE_REQUEST_IID", "").isdigit()
                            else None)
        api_url = env.get("CI_API_V4_URL")
        if not project_id or not api_url:
            raise KindeIacError("no GitLab project: run in GitLab CI (CI_API_V4_URL, CI_PROJECT_ID) or pass "
                                "--repository and set CI_API_V4_URL")
        if not iid:
            raise KindeIacError("no merge request: pass --pr IID or run in a merge request pipeline "
                                "(CI_MERGE_REQUEST_IID)")
        outcome, note_id = post_or_update_note(body, token=env.get("GITLAB_TOKEN", ""), api_url=api_url,
                                               project_id=project_id, mr_iid=iid, marker=marker,
                                               create=not update_only)
        where = f"{project_id}!{iid}"
        click.echo(f"Note {note_id} {outcome} on {where}." if note_id else f"No note on {where} to update.")
        return

    from kinde_iac.ci.github import post_or_update_comment, pull_request_number
    from kinde_iac.ci.github_api import api_url_from_env

    token = env.get("GITHUB_TOKEN")
    if not token:
        raise KindeIacError("GITHUB_TOKEN is not set")
    repository = repository or env.get("GITHUB_REPOSITORY")
    if not repository:
        raise KindeIacError("no repository: set GITHUB_REPOSITORY or pass --repository owner/name")
    number = pr_number or pull_request_number(env.get("GITHUB_EVENT_PATH"))
    if not number:
        raise KindeIacError("no pull request number: pass --pr N or run on a pull_request event")
    outcome, comment_id = post_or_update_comment(body, token=token, repository=repository, pr_number=number,
                                                 marker=marker, api_url=api_url_from_env(env),
                                                 create=not update_only)
    if comment_id is None:
        click.echo(f"No comment on {repository}#{number} to update (nothing to say: no changes).")
    else:
        click.echo(f"Comment {comment_id} {outcome} on {repository}#{number}.")
