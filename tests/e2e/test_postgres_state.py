"""Shared state in PostgreSQL through the real CLI against the emulator (issue 14): apply, plan and
drift; how the state is chosen; two applies at once; a killed holder taken over without
force-unlock; a SQLite state migrated in and out. Processes synchronise on the emulator's gate and
their output, never on sleeps."""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from e2e_harness import Kinde, Workdir

from kinde_iac.state import StateStore


def config() -> dict[str, Any]:
    return {
        "kinde": {"environment": "development"},
        "permissions": [{"key": f"perm:{i}", "name": f"Perm {i}"} for i in range(12)],
        "roles": [{"key": f"role{r}", "name": f"Role {r}", "permissions": [f"perm:{r}", f"perm:{r + 6}"]}
                  for r in range(6)],
        "env_vars": [{"key": f"VAR_{i}", "value": f"v{i}"} for i in range(4)],
    }


EXPECTED = {"permission": 12, "role": 6, "env_var": 4}


def pg_args(work: Workdir, url: str, cfg: dict | None = None, name: str = "dev") -> list[str]:
    return ["--config", str(work.write(f"{name}.json", cfg or config())), "--state", url]


def inventory(kinde: Kinde) -> dict[str, list[str]]:
    return {
        "permission": [p["key"] for p in kinde.list("/api/v1/permissions", "permissions")],
        "role": [r["key"] for r in kinde.list("/api/v1/roles", "roles")],
        "env_var": [v["key"] for v in kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]],
    }


def assert_no_duplicates(kinde: Kinde) -> None:
    live = inventory(kinde)
    assert {kind: len(keys) for kind, keys in live.items()} == EXPECTED, live
    assert not [k for keys in live.values() for k, n in Counter(keys).items() if n > 1]


def test_apply_plan_and_drift_with_postgres_state(work: Workdir, kinde: Kinde, pg_url: str) -> None:
    args = pg_args(work, pg_url)
    result = work.run("apply", *args, "--auto-approve")
    assert result.exit_code == 0, result.output + result.stderr
    plan = work.run("plan", *args, "--detailed-exitcode")
    assert plan.exit_code == 0 and "No changes." in plan.output, plan.output + plan.stderr
    listed = work.run("state", "list", *args)
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 22
    assert not (work.root / "state").exists() and not list(work.root.glob("*.db"))  # nothing on disk

    role = next(r for r in kinde.list("/api/v1/roles", "roles") if r["key"] == "role0")
    kinde.call("PATCH", f"/api/v1/roles/{role['id']}", json={"name": "Edited in the dashboard", "key": "role0"})
    drift = work.run("drift", *args)
    assert drift.exit_code == 2 and "role.role0" in drift.output, drift.output + drift.stderr
    assert work.run("apply", *args, "--auto-approve").exit_code == 0
    assert work.run("plan", *args, "--detailed-exitcode").exit_code == 0
    assert_no_duplicates(kinde)


def test_the_state_is_chosen_by_option_then_environment_then_workspace_file(work: Workdir, kinde: Kinde,
                                                                             pg_url: str) -> None:
    cfg = config()
    path = str(work.write("dev.json", cfg))
    applied = work.run("apply", "--config", path, "--auto-approve", env={"KINDE_IAC_STATE": pg_url})
    assert applied.exit_code == 0, applied.output + applied.stderr
    # The workspace file names the same database through ${env:...}.
    from_file = {**cfg, "kinde": {**cfg["kinde"], "state": "${env:TEAM_KINDE_STATE}"}}
    path = str(work.write("dev.json", from_file))
    plan = work.run("plan", "--config", path, "--detailed-exitcode", env={"TEAM_KINDE_STATE": pg_url})
    assert plan.exit_code == 0 and "No changes." in plan.output, plan.output + plan.stderr
    # --state wins: an empty file state sees every live object as one to adopt.
    local = str(work.root / "local.db")
    plan = work.run("plan", "--config", path, "--state", local, "--detailed-exitcode",
                    env={"TEAM_KINDE_STATE": pg_url})
    assert plan.exit_code == 2 and "to import" in plan.output
    assert not Path(local).exists()  # a plan creates no state


