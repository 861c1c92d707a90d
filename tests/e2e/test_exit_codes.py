"""Exit codes CI can rely on: 0 success, 1 any error (usage errors included), 2 only changes, drift
or findings; a command given several workspaces handles each or refuses them all (issue 12)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_harness import Kinde, Workdir

from kinde_iac.cli.status import ExitCode

PERMS = [{"key": "orders:read", "name": "Read orders"}]


def project(work: Workdir, monkeypatch: pytest.MonkeyPatch) -> None:
    """environments/dev.json and staging.json in the working directory, as a checkout has them."""
    (work.root / "environments").mkdir()
    for name, code in (("dev", "development"), ("staging", "staging")):
        work.write(f"environments/{name}.json", {"kinde": {"environment": code}, "permissions": PERMS})
    monkeypatch.chdir(work.root)


def staging_env(kinde: Kinde) -> dict[str, str]:
    client_id, secret = kinde.emulator.credentials("staging")
    return {"KINDE_CLIENT_ID_STAGING": client_id, "KINDE_CLIENT_SECRET_STAGING": secret}


@pytest.mark.parametrize("args", [
    ["plan", "--workspcae", "dev"],
    ["apply", "-w", "dev", "--auto-aprove"],
    ["drift", "--bogus"],
    ["validate", "--workspace"],
    ["state", "list", "--nope"],
    ["state", "nope"],
    ["nope"],
    ["--nope"],
    ["plan", "--format", "yaml", "-w", "dev"],
])
def test_usage_errors_exit_1_not_2(work: Workdir, args: list[str]) -> None:
    result = work.run(*args)
    assert result.exit_code == ExitCode.ERROR, result.output + result.stderr
    assert "Usage:" in result.stderr or "Error:" in result.stderr


@pytest.mark.parametrize(("args", "hint"), [(["plna"], "Did you mean 'plan'?"), (["drfit"], "Did you mean 'drift'?"),
                                            (["zzzz"], None), (["state", "lsit"], "Did you mean 'list'?"),
                                            (["api-key", "rotat"], "Did you mean 'rotate'?")])
def test_a_misspelt_command_is_told_the_close_names(work: Workdir, args: list[str], hint: str | None) -> None:
    result = work.run(*args)
    assert result.exit_code == ExitCode.ERROR
    assert f"No such command '{args[-1]}'." in result.stderr
    assert (hint in result.stderr) if hint else ("Did you mean" not in result.stderr)


def test_version(work: Workdir) -> None:
    result = work.run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("kinde-iac ") and result.output.split()[1][0].isdigit()


@pytest.mark.parametrize("command", [
    ["apply", "--auto-approve"], ["import", "--all"], ["export"], ["state", "list"], ["force-unlock", "x"],
    ["lint"], ["check", "src"],
])
def test_commands_on_one_workspace_refuse_several(work: Workdir, kinde: Kinde, monkeypatch: pytest.MonkeyPatch,
                                                  command: list[str]) -> None:
    project(work, monkeypatch)
    result = work.run(*command, "-w", "dev", "-w", "staging", env=staging_env(kinde))
    assert result.exit_code == ExitCode.ERROR, result.output + result.stderr
    assert "given 2 times (dev, staging)" in result.stderr and "one workspace at a time" in result.stderr
    assert kinde.list("/api/v1/permissions", "permissions") == []  # nothing was applied anywhere
    assert kinde.list("/api/v1/permissions", "permissions", code="staging") == []
    assert not (Path("state") / "staging.db").exists()


def test_validate_reports_each_workspace_and_exits_with_the_worst(work: Workdir, kinde: Kinde,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    project(work, monkeypatch)
    ok = work.run("validate", "-w", "dev", "-w", "staging")
    assert ok.exit_code == 0, ok.stderr
    assert "environments/dev.json is valid" in ok.output and "environments/staging.json is valid" in ok.output
    work.write("environments/staging.json", {"kinde": {"environment": "staging"}, "roles": [{"key": "r"}]})
    bad = work.run("validate", "-w", "dev", "-w", "staging")
    assert bad.exit_code == ExitCode.ERROR
    assert "environments/dev.json is valid" in bad.output
    assert "environments/staging.json" in bad.stderr and "$.roles[0]" in bad.stderr


def test_drift_over_several_workspaces(work: Workdir, kinde: Kinde, monkeypatch: pytest.MonkeyPatch) -> None:
    project(work, monkeypatch)
    env = staging_env(kinde)
    for name in ("dev", "staging"):
        result = work.run("apply", "-w", name, "--auto-approve", env=env)
        assert result.exit_code == 0, result.output + result.stderr
    both = work.run("drift", "-w", "dev", "-w", "staging", env=env)
    assert both.exit_code == 0, both.output + both.stderr
    assert "=== dev" in both.output and "=== staging" in both.output
    perm = kinde.list("/api/v1/permissions", "permissions", code="staging")[0]
    kinde.call("PATCH", f"/api/v1/permissions/{perm['id']}", code="staging", json={"name": "Changed"})
    drifted = work.run("drift", "-w", "dev", "-w", "staging", "--format", "json", env=env)
    assert drifted.exit_code == ExitCode.CHANGES, drifted.output + drifted.stderr
    reports = {r["workspace"]: r for r in json.loads(drifted.stdout)["workspaces"]}
    assert reports["dev"]["in_sync"] is True and reports["staging"]["in_sync"] is False
    # an error in one workspace is worse than drift in another
    broken = work.run("drift", "-w", "staging", "-w", "missing", env=env)
    assert broken.exit_code == ExitCode.ERROR
    assert "=== staging" in broken.output and "missing" in broken.stderr


def test_plan_detailed_exitcode(work: Workdir, kinde: Kinde) -> None:
    config = {"kinde": {"environment": "development"}, "permissions": PERMS}
    assert work.plan(config).exit_code == ExitCode.CHANGES
    work.apply(config)
    assert work.plan(config).exit_code == ExitCode.SUCCESS


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path: Path) -> None:
    # `kinde-iac schema | head -1`: here the reading end is closed before anything is written.
    proc = subprocess.Popen([sys.executable, "-m", "kinde_iac", "schema"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == ExitCode.ERROR
    assert err == ""
