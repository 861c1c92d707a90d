"""An apply of 200 objects through injected 500s, dropped connections, latency and a low rate limit
lands the exact desired end state; an exhausted retry budget stops cleanly and the next run resumes."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from e2e_harness import Kinde, Workdir


def config() -> dict[str, Any]:
    return {
        "kinde": {"environment": "development"},
        "permissions": [{"key": f"perm:{i:03d}", "name": f"Perm {i}"} for i in range(100)],
        "roles": [{"key": f"role{r}", "name": f"Role {r}", "permissions": [f"perm:{(r * 5 + j):03d}" for j in range(5)]}
                  for r in range(20)],
        "apis": [{"key": f"api{a}", "name": f"API {a}", "audience": f"https://api{a}.example",
                  "scopes": [{"key": f"s{s}"} for s in range(5)]} for a in range(4)],
        "feature_flags": [{"key": f"flag_{i}", "name": f"Flag {i}", "type": "bool", "default_value": False}
                          for i in range(26)],
        "env_vars": [{"key": f"VAR_{i}", "value": f"v{i}"} for i in range(30)],
    }  # 100 + 20 + 4 + 20 + 26 + 30 = 200 objects


def faults(kinde: Kinde, **settings: Any) -> None:
    requests.post(f"{kinde.url}/_emulator/faults", json=settings, timeout=10).raise_for_status()


@pytest.fixture
def calm(kinde: Kinde) -> Iterator[None]:
    yield
    faults(kinde, fail_rate=0.0, drop_rate=0.0, latency_ms=0.0, rate_limit=None)


def assert_exact_end_state(kinde: Kinde) -> None:
    perms = [p["key"] for p in kinde.list("/api/v1/permissions", "permissions")]
    roles = kinde.list("/api/v1/roles", "roles")
    apis = [a for a in kinde.call("GET", "/api/v1/apis")["apis"] if not a.get("is_management_api")]
    env_vars = [v["key"] for v in kinde.call("GET", "/api/v1/environment_variables")["environment_variables"]]
    flags = kinde.call("GET", "/api/v1/environment/feature_flags")["feature_flags"]
    assert sorted(perms) == [f"perm:{i:03d}" for i in range(100)]
    assert sorted(r["key"] for r in roles) == sorted(f"role{r}" for r in range(20))
    assert sorted(a["audience"] for a in apis) == [f"https://api{a}.example" for a in range(4)]
    for api in apis:
        assert sorted(s["key"] for s in kinde.call("GET", f"/api/v1/apis/{api['id']}/scopes")["scopes"]) == \
            [f"s{s}" for s in range(5)]
    assert sorted(env_vars) == sorted(f"VAR_{i}" for i in range(30)) and len(flags) == 26
    for role in roles:
        n = int(role["key"][4:])
        keys = [p["key"] for p in kinde.list(f"/api/v1/roles/{role['id']}/permissions", "permissions")]
        assert sorted(keys) == [f"perm:{(n * 5 + j):03d}" for j in range(5)]
    assert not [k for k, c in Counter(perms).items() if c > 1]


def test_apply_of_200_objects_survives_faults(work: Workdir, kinde: Kinde, calm: None, figures: dict) -> None:
    faults(kinde, fail_rate=0.10, drop_rate=0.05, latency_ms=5, rate_limit=60, seed=1234)
    kinde.reset_stats()
    args = work.ws_args(config())
    # A create whose connection dropped may still land, so it is never sent again in the same run
    # (issue 13): it is looked for over the read timeout and, unseen, left to the next run. So the
    # faults may take a second apply (or a third); every stop before that must be such a create.
    env = {"KINDE_IAC_MAX_RETRIES": "8", "KINDE_IAC_TIMEOUT": "2"}
    stopped: list[str] = []
    for _run in range(4):
        result = work.run("apply", *args, "--auto-approve", env=env)
        if result.exit_code == 0:
            break
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert errors and all("it was not sent again" in line for line in errors), result.stderr[-3000:]
        stopped += errors
    assert result.exit_code == 0, result.output[-3000:] + result.stderr[-3000:]
    summary = re.search(r"\((\d+) API requests, (\d+) retried, (\d+) creates re-checked", result.output)
    assert summary, result.output[-500:]
    stats = kinde.stats()
    injected = stats["by_status"].get("500", 0) + stats.get("dropped", 0)
    throttled = stats["by_status"].get("429", 0)
    assert injected > 0 and int(summary.group(2)) > 0
    faults(kinde, fail_rate=0.0, drop_rate=0.0, latency_ms=0.0, rate_limit=None)
    assert_exact_end_state(kinde)
    work.assert_converged(config())
    figures["faults: injected 500s + dropped connections during a 200-object apply"] = injected
    figures["faults: 429 answers waited out"] = throttled
    figures["faults: requests / retried / creates re-checked by natural key (last run)"] = \
        f"{summary.group(1)} / {summary.group(2)} / {summary.group(3)}"
    figures["faults: applies to converge / creates stopped unseen and resumed by the next run"] = \
        f"{_run + 1} / {len(stopped)}"


def test_exhausted_retry_budget_stops_cleanly_and_the_next_run_resumes(work: Workdir, kinde: Kinde,
                                                                       calm: None) -> None:
    faults(kinde, fail_rate=0.5, seed=99)
    args = work.ws_args(config())
    result = work.run("apply", *args, "--auto-approve", env={"KINDE_IAC_MAX_RETRIES": "1"})
    assert result.exit_code == 1
    assert "gave up after" in result.stderr or "attempt" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.output + result.stderr
    faults(kinde, fail_rate=0.0)
    result = work.run("apply", *args, "--auto-approve")
    assert result.exit_code == 0, result.output[-2000:] + result.stderr[-2000:]
    assert_exact_end_state(kinde)
    work.assert_converged(config())
