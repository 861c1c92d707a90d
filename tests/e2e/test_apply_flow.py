"""The apply command's flow in the engine (engine/apply_flow.py) against the emulator, with the user
played by a script: nothing is applied without an explicit yes, a blocked plan is refused after it
is shown, and no terminal means no asking."""
from __future__ import annotations

from typing import Any

import attrs
import pytest
from e2e_harness import Kinde, Workdir

from kinde_iac.engine.apply_flow import ApplyRequest, ApplySummary, run_apply
from kinde_iac.engine.events import ProgressListener
from kinde_iac.engine.plan_model import Plan
from kinde_iac.engine.planfile import SavedPlan
from kinde_iac.engine.session import Session, open_session, resolve_target
from kinde_iac.errors import KindeIacError

CONFIG = {"kinde": {"environment": "development"},
          "permissions": [{"key": "p1", "name": "P1"}, {"key": "p2", "name": "P2"}]}


@attrs.define
class Script:
    """The user: answers approval with ``answer`` and remembers what they were told."""

    answer: bool | None = None
    terminal: bool = True
    told: list[str] = attrs.field(factory=list)

    def can_ask(self) -> bool:
        return self.terminal

    def waiting(self, message: str) -> None:
        self.told.append(f"waiting: {message}")

    def show_plan(self, plan: Plan, saved: SavedPlan | None) -> None:
        self.told.append(f"plan: {plan.counts.add} to add, blocked={plan.blocked is not None}")

    def approve(self) -> bool:
        self.told.append("asked")
        assert self.answer is not None, "asked for approval when it should not have been"
        return self.answer

    def applying(self) -> None:
        self.told.append("applying")


def session(work: Workdir, kinde: Kinde, config: dict) -> Session:
    args = work.ws_args(config)
    return open_session(resolve_target(None, args[1], args[3]), env=kinde.env())


def live_permissions(kinde: Kinde) -> list[str]:
    return sorted(p["key"] for p in kinde.list("/api/v1/permissions", "permissions"))


def run(work: Workdir, kinde: Kinde, talk: Script, config: dict = CONFIG, **request: Any) -> ApplySummary:
    s = session(work, kinde, config)
    try:
        return run_apply(s, ApplyRequest(**request), talk, ProgressListener())
    finally:
        s.close()


def test_nothing_is_applied_without_an_explicit_yes(work: Workdir, kinde: Kinde) -> None:
    talk = Script(answer=False)
    with pytest.raises(KindeIacError, match="apply cancelled"):
        run(work, kinde, talk)
    assert talk.told == ["plan: 2 to add, blocked=False", "asked"]
    assert live_permissions(kinde) == []

    talk = Script(answer=True)
    summary = run(work, kinde, talk)
    assert talk.told == ["plan: 2 to add, blocked=False", "asked", "applying"]
    assert summary.ok and summary.result.counts.add == 2
    assert live_permissions(kinde) == ["p1", "p2"]


def test_no_terminal_means_no_asking_and_no_change(work: Workdir, kinde: Kinde) -> None:
    talk = Script(terminal=False)
    with pytest.raises(KindeIacError, match="no terminal to ask for approval"):
        run(work, kinde, talk)
    assert talk.told == [] and live_permissions(kinde) == []
    run(work, kinde, talk, auto_approve=True)
    assert "asked" not in talk.told and live_permissions(kinde) == ["p1", "p2"]


def test_a_blocked_plan_is_shown_then_refused(work: Workdir, kinde: Kinde) -> None:
    run(work, kinde, Script(), auto_approve=True)
    talk = Script(answer=True)
    with pytest.raises(KindeIacError, match="--allow-mass-delete"):
        run(work, kinde, talk, config={"kinde": {"environment": "development"}})
    assert talk.told == ["plan: 0 to add, blocked=True"]
    assert live_permissions(kinde) == ["p1", "p2"]
