"""One workspace as the engine unit tests drive it: a config document -> desired objects -> refresh
-> plan -> apply, against the in-process Kinde and a state store in memory.

Only the engine's entry points are used (``desired_resources``, ``refresh``, ``build_plan``,
``apply_plan``, ``build_drift``), exactly as the CLI chains them, minus the CLI.
Imported by name: pytest puts this folder on ``sys.path``.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from inprocess_kinde import BASE_URL, CLIENT_ID, InProcessKinde

from kinde_iac.config import load_workspace
from kinde_iac.engine.apply import apply_plan
from kinde_iac.engine.drift import build_drift
from kinde_iac.engine.plan import build_plan
from kinde_iac.engine.refresh import refresh
from kinde_iac.engine.session import desired_resources
from kinde_iac.engine.settle import Settle
from kinde_iac.resources import Resource
from kinde_iac.state import StateStore

WORKSPACE = "dev"
ENVIRONMENT = "development"


def action(change: Any) -> str:
    """A change's action as its plain string, whether the plan model uses strings or a str enum."""
    return str(getattr(change.action, "value", change.action))


def config(**sections: Any) -> dict[str, Any]:
    return {"kinde": {"environment": ENVIRONMENT}, **sections}


def permissions(*keys: str) -> list[dict[str, Any]]:
    return [{"key": k, "name": k.title()} for k in keys]


class Workspace:
    """Config files in ``root``, state in memory, Kinde in-process."""

    def __init__(self, root: Path, kinde: InProcessKinde, state: StateStore) -> None:
        self.root = root
        self.kinde = kinde
        self.state = state
        self.env: dict[str, str] = {}
        #: Pauses apply took between checks for a create whose reply was lost (counted, never slept).
        self.pauses: list[float] = []
        self.settle = Settle(budget=3.0, pause=self.pauses.append)

    def workspace(self, doc: dict[str, Any]) -> Any:
        path = self.root / f"{WORKSPACE}.json"
        path.write_text(json.dumps(doc))
        return load_workspace(path, name=WORKSPACE, env=self.env)

    def desired(self, doc: dict[str, Any]) -> list[Resource]:
        return desired_resources(self.workspace(doc))

    def refresh(self, desired: list[Resource], *, everything: bool = False) -> Any:
        return refresh(self.kinde, own_client_id=CLIENT_ID, desired=desired, state=self.state.resources(),
                       parallelism=4, everything=everything)

    def plan(self, doc: dict[str, Any]) -> Any:
        desired = self.desired(doc)
        return build_plan(workspace=WORKSPACE, domain=BASE_URL, environment=ENVIRONMENT, desired=desired,
                          state=self.state.resources(), lineage=self.state.lineage, serial=self.state.serial,
                          live=self.refresh(desired))

    def apply(self, doc: dict[str, Any], *, parallelism: int = 4) -> Any:
        plan = self.plan(doc)
        desired = {r.address: r for r in self.desired(doc)}
        return apply_plan(plan, desired=desired, state=self.state, client=self.kinde, parallelism=parallelism,
                          who="engine unit test", secrets_out=None, settle=self.settle)

    def drift(self, doc: dict[str, Any], today: dt.date) -> Any:
        ws = self.workspace(doc)
        desired = desired_resources(ws)
        return build_drift(workspace=WORKSPACE, domain=BASE_URL, environment=ENVIRONMENT, desired=desired,
                           state=self.state.resources(), live=self.refresh(desired, everything=True),
                           ignore=ws.ignore, today=today)

    def assert_converged(self, doc: dict[str, Any]) -> None:
        plan = self.plan(doc)
        pending = [(c.address, action(c)) for c in plan.changes if action(c) != "no-op" or c.imported]
        assert pending == [], pending
