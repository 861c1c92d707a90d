"""SIGKILL an apply after exactly k API requests, for k spread over the whole apply, and check that
the next apply converges with no duplicate, no orphan and nothing lost.

The emulator's gate holds request k+1 (before it runs, or after it ran but before its response),
the test kills the apply process while it waits, then releases the gate. No sleeps.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from typing import Any

import requests
from e2e_harness import Kinde, Workdir

from kinde_iac.state import StateStore

KILL_POINTS = 20


def config() -> dict[str, Any]:
    perms = [{"key": f"perm:{i}", "name": f"Perm {i}"} for i in range(20)]
    return {
        "kinde": {"environment": "development"},
        "applications": [{"key": f"app{i}", "name": f"App {i}", "type": "reg",
                          "redirect_urls": [f"https://app{i}.example/cb"], "logout_urls": [f"https://app{i}.example"]}
                         for i in range(3)],
        "apis": [{"key": f"api{a}", "name": f"API {a}", "audience": f"https://api{a}.example",
                  "applications": [f"app{a}"],
                  "scopes": [{"key": f"s{s}", "description": f"Scope {s}"} for s in range(4)]} for a in range(3)],
        "permissions": perms,
        "roles": [{"key": f"role{r}", "name": f"Role {r}", "permissions": [f"perm:{r * 2}", f"perm:{r * 2 + 1}"],
                   "scopes": [f"api{r % 3}/s{r % 4}"]} for r in range(10)],
        "feature_flags": [{"key": f"flag_{i}", "name": f"Flag {i}", "type": "bool", "default_value": False,
                           "value": i % 2 == 0} for i in range(8)],
        "env_vars": [{"key": f"VAR_{i}", "value": f"v{i}"} for i in range(7)]
        + [{"key": "SECRET_VAR", "value": "${env:SECRET_VAR}", "is_secret": True}],
    }


SECRET = {"SECRET_VAR": "crash-test-secret"}
EXPECTED = 3 + 3 + 12 + 20 + 10 + 8 + 8  # 64 objects


def live_inventory(kinde: Kinde) -> dict[str, list[str]]:
    """Natural keys of every live object kinde-iac may manage (the M2M app and Management API excluded)."""
    apps = [a["name"] for a in kinde.list("/api/v1/applications", "applications") if a["id"] != "e2e-m2m"]
    apis = [a for a in kinde.call("GET", "/api/v1/apis")["apis"] if not a.get("is_management_api")]
    scopes = [f"{a['audience']}/{s['key']}" for a in apis
              for s in kinde.call("GET", f"/api/v1/apis/{a['id']}/scopes")["scopes"]]
    return {
        "application": apps, "api": [a["audience"] for a in apis], "api_scope": scopes,
        "permission": [p["key"] for p in kinde.list("/api/v1/permissions", "permissions")],
        "role": [r["key"] for r in kinde.list("/api/v1/roles", "roles")],
        "feature_flag": list(kinde.call("GET", "/api/v1/environment/feature_flags")["feature_flags"]),
        "env_var": [v["key"] for v in kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]],
    }


def live_ids(kinde: Kinde) -> set[str]:
    ids = {a["id"] for a in kinde.list("/api/v1/applications", "applications") if a["id"] != "e2e-m2m"}
    apis = [a for a in kinde.call("GET", "/api/v1/apis")["apis"] if not a.get("is_management_api")]
    ids |= {a["id"] for a in apis}
    ids |= {s["id"] for a in apis for s in kinde.call("GET", f"/api/v1/apis/{a['id']}/scopes")["scopes"]}
    ids |= {p["id"] for p in kinde.list("/api/v1/permissions", "permissions")}
    ids |= {r["id"] for r in kinde.list("/api/v1/roles", "roles")}
    ids |= {v["id"] for v in kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]}
    return ids


def start_apply(work: Workdir, args: list[str]) -> subprocess.Popen:
    env = {**os.environ, **work.kinde.env(), **SECRET}
    return subprocess.Popen([sys.executable, "-m", "kinde_iac", "apply", *args, "--auto-approve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def gate(kinde: Kinde, method: str, **kw: Any) -> dict:
    resp = requests.request(method, f"{kinde.url}/_emulator/gate", timeout=150, **kw)
    resp.raise_for_status()
    return resp.json()


def test_killed_applies_converge_without_duplicates_orphans_or_losses(work: Workdir, kinde: Kinde,
                                                                     figures: dict) -> None:
    cfg = config()
    # How many API requests a whole apply from empty takes, to spread the kill points over it.
    probe = work.ws_args(cfg, "probe")
    kinde.reset_stats()
    assert work.run("apply", *probe, "--auto-approve", env=SECRET).exit_code == 0
    total = kinde.stats()["total"]
    assert total > 2 * KILL_POINTS
    points = sorted({max(1, round(total * (i + 0.5) / KILL_POINTS)) for i in range(KILL_POINTS)})
    assert len(points) == KILL_POINTS

    survived = 0
    for n, k in enumerate(points):
        kinde.reset()
        name = f"crash{n}"
        args = work.ws_args(cfg, name)
        phase = "after" if n % 2 else "before"
        gate(kinde, "POST", json={"after": k, "phase": phase})
        proc = start_apply(work, args)
        try:
            held = gate(kinde, "GET", params={"wait": 120})
            assert held["held"] >= 1, f"apply never reached request {k + 1}: {proc.poll()}"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            gate(kinde, "DELETE")

        # The killed run left its lock; the user clears it as the error message says, then applies.
        db = sqlite3.connect(work.root / f"{name}.db")
        lock = db.execute("SELECT id FROM lock").fetchone()
        db.close()
        if lock is not None:
            assert work.run("force-unlock", *args, lock[0]).exit_code == 0
        result = work.run("apply", *args, "--auto-approve", env=SECRET)
        assert result.exit_code == 0, f"k={k} ({phase}): {result.output[-1500:]}{result.stderr[-1500:]}"

        inventory = live_inventory(kinde)
        duplicates = {kind: [x for x, c in Counter(keys).items() if c > 1] for kind, keys in inventory.items()}
        assert not any(duplicates.values()), f"k={k}: duplicates {duplicates}"
        assert sum(len(v) for v in inventory.values()) == EXPECTED, f"k={k}: {inventory}"  # nothing lost or extra
        state = StateStore.open(work.root / f"{name}.db", workspace=name)
        rows = state.resources()
        journal = state.journal()
        state.close()
        assert len(rows) == EXPECTED
        orphans = live_ids(kinde) - {r.kinde_id for r in rows.values() if r.kinde_id}
        assert not orphans, f"k={k}: live objects missing from state: {orphans}"
        assert all(e.outcome is not None for e in journal)
        work.assert_converged(cfg, name, **SECRET)
        survived += 1
    figures["crash kills survived"] = f"{survived} of {len(points)} (k from {points[0]} to {points[-1]} of {total})"
    print(f"\nkills survived: {survived} (apply of {EXPECTED} objects = {total} requests; k = {points})")
