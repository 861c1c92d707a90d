"""SIGINT, SIGTERM and SIGHUP during apply, with a real process (issue 13 point 5). The emulator's gate
holds requests so that each signal arrives at a known point; the test follows the process's own
output ("Stopping (...)"), never a sleep."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from typing import Any

import pytest
import requests
from e2e_harness import Kinde, Workdir

N = 12
CONFIG = {"kinde": {"environment": "development"}, "permissions": [{"key": f"q{i:02d}", "name": f"Q{i}"} for i in range(N)]}
#: Requests an apply of CONFIG makes before its first create: token, environment guard, permission list,
#: and the business read that records a new state's identity (session.check_state_identity).
BEFORE_STEPS = 4
WAIT = 60


def gate(kinde: Kinde, method: str, **kw: Any) -> dict:
    resp = requests.request(method, f"{kinde.url}/_emulator/gate", timeout=150, **kw)
    resp.raise_for_status()
    return resp.json()


def start_apply(work: Workdir, args: list[str]) -> subprocess.Popen:
    env = {**os.environ, **work.kinde.env()}
    return subprocess.Popen([sys.executable, "-m", "kinde_iac", "apply", *args, "--auto-approve", "--parallelism", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_until(proc: subprocess.Popen, marker: str) -> list[str]:
    """stderr lines up to and including the first one holding ``marker``."""
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"the process ended before saying {marker!r}: {''.join(lines)[-2000:]}")


def state_of(work: Workdir) -> dict[str, Any]:
    db = sqlite3.connect(work.root / "dev.db")
    try:
        return {
            "lock": db.execute("SELECT id FROM lock").fetchall(),
            "status": [r[0] for r in db.execute("SELECT status FROM applies ORDER BY started_at")],
            "journal": db.execute("SELECT address, outcome FROM journal ORDER BY id").fetchall(),
            "rows": [r[0] for r in db.execute("SELECT address FROM resources")],
        }
    finally:
        db.close()


def live(kinde: Kinde) -> list[str]:
    return sorted(p["key"] for p in kinde.list("/api/v1/permissions", "permissions"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_mid_apply_lets_steps_in_flight_land_then_stops_cleanly(work: Workdir, kinde: Kinde,
                                                                        sig: signal.Signals, figures: dict) -> None:
    args = work.ws_args(CONFIG)
    # Two creates pass; the next ones run in Kinde but their answers are held (in flight).
    gate(kinde, "POST", json={"after": BEFORE_STEPS + 2, "phase": "after"})
    proc = start_apply(work, args)
    try:
        assert gate(kinde, "GET", params={"wait": WAIT})["held"] >= 1
        proc.send_signal(sig)
        read_until(proc, f"Stopping ({sig.name})")
        gate(kinde, "DELETE")  # the steps in flight get their answers...
        _out, err = proc.communicate(timeout=WAIT)
    finally:
        gate(kinde, "DELETE")
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig, err  # 130, 143, 129
    landed_line = next((line for line in err.splitlines() if line.startswith("Landed: ")), "")
    # Steps run two at a time, so the order they landed in may vary.
    assert f"Apply interrupted by {sig.name}:" in err
    assert "permission.q00" in landed_line.removeprefix("Landed: ").split(", "), err
    assert "Not attempted:" in err and "Traceback" not in err
    state = state_of(work)
    landed = [address for address, outcome in state["journal"] if outcome == "ok"]
    # ...and are journaled; nothing started after the signal; the lock is released; history says so.
    assert all(outcome == "ok" for _address, outcome in state["journal"])
    assert state["lock"] == [] and state["status"] == ["interrupted"]
    assert sorted(state["rows"]) == sorted(landed) == [f"permission.{k}" for k in live(kinde)]
    # Two creates passed the gate and one or two more were in flight (--parallelism 2): nothing else.
    assert len(landed) in (3, 4)
    # The next apply needs no force-unlock, and finishes the job without duplicates.
    result = work.run("apply", *args, "--auto-approve")
    assert result.exit_code == 0, result.output + result.stderr
    assert live(kinde) == [f"q{i:02d}" for i in range(N)]
    work.assert_converged(CONFIG)
    figures[f"signals: {sig.name} mid-apply"] = (f"exit {proc.returncode}, {len(landed)} of {N} landed and journaled, "
                                                 f"lock released, history 'interrupted', next apply converges")


def test_a_second_signal_ends_the_wait_but_never_releases_the_lock_before_workers_stop(
        work: Workdir, kinde: Kinde, figures: dict) -> None:
    args = work.ws_args(CONFIG)
    gate(kinde, "POST", json={"after": BEFORE_STEPS + 2, "phase": "after"})
    proc = start_apply(work, args)
    try:
        assert gate(kinde, "GET", params={"wait": WAIT})["held"] >= 1
        proc.send_signal(signal.SIGTERM)
        read_until(proc, "Stopping (SIGTERM)")
        proc.send_signal(signal.SIGTERM)  # the steps in flight are still held by the gate
        _out, err = proc.communicate(timeout=WAIT)
        state = state_of(work)  # read while the workers' requests are still held
    finally:
        gate(kinde, "DELETE")
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert "Still running when apply stopped waiting:" in err and "is kept" in err and "force-unlock" in err
    assert len(state["lock"]) == 1 and state["status"] == ["interrupted"]
    unfinished = [address for address, outcome in state["journal"] if outcome is None]
    assert unfinished  # the abandoned steps: their intents stay open for the next run to settle
    lock_id = state["lock"][0][0]
    assert lock_id in err
    # The process is gone; the user releases the lock as told, and the next apply converges.
    assert work.run("force-unlock", *args, lock_id).exit_code == 0
    result = work.run("apply", *args, "--auto-approve")
    assert result.exit_code == 0, result.output + result.stderr
    assert live(kinde) == [f"q{i:02d}" for i in range(N)]
    work.assert_converged(CONFIG)
    figures["signals: second SIGTERM while steps were in flight"] = (
        f"exit 143 at once, lock kept ({len(unfinished)} steps still running), next apply converges")


def test_a_signal_before_the_steps_begin_ends_the_run_and_releases_the_lock(work: Workdir, kinde: Kinde) -> None:
    args = work.ws_args(CONFIG)
    gate(kinde, "POST", json={"after": 1, "phase": "before"})  # the environment guard is held
    proc = start_apply(work, args)
    try:
        assert gate(kinde, "GET", params={"wait": WAIT})["held"] >= 1
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=WAIT)
    finally:
        gate(kinde, "DELETE")
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert "Error: interrupted by SIGTERM before any change was made in Kinde" in err and "Traceback" not in err
    state = state_of(work)
    assert state["lock"] == [] and state["status"] == [] and live(kinde) == []
