"""Refresh cost grows with list pages and parents, not with resources (DESIGN section 8)."""
from __future__ import annotations

import math

from e2e_harness import Kinde, Workdir


def big_workspace() -> dict:
    permissions = [{"key": f"perm:{i:04d}", "name": f"Permission {i}"} for i in range(1000)]
    apis = [{"key": f"api{a}", "name": f"API {a}", "audience": f"https://api{a}.example",
             "scopes": [{"key": f"s{s}", "description": f"scope {s}"} for s in range(10)]} for a in range(20)]
    roles = [{"key": f"role{r}", "name": f"Role {r}",
              "permissions": [f"perm:{(r * 10 + j):04d}" for j in range(10)],
              "scopes": [f"api{r % 20}/s{r % 10}"]} for r in range(100)]
    apps = [{"key": f"app{i}", "name": f"App {i}", "type": "reg",
             "redirect_urls": [f"https://app{i}.example/cb"], "logout_urls": [f"https://app{i}.example"]}
            for i in range(10)]
    flags = [{"key": f"flag_{i}", "name": f"Flag {i}", "type": "bool", "default_value": False} for i in range(100)]
    env_vars = [{"key": f"VAR_{i}", "value": f"v{i}"} for i in range(100)]
    return {"kinde": {"environment": "development"}, "permissions": permissions, "apis": apis, "roles": roles,
            "applications": apps, "feature_flags": flags, "env_vars": env_vars}


def test_noop_plan_makes_one_request_per_page_and_parent(work: Workdir, kinde: Kinde) -> None:
    config = big_workspace()
    args = work.ws_args(config)
    result = work.run("apply", *args, "--auto-approve", "--parallelism", "8")
    assert result.exit_code == 0, result.output[-2000:] + result.stderr[-2000:]
    kinde.reset_stats()

    result = work.run("plan", *args, "--detailed-exitcode")
    assert result.exit_code == 0, result.output[-2000:]
    assert "No changes." in result.output
    stats = kinde.stats()

    live_permissions, live_roles, live_apps = 1000, 100, 10 + 1  # + the M2M app kinde-iac itself uses
    pages = (math.ceil(live_permissions / 500) + math.ceil(live_roles / 500) + math.ceil(live_apps / 500)
             + 1 + 1 + 1)  # apis, flags, env vars: one unpaged list each
    # role permissions + scopes; api detail + scopes; app + 2 URL lists (its enabled connections only
    # when something manages them, and nothing does here)
    parents = live_roles * 2 + 20 * 2 + 10 * 3
    overhead = 2  # token, GET /api/v1/environment (the environment guard)
    bound = pages + parents + overhead
    print(f"\nno-op plan of 1,530 objects: {stats['total']} requests (bound {bound}: {pages} list pages, "
          f"{parents} parent sub-lists, {overhead} token/environment)")
    assert stats["total"] <= bound
    by_route = stats["by_route"]
    assert by_route.get("GET /api/v1/permissions", 0) == 2
    assert by_route.get("GET /api/v1/roles/{role_id}/permissions", 0) == 100
    assert by_route.get("GET /api/v1/applications/{application_id}/connections", 0) == 0


def test_concurrency_never_exceeds_the_configured_pool(work: Workdir, kinde: Kinde) -> None:
    import requests

    config = {"kinde": {"environment": "development"},
              "permissions": [{"key": f"p{i}", "name": f"P{i}"} for i in range(40)],
              "roles": [{"key": f"r{i}", "name": f"R{i}", "permissions": [f"p{i}", f"p{i + 20}"]} for i in range(20)],
              "env_vars": [{"key": f"V{i}", "value": "x"} for i in range(20)]}
    args = work.ws_args(config)
    # latency makes requests overlap, so the bound is actually reached rather than trivially kept
    requests.post(f"{kinde.url}/_emulator/faults", json={"latency_ms": 20}, timeout=10).raise_for_status()
    try:
        for command, pool in (("apply", 3), ("plan", 5), ("apply", 1)):
            kinde.reset_stats()
            extra = ["--auto-approve"] if command == "apply" else []
            result = work.run(command, *args, *extra, "--parallelism", str(pool))
            assert result.exit_code == 0, result.output[-1000:] + result.stderr[-1000:]
            peak = kinde.stats()["max_in_flight"]
            print(f"\n{command} --parallelism {pool}: at most {peak} requests in flight")
            assert peak <= pool
            assert peak == pool  # the pool is used, not just respected
            config["env_vars"][0]["value"] = f"changed-{pool}"  # give the next apply work to do
            args = work.ws_args(config)
    finally:
        requests.post(f"{kinde.url}/_emulator/faults", json={"latency_ms": 0}, timeout=10).raise_for_status()
