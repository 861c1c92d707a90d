"""Saved plans remember where their config and state are, and go stale when a secret they were made
with changes, naming the variable and never its value (issue 12)."""
from __future__ import annotations

import json

import pytest
from e2e_harness import Kinde, Workdir

SECRET = "first-secret-5d1e"
ROTATED = "second-secret-77ab"
CONFIG = {"kinde": {"environment": "development"},
          "permissions": [{"key": "orders:read", "name": "Read orders"}],
          "env_vars": [{"key": "PAYMENTS_API_KEY", "value": "${env:PAYMENTS_API_KEY}", "is_secret": True}]}


def test_plan_made_with_config_applies_with_no_options(work: Workdir, kinde: Kinde,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(work.root)
    (work.root / "config").mkdir()
    work.write("config/dev.json", CONFIG)
    env = {"PAYMENTS_API_KEY": SECRET}
    plan = work.run("plan", "--config", "config/dev.json", "--out", "plan.json", env=env)
    assert plan.exit_code == 0, plan.output + plan.stderr
    doc = json.loads((work.root / "plan.json").read_text())
    assert doc["config_path"] == "config/dev.json" and doc["state_path"] == "state/dev.db"
    assert SECRET not in (work.root / "plan.json").read_text()
    assert doc["inputs"]["PAYMENTS_API_KEY"].startswith("sha256$")
    result = work.run("apply", "plan.json", env=env)
    assert result.exit_code == 0, result.output + result.stderr
    assert "Apply complete! Resources: 2 added" in result.output
    assert (work.root / "state" / "dev.db").exists()
    assert [v["key"] for v in kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]] == \
        ["PAYMENTS_API_KEY"]
    again = work.run("plan", "--config", "config/dev.json", "--detailed-exitcode", env=env)
    assert again.exit_code == 0 and "No changes." in again.output


def test_a_secret_changed_since_the_plan_makes_it_stale(work: Workdir, kinde: Kinde) -> None:
    plan_file = str(work.root / "plan.json")
    work.apply(CONFIG, PAYMENTS_API_KEY=SECRET)
    changed = {**CONFIG, "permissions": [{"key": "orders:read", "name": "View orders"}]}
    args = work.ws_args(changed)
    plan = work.run("plan", *args, "--out", plan_file, env={"PAYMENTS_API_KEY": SECRET})
    assert plan.exit_code == 0, plan.stderr
    result = work.run("apply", plan_file, env={"PAYMENTS_API_KEY": ROTATED})
    assert result.exit_code == 1, result.output + result.stderr
    assert "environment variable PAYMENTS_API_KEY has a different value than when the plan was made" in result.stderr
    assert SECRET not in result.output + result.stderr and ROTATED not in result.output + result.stderr
    assert "Apply complete" not in result.output
    perms = kinde.list("/api/v1/permissions", "permissions")
    assert [p["name"] for p in perms] == ["Read orders"]  # nothing applied
    ok = work.run("apply", plan_file, env={"PAYMENTS_API_KEY": SECRET})
    assert ok.exit_code == 0, ok.output + ok.stderr
    assert [p["name"] for p in kinde.list("/api/v1/permissions", "permissions")] == ["View orders"]
