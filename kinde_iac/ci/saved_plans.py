"""Saved plans as CI jobs pass them around: one file per workspace (``plan --out 'plan-{workspace}.json'``),
gathered from a directory of downloaded artifacts into one comment whose sections come in the order the
workflow names the workspaces, with a workspace whose plan is missing shown as failed, never dropped."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kinde_iac.engine.plan_model import WorkspaceResult
from kinde_iac.engine.planfile import read_plan_file, write_plan_file
from kinde_iac.errors import KindeIacError

PLACEHOLDER = "{workspace}"
MISSING = ("no saved plan for this workspace: its plan job failed (see that job's log) or its plan file "
           "was not passed on")


def out_path(pattern: str, workspace: str, several: bool) -> str:
    """Where ``--out`` saves one workspace's plan; several workspaces need ``{workspace}`` in the path."""
    if PLACEHOLDER in pattern:
        return pattern.replace(PLACEHOLDER, workspace)
    if several:
        raise KindeIacError(f"--out names one file, but several workspaces are planned: put {PLACEHOLDER} in "
                            f"the path (--out 'plans/plan-{PLACEHOLDER}.json')")
    return pattern


def save(path: str, document: dict[str, Any]) -> None:
    """Write a saved plan (0600), creating its directory (a CI job's ``plans/`` need not exist yet)."""
    write_plan_file(path, document)


def _files(paths: Sequence[str], lenient: bool) -> list[Path]:
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            out.extend(sorted(p for p in path.glob("*.json") if p.is_file()))
        elif path.exists() or not lenient:
            out.append(path)
    return out


def gather(paths: Sequence[str], workspaces: Sequence[str] = ()) -> list[WorkspaceResult]:
    """One section per saved plan. With ``workspaces``: exactly these, in this order, a missing one as
    failed, then any other plans found (none is dropped). Directories stand for the ``*.json`` in them;
    with ``workspaces`` given, a path that does not exist is an artifact that never arrived."""
    saved = [read_plan_file(p) for p in _files(paths, lenient=bool(workspaces))]
    by_name: dict[str, WorkspaceResult] = {}
    for s in saved:
        name = s.plan.workspace
        if name in by_name:
            raise KindeIacError(f"two saved plans for workspace {name!r} (the second is {s.path}); pass one each")
        by_name[name] = WorkspaceResult(workspace=name, plan=s.plan, document=s.document)
    if not workspaces:
        if not by_name:
            raise KindeIacError("no saved plans found in " + ", ".join(paths))
        return list(by_name.values())
    missing = {w: WorkspaceResult(workspace=w, error=MISSING) for w in workspaces}
    ordered = [by_name.pop(w, missing[w]) for w in dict.fromkeys(workspaces)]
    return ordered + list(by_name.values())
