"""Progress output: a live line with counts on a terminal, plain lines in CI, nothing when quiet."""
from __future__ import annotations

import io

from kinde_iac.engine.events import Outcome, Status
from kinde_iac.engine.plan_model import Action
from kinde_iac.render.progress import PLAIN, QUIET, TTY, Progress


def test_terminal_shows_counts_and_the_current_operation_and_keeps_completed_steps() -> None:
    out = io.StringIO()
    progress = Progress(out, mode=TTY, requests=lambda: 7)
    progress.expect(2)
    progress.step_started("role.admin", Action.CREATE)
    progress.step_finished("role.admin", Action.CREATE, Outcome(Status.OK, kinde_id="r1"))
    progress.finish()
    text = out.getvalue()
    assert "\r\x1b[K[0/2] role.admin: Creating... (7 requests)" in text
    assert "role.admin: Creation complete [id=r1]\n" in text  # stays on screen
    assert "[1/2] (7 requests)" in text
    assert text.endswith("\r\x1b[K")  # the live line is cleared at the end


def test_ci_gets_plain_lines_and_json_gets_nothing() -> None:
    plain, quiet = io.StringIO(), io.StringIO()
    for stream, mode in ((plain, PLAIN), (quiet, QUIET)):
        progress = Progress(stream, mode=mode)
        progress("Refreshing: reading role")
        progress.step_finished("role.admin", Action.CREATE, Outcome(Status.OK))
        progress.finish()
    assert plain.getvalue() == "Refreshing: reading role\nrole.admin: Creation complete\n"
    assert quiet.getvalue() == ""


def test_mode_follows_the_stream() -> None:
    assert Progress(io.StringIO()).mode == PLAIN  # not a terminal
    assert Progress.choose(quiet=True).mode == QUIET
