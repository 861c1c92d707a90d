"""The apply command from start to end: under the state lock, plan again (or check that a saved
plan still holds), show it, ask for approval, apply, and sum up. The CLI supplies the session, the
conversation with the user (``ApplyConversation``) and the stop request its signal handlers feed;
everything decided here is the engine's.

A saved plan is never executed as read: apply makes a fresh plan, refuses unless the saved one is
fresh (state, config, live objects) and takes exactly the same steps, runs the safety rails on the
saved plan itself, and then executes the fresh one, which is the same plan built from what was
checked rather than from an editable file."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import attrs

from kinde_iac.engine.apply import ApplyResult, apply_plan
from kinde_iac.engine.events import ProgressListener
from kinde_iac.engine.plan_model import Action, Plan
from kinde_iac.engine.planfile import SavedPlan, StalePlanError, check_fresh, check_same_changes
from kinde_iac.engine.safety import enforce_rails
from kinde_iac.engine.secrets_file import SecretsFile
from kinde_iac.engine.session import Session, take_lock, who
from kinde_iac.engine.stop import StopRequest
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
    #: The state lock left held because steps were still running when apply stopped waiting.
    kept_lock: str | None = None

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
              progress: ProgressListener, stop: StopRequest | None = None) -> ApplySummary:
    """Plan (or verify the saved plan), show, ask, apply. Refusals raise; a failed step does not (the
    summary says what failed and what was not attempted). ``stop`` is fed by signal handlers: before
    the steps begin a signal raises ``Interrupted``; after, it stops the apply (``ApplyResult.interrupted``)."""
    stop = stop or StopRequest()
    saved = request.saved
    if saved is None and not request.auto_approve and not talk.can_ask():
        raise KindeIacError("no terminal to ask for approval: run with --auto-approve (or apply a saved plan)")
    lock = None
    keep_lock = False
    try:
        # Shielded, so a signal cannot fall between taking the lock and guarding it; while waiting
        # for another run's lock, a signal still ends the run at once (stop.poll).
        with stop.shielded():
            lock = take_lock(session.state, "apply", request.lock_timeout, on_wait=talk.waiting, poll=stop.poll)
        # A saved plan is re-made as it was made: its targets, and its replacements asked for or not.
        targets = saved.plan.targets if saved is not None else request.targets
        replace = tuple(ch.address for ch in saved.plan.changes if ch.action == Action.REPLACE) \
            if saved is not None else request.replace
        plan = plan_one(session, parallelism=request.parallelism, allow_mass_delete=request.allow_mass_delete,
                        progress=progress, targets=targets, replace=replace)
        if saved is not None:
            check_fresh(saved, workspace=session.target.name, lineage=session.state.lineage,
                        serial=session.state.serial, desired=session.desired, fresh=plan, inputs=session.inputs)
            enforce_rails(saved.plan, session, allow_mass_delete=request.allow_mass_delete)
            check_same_changes(saved.plan, plan)
        talk.show_plan(plan, saved)
        enforce_rails(plan, session, allow_mass_delete=request.allow_mass_delete)
        if saved is None and not request.auto_approve and plan.has_changes and not talk.approve():
            raise KindeIacError("apply cancelled")
        talk.applying()
        progress.expect(plan.step_count)
        stop.armed = True  # from here on a signal stops scheduling instead of ending the run
        try:
            result = apply_plan(plan, desired=session.desired_by_address, state=session.state, client=session.api,
                                parallelism=request.parallelism, who=who(), listener=progress,
                                secrets_out=request.secrets_out, stop=stop)
        finally:
            progress.finish()
        # Steps still running may yet write to state: the lock stays until they are gone with us.
        keep_lock = bool(result.abandoned)
    finally:
        if lock is not None and not keep_lock:
            with stop.shielded():
                session.state.release_lock(lock.id)
    stats = session.api.stats
    return ApplySummary(result=result, requests=stats.requests, retries=stats.retries,
                        kept_lock=lock.id if keep_lock and lock is not None else None)