def start_apply(work: Workdir, args: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, **work.kinde.env()}
    return subprocess.Popen([sys.executable, "-m", "kinde_iac", "apply", *args, "--auto-approve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def gate(kinde: Kinde, method: str, **kw: Any) -> dict:
    resp = requests.request(method, f"{kinde.url}/_emulator/gate", timeout=150, **kw)
    resp.raise_for_status()
    return resp.json()


def test_a_second_apply_is_refused_at_once_and_a_killed_holder_is_taken_over(work: Workdir, kinde: Kinde,
                                                                             pg_url: str, figures: dict) -> None:
    args = pg_args(work, pg_url)
    gate(kinde, "POST", json={"after": 12, "phase": "after"})
    holder = start_apply(work, args)
    try:
        assert gate(kinde, "GET", params={"wait": 120})["held"] >= 1, holder.poll()
        second = work.run("apply", *args, "--auto-approve")
        assert second.exit_code == 1
        hint = shlex.join(["kinde-iac", "force-unlock", "--config", args[1], "--state", pg_url])
        for part in ("state is locked by", f"pid {holder.pid}", "(apply)", f"`{hint} "):
            assert part in second.stderr, second.stderr
        holder.send_signal(signal.SIGKILL)
        assert holder.wait(30) == -signal.SIGKILL
    finally:
        if holder.poll() is None:
            holder.kill()
        gate(kinde, "DELETE")

    result = work.run("apply", *args, "--auto-approve")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Took over the state lock" in result.stderr and "its database session is gone" in result.stderr
    assert work.run("plan", *args, "--detailed-exitcode").exit_code == 0
    assert_no_duplicates(kinde)
    store = StateStore.open(pg_url, workspace="dev")
    assert len(store.resources()) == 22 and store.open_intents() == []
    assert "interrupted" in {r["status"] for r in _history(pg_url)}
    store.close()
    figures["postgres: killed holder taken over by the next apply"] = "yes, no force-unlock, no duplicates"


def _history(pg_url: str) -> list[dict]:
    import pg_support

    schema = pg_url.rsplit("schema=", 1)[1]
    rows = pg_support.execute(f'SELECT status FROM "{schema}".applies WHERE workspace = %s', "dev")
    return [{"status": status} for (status,) in rows]


def test_a_sqlite_state_migrated_to_postgres_plans_no_changes_and_back(work: Workdir, kinde: Kinde,
                                                                       pg_url: str) -> None:
    sqlite_args = work.ws_args(config())
    assert work.run("apply", *sqlite_args, "--auto-approve").exit_code == 0
    before = StateStore.open(work.root / "dev.db", workspace="dev")
    lineage, serial, rows = before.lineage, before.serial, before.resources()
    before.close()

    moved = work.run("state", "migrate", *sqlite_args, "--to", pg_url)
    assert moved.exit_code == 0, moved.output + moved.stderr
    assert f"lineage {lineage}, serial {serial}, 22 resources" in moved.output
    plan = work.run("plan", *pg_args(work, pg_url), "--detailed-exitcode")
    assert plan.exit_code == 0 and "No changes." in plan.output, plan.output + plan.stderr
    after = StateStore.open(pg_url, workspace="dev")
    assert (after.lineage, after.serial) == (lineage, serial)
    assert {a: (r.kinde_id, r.attributes) for a, r in after.resources().items()} == \
        {a: (r.kinde_id, r.attributes) for a, r in rows.items()}
    after.close()
    assert work.run("state", "migrate", *sqlite_args, "--to", pg_url).exit_code == 0  # again: same lineage

    other = work.root / "other.db"
    StateStore.open(other, workspace="dev", create=True).put(next(iter(rows.values())))
    refused = work.run("state", "migrate", "--config", sqlite_args[1], "--state", str(other), "--to", pg_url)
    assert refused.exit_code == 1 and "another lineage" in refused.stderr and lineage in refused.stderr

    back = work.root / "back.db"
    returned = work.run("state", "migrate", *pg_args(work, pg_url), "--to", str(back))
    assert returned.exit_code == 0, returned.output + returned.stderr
    plan = work.run("plan", "--config", sqlite_args[1], "--state", str(back), "--detailed-exitcode")
    assert plan.exit_code == 0 and "No changes." in plan.output


def test_a_password_in_the_state_url_is_never_printed(work: Workdir, kinde: Kinde) -> None:
    url = "postgresql://postgres:Sup3r-s3cret@127.0.0.1:1/test?schema=x"
    for command in (["plan"], ["apply", "--auto-approve"], ["state", "list"], ["force-unlock", "abc"]):
        result = work.run(*command, "--config", str(work.write("dev.json", config())), "--state", url)
        assert result.exit_code == 1
        assert "Sup3r-s3cret" not in result.output + result.stderr
        assert "postgresql://postgres:***@127.0.0.1:1/test" in result.stderr, result.stderr
    env = work.run("plan", "--config", str(work.root / "dev.json"), env={"KINDE_IAC_STATE": url})
    assert env.exit_code == 1 and "Sup3r-s3cret" not in env.output + env.stderr


def test_plan_and_drift_need_only_a_read_only_database_role(work: Workdir, kinde: Kinde, pg_url: str,
                                                            pg_schema: str) -> None:
    import pg_support

    args = pg_args(work, pg_url)
    assert work.run("apply", *args, "--auto-approve").exit_code == 0
    role = f"{pg_schema}_ro"
    pg_support.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        pg_support.execute(f'GRANT USAGE ON SCHEMA "{pg_schema}" TO "{role}"')
        pg_support.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{pg_schema}" TO "{role}"')
        rest = pg_url.split("@", 1)[1]
        read_only = f"postgresql://{role}@{rest}"
        ro_args = pg_args(work, read_only)
        plan = work.run("plan", *ro_args, "--detailed-exitcode")
        assert plan.exit_code == 0 and "No changes." in plan.output, plan.output + plan.stderr
        assert work.run("drift", *ro_args).exit_code == 0
        assert work.run("state", "list", *ro_args).exit_code == 0
        refused = work.run("apply", *ro_args, "--auto-approve")
        assert refused.exit_code == 1 and "permission denied" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    finally:
        pg_support.execute(f'DROP OWNED BY "{role}"')
        pg_support.execute(f'DROP ROLE "{role}"')
