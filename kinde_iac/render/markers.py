"""The hidden HTML comments that tell kinde-iac's own comments, notes and issues apart from everyone
else's, and from those of another kinde-iac project in the same repository.

A plan body starts with ``<!-- kinde-iac plan: project=NAME workspaces=dev,staging -->``; the pull
request's comment is found by the part up to ``workspaces=``, so one project keeps one comment whatever
set of workspaces a later push plans. A drift issue carries
``<!-- kinde-iac drift: project=NAME workspace=prod -->``.
"""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

#: Every plan body starts with a marker beginning with this.
MARKER_PREFIX = "<!-- kinde-iac plan"
DRIFT_PREFIX = "<!-- kinde-iac drift"


def clean_name(name: str) -> str:
    """A project or workspace name as a marker holds it: no character that could end the comment
    (``>``), split a list (``,``) or a field (whitespace), or be confused with ``key=value``."""
    cleaned = re.sub(r"[^A-Za-z0-9._\-/]", "_", name.strip())
    return cleaned or "_"


def default_project(cwd: str | Path | None = None) -> str:
    """The project a run belongs to unless ``--project`` says otherwise: the name of the directory
    kinde-iac runs in (the one holding ``environments/``), so two projects in one repository, each in
    its own directory, keep apart."""
    return clean_name(Path(os.path.abspath(cwd or os.getcwd())).name or "kinde-iac")


def marker(workspaces: Sequence[str], project: str | None = None) -> str:
    """Hidden HTML comment naming the workspaces (and the project); sorted so flag order does not
    make a new comment."""
    # A ">" could end the HTML comment early and a "," would blur the list.
    names = sorted({re.sub(r"[>,\s]", "_", w) for w in workspaces})
    if project is None:
        return f"{MARKER_PREFIX}: {','.join(names)} -->"
    return f"{plan_marker_prefix(project)}{','.join(names)} -->"


def plan_marker_prefix(project: str) -> str:
    """What every plan body of ``project`` starts with, whatever its workspaces."""
    return f"{MARKER_PREFIX}: project={clean_name(project)} workspaces="


def drift_marker(project: str, workspace: str) -> str:
    return f"{DRIFT_PREFIX}: project={clean_name(project)} workspace={clean_name(workspace)} -->"


def find_marker(body: str, marker: str = MARKER_PREFIX) -> str | None:
    """The line of ``body`` that starts with ``marker`` (after any indentation), if any: how a body
    and a pull request's comments are recognised as kinde-iac's. A quoted reply (``> <!-- ...``) is
    someone else's comment, so it does not count."""
    for line in body.splitlines():
        if line.lstrip().startswith(marker):
            return line.strip()
    return None
