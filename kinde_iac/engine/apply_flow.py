"""The apply command from start to end: under the state lock, plan again (or check that a saved
plan still holds), show it, ask for approval, apply, and sum up. The CLI supplies the session and
the conversation with the user (``ApplyConversation``); everything decided here is the engine's."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import attrs

from kinde_iac.engine.apply import ApplyResult, apply_plan
from kinde_iac.engine.events import ProgressListener
from kinde_iac.engine.plan_model import Plan
from kinde_iac.engine.planfile import SavedPlan, StalePlanError, check_fresh
from kinde_iac.engine.secrets_file import SecretsFile
from kinde_iac.engine.session import Session, who
from kinde_iac.engine.workspaces import plan_one
from kinde_iac.errors import KindeIacError


class ApplyConversation(Protocol):
    """What apply says to the user and asks of them."""

    def can_ask(self) -> bool:
        """Whether there is someone to ask (a terminal)."""

    def waiting(self, message: str) -> None:
        """Apply waits for the state lock held by another run."""

    def show_plan(self, plan: Plan, saved: SavedPlan | None) -> None:
        """The plan about to be applied (for a saved plan: that it was checked and still holds)."""

    def approve(self) -> bool:
        """Ask whether to perform the actions shown; True only for an explicit yes."""

    def applying(self) -> None:
        """Approved (or no approval needed): the steps begin."""


@attrs.frozen
class ApplyRequest:
    saved: SavedPlan | None = None
    auto_approve: bool = False
    parallelism: int = 4
    allow_mass_delete: bool = False
    lock_timeout: float = 0.0
    secrets_out: SecretsFile | None = None
    #: ``--target`` and ``--replace`` (``engine.targeting``); a saved plan carries its own.
    targets: tuple[str, ...] = ()
    replace: tuple[str, ...] = ()


@attrs.frozen
class ApplySummary:
    """What the summary line reports: the apply's result and what it cost in API requests."""

    result: ApplyResult
    requests: int
    retries: int

    @property
    def ok(self) -> bool:
        return self.result.ok


def workspace_of(saved: SavedPlan, workspace: str | None, config_given: bool) -> str | None:
    """The workspace a saved plan is applied to: the plan's own, and never another one."""
    if workspace and workspace != saved.plan.workspace:
        raise StalePlanError(f"{saved.path} is a plan for workspace {saved.plan.workspace!r}, not {workspace!r}; "
                             f"refusing")
    return workspace if config_given else workspace or saved.plan.workspace


def saved_target(saved: SavedPlan, workspace: str | None, config: str | None, state: str | None
                 ) -> tuple[str | None, str | None, str | None]:
    """(workspace, config, state) to apply a saved plan with: the options given, else the config and
    state files the plan was made with, so `apply plan.json` needs nothing more."""
    workspace = workspace_of(saved, workspace, config_given=bool(config))
    recorded = saved.document.get("config_path")
    if not config and recorded and Path(recorded).stem == saved.plan.workspace:
        workspace, config = None, recorded
    return workspace, config, state or saved.document.get("state_path")


def run_apply(session: Session, request: ApplyRequest, talk: ApplyConversation,
              progress: ProgressListener) -> ApplySummary:
    """Plan (or verify the saved plan), show, ask, apply. Refusals raise; a failed step does not (the
    summary says what failed and what was not attempted)."""
    saved = request.saved
    if saved is None and not request.auto_approve and not talk.can_ask():
        raise KindeIacError("no terminal to ask for approval: run with --auto-approve (or apply a saved plan)")
    with session.locked("apply", request.lock_timeout, on_wait=talk.waiting):
        fresh = plan_one(session, parallelism=request.parallelism, allow_mass_delete=request.allow_mass_delete,
                         progress=progress, targets=request.targets if saved is None else (),
                         replace=request.replace if saved is None else ())
        if saved is not None:
            check_fresh(saved, workspace=session.target.name, lineage=session.state.lineage,
                        serial=session.state.serial, desired=session.desired, fresh=fresh, inputs=session.inputs)
        plan = saved.plan if saved is not None else fresh
        talk.show_plan(plan, saved)
        if plan.blocked:
            raise KindeIacError(plan.blocked)
        if saved is None and not request.auto_approve and plan.has_changes and not talk.approve():
            raise KindeIacError("apply cancelled")
        talk.applying()
        progress.expect(plan.step_count)
        try:
            result = apply_plan(plan, desired=session.desired_by_address, state=session.state, client=session.api,
                                parallelism=request.parallelism, who=who(), listener=progress,
                                secrets_out=request.secrets_out)
        finally:
            progress.finish()
    stats = session.api.stats
    return ApplySummary(result=result, requests=stats.requests, retries=stats.retries)
