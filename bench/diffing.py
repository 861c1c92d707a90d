"""Time spent diffing alone: live state is read once, then only ``build_plan`` is timed."""
from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from pathlib import Path

import attrs

from kinde_iac.engine.plan import build_plan
from kinde_iac.engine.refresh import refresh
from kinde_iac.engine.session import Target, check_environment, open_session, own_client_id


@attrs.frozen
class DiffTiming:
    median_s: float
    best_s: float
    repeats: int
    changes: int  # changes in the plan, as a check that the diff saw what the CLI plan saw


def time_diffing(config: Path, state: Path, env: Mapping[str, str], *, repeats: int = 5) -> DiffTiming:
    """Median and best of ``repeats`` calls of ``build_plan`` on one LiveState (no network inside)."""
    session = open_session(Target(name=config.stem, config=config, state=state), env=env)
    try:
        assert session.client is not None
        environment = check_environment(session)
        rows = session.state.resources()
        live = refresh(session.client, own_client_id=own_client_id(session), desired=session.desired, state=rows)
        times = []
        changes = 0
        for _ in range(max(1, repeats)):
            started = time.perf_counter()
            plan = build_plan(workspace=session.target.name, domain=session.client.base_url,
                              environment=environment.get("code"), desired=session.desired, state=rows,
                              lineage=session.state.lineage, serial=session.state.serial, live=live)
            times.append(time.perf_counter() - started)
            changes = sum(1 for c in plan.changes if c.is_change)
    finally:
        session.close()
    return DiffTiming(median_s=statistics.median(times), best_s=min(times), repeats=len(times), changes=changes)
