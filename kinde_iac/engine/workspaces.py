"""``plan`` over one or several workspaces: each planned on its own session (its own credentials),
a failure in one recorded beside the others' plans, so one run can report on every environment."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from kinde_iac.engine.events import ProgressListener
from kinde_iac.engine.plan import make_plan
from kinde_iac.engine.plan_model import Plan, WorkspaceResult
from kinde_iac.engine.planfile import saved_document
from kinde_iac.engine.safety import check_safety
from kinde_iac.engine.session import Session, open_session, resolve_target
from kinde_iac.engine.undelivered import flag_undelivered_secrets
from kinde_iac.errors import KindeIacError


@attrs.frozen
class PlannedWorkspaces:
    results: tuple[WorkspaceResult, ...]

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.results)

    @property
    def has_changes(self) -> bool:
        return any(r.plan is not None and r.plan.has_changes for r in self.results)


def plan_one(session: Session, *, parallelism: int, allow_mass_delete: bool,
             progress: ProgressListener | None = None, targets: Sequence[str] = (),
             replace: Sequence[str] = ()) -> Plan:
    """A session's plan with the safety rails applied (``targets``, ``replace``: ``engine.targeting``),
    and one-time secrets never delivered flagged."""
    try:
        plan = check_safety(make_plan(session, parallelism=parallelism, on_event=progress, targets=targets,
                                      replace=replace), session, allow_mass_delete=allow_mass_delete)
        return flag_undelivered_secrets(plan, session)
    finally:
        if progress is not None:
            progress.finish()


def plan_workspaces(
    workspaces: Sequence[str | None],
    *,
    config: str | None = None,
    state: str | None = None,
    parallelism: int = 8,
    allow_mass_delete: bool = False,
    client_options: Mapping[str, Any] | None = None,
    documents: bool = False,
    progress: Callable[[Session], ProgressListener] | None = None,
    targets: Sequence[str] = (),
    replace: Sequence[str] = (),
) -> PlannedWorkspaces:
    """Plan each workspace (``None``: the one ``config`` names). With a single workspace an error is
    raised as it is; with several it becomes that workspace's result. ``documents`` also makes each
    plan's saved-plan document (``--out``, ``--format json``)."""
    results: list[WorkspaceResult] = []
    for name in workspaces:
        try:
            session = open_session(resolve_target(name, config, state), client_options=client_options)
            try:
                listener = progress(session) if progress is not None else None
                plan = plan_one(session, parallelism=parallelism, allow_mass_delete=allow_mass_delete,
                                progress=listener, targets=targets, replace=replace)
                # A database URL is never written into a plan file (it may carry a password); apply
                # finds that state again the way plan did (KINDE_IAC_STATE, kinde.state) or by --state.
                doc = saved_document(plan, session.desired, config_path=session.target.config,
                                     state_path=session.target.state.path, inputs=session.inputs) \
                    if documents else None
            finally:
                session.close()
        except KindeIacError as err:
            if len(workspaces) == 1:
                raise
            results.append(WorkspaceResult(workspace=name or "?", error=str(err)))
            continue
        results.append(WorkspaceResult(workspace=plan.workspace, plan=plan, document=doc))
    return PlannedWorkspaces(results=tuple(results))
