"""Per-object refresh baselines: how the Terraform providers for Kinde read live state, and the
ideal of that approach, one GET per object.

Terraform refreshes each managed resource on its own (``-parallelism=10`` by default), and a
provider's Read fetches that one object by id. Per kind, the reads one object costs here:

- application: GET /applications/{id} + its redirect URLs + its logout URLs (3; the same attributes
  kinde-iac compares)
- api: GET /apis/{id} (1; carries the authorized applications)
- api scope: GET /apis/{api_id}/scopes/{scope_id} (1)
- permission: Kinde has no get-by-id, so the official provider lists every permission page until it
  finds the id: ceil(P / 100) requests at page_size 100 for each permission (N x ceil(P/100) in all)
- role: GET /roles/{id} + GET /roles/{id}/permissions (page_size 100) + GET /roles/{id}/scopes (3)
- feature flag: no get-by-key, one GET /environment/feature_flags per flag (1)
- env var: GET /environment_variables/{id} (1)

One GET per object (``--style one-get``) is the floor of any per-object refresh: one request per
managed object (its get-by-id route where Kinde has one; a permission, which has none, one
single-item page of the permission list; a feature flag one read of the environment's flags), at
the same parallelism, after nothing but the token.

The sequential-apply baseline needs no code of its own: it is ``kinde-iac apply --parallelism 1``,
which also caps the client at one request in flight, so it makes the same creates one at a time.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

import attrs

from kinde_iac.kinde import KindeClient
from kinde_iac.kinde.credentials import Credentials
from kinde_iac.state import StateResource, StateStore

#: The page size the official provider uses when it walks the permission list.
PROVIDER_PAGE_SIZE = 100
#: Terraform's default -parallelism.
TERRAFORM_PARALLELISM = 10

Read = Callable[[KindeClient], None]
PROVIDER = "provider"
ONE_GET = "one-get"
STYLES = (PROVIDER, ONE_GET)


@attrs.frozen
class ReadTask:
    """The reads of one managed object."""

    address: str
    requests: int
    run: Read


def _paged(path: str, key: str) -> Read:
    def read(client: KindeClient) -> None:
        for _ in client.paginate(path, key, {"page_size": PROVIDER_PAGE_SIZE}):
            pass
    return read


def _gets(*paths: str) -> Read:
    def read(client: KindeClient) -> None:
        for path in paths:
            client.get(path)
    return read


def one_get_tasks(rows: dict[str, StateResource]) -> list[ReadTask]:
    """One task of one GET per managed object in state."""
    tasks = []
    for address, s in sorted(rows.items()):
        i = s.kinde_id
        path = {
            "application": f"/api/v1/applications/{i}",
            "api": f"/api/v1/apis/{i}",
            "api_scope": f"/api/v1/apis/{rows[s.depends_on[0]].kinde_id}/scopes/{i}" if s.depends_on else "",
            "permission": "/api/v1/permissions?page_size=1",
            "role": f"/api/v1/roles/{i}",
            "feature_flag": "/api/v1/environment/feature_flags",
            "env_var": f"/api/v1/environment_variables/{i}",
        }.get(s.kind)
        if path:
            tasks.append(ReadTask(address, 1, _gets(path)))
    return tasks


def read_tasks(rows: dict[str, StateResource], style: str = PROVIDER) -> list[ReadTask]:
    """One task per managed object in state, with the requests it will make."""
    if style == ONE_GET:
        return one_get_tasks(rows)
    permissions = sum(1 for s in rows.values() if s.kind == "permission")
    permission_pages = max(1, math.ceil(permissions / PROVIDER_PAGE_SIZE))
    tasks = []
    for address, s in sorted(rows.items()):
        i = s.kinde_id
        if s.kind == "application":
            app = f"/api/v1/applications/{i}"
            tasks.append(ReadTask(address, 3, _gets(app, f"{app}/auth_redirect_urls", f"{app}/auth_logout_urls")))
        elif s.kind == "api":
            tasks.append(ReadTask(address, 1, _gets(f"/api/v1/apis/{i}")))
        elif s.kind == "api_scope":
            api_id = rows[s.depends_on[0]].kinde_id
            tasks.append(ReadTask(address, 1, _gets(f"/api/v1/apis/{api_id}/scopes/{i}")))
        elif s.kind == "permission":
            tasks.append(ReadTask(address, permission_pages, _paged("/api/v1/permissions", "permissions")))
        elif s.kind == "role":
            role = f"/api/v1/roles/{i}"
            links = _paged(f"{role}/permissions", "permissions")
            tasks.append(ReadTask(address, 3, lambda c, role=role, links=links: (
                c.get(role), links(c), c.get(f"{role}/scopes"))))
        elif s.kind == "feature_flag":
            tasks.append(ReadTask(address, 1, _gets("/api/v1/environment/feature_flags")))
        elif s.kind == "env_var":
            tasks.append(ReadTask(address, 1, _gets(f"/api/v1/environment_variables/{i}")))
    return tasks


@attrs.frozen
class BaselineRun:
    requests: int  # all the tasks would make (exact: each task's count is known up front)
    done_requests: int  # what the tasks that ran made
    wall_s: float  # measured, or extrapolated when the budget ran out
    measured_s: float  # what actually ran
    estimated: bool
    tasks: int
    done_tasks: int


def _submit_all(pool: ThreadPoolExecutor, client: KindeClient, tasks: list[ReadTask], deadline: float,
                parallelism: int) -> Iterator[ReadTask]:
    """Keep ``parallelism`` tasks in flight until the tasks or the time run out; yields finished ones."""
    pending = iter(tasks)
    running: dict[Future, ReadTask] = {}
    stop = threading.Event()
    while True:
        while not stop.is_set() and len(running) < parallelism:
            task = next(pending, None)
            if task is None or time.monotonic() > deadline:
                stop.set()
                break
            running[pool.submit(task.run, client)] = task
        if not running:
            return
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for fut in finished:
            task = running.pop(fut)
            fut.result()
            yield task


def per_resource_refresh(url: str, client_id: str, client_secret: str, state_path: Path, workspace: str, *,
                         parallelism: int = TERRAFORM_PARALLELISM, budget_s: float = 120.0,
                         style: str = PROVIDER) -> BaselineRun:
    """Read every managed object of ``state_path`` the per-resource way. When ``budget_s`` runs out,
    the rest is skipped and the wall time extrapolated from the share of requests done: every
    task of a kind costs the same, and the order is shuffled so the share done is a fair sample.
    The provider style reads ``GET /environment`` first (the provider's configure step); one GET
    per object reads nothing but the objects (the token comes with the first)."""
    state = StateStore.open(state_path, workspace=workspace)
    try:
        rows = state.resources()
    finally:
        state.close()
    tasks = read_tasks(rows, style)
    random.Random(0).shuffle(tasks)
    configure = 1 if style == PROVIDER else 0
    task_requests = sum(t.requests for t in tasks)
    total = task_requests + configure + 1  # + the token
    creds = Credentials(domain=url, client_id=client_id, client_secret=client_secret)
    with KindeClient(creds, max_concurrency=parallelism) as client:
        started = time.perf_counter()
        if configure:
            client.get("/api/v1/environment")  # token and connection first, as the provider's configure step
        done = done_requests = 0
        with ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="baseline") as pool:
            for task in _submit_all(pool, client, tasks, started + budget_s, parallelism):
                done += 1
                done_requests += task.requests
        measured = time.perf_counter() - started
    estimated = done < len(tasks)
    wall = measured * task_requests / done_requests if estimated and done_requests else measured
    return BaselineRun(requests=total, done_requests=done_requests, wall_s=wall, measured_s=measured,
                       estimated=estimated,
                       tasks=len(tasks), done_tasks=done)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m bench.baselines``: the baseline in a process of its own, so its wall time and
    RSS include interpreter start-up exactly as the kinde-iac CLI runs it is measured with."""
    p = argparse.ArgumentParser(prog="python -m bench.baselines")
    p.add_argument("--url", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--state", type=Path, required=True)
    p.add_argument("--workspace", required=True)
    p.add_argument("--parallelism", type=int, default=TERRAFORM_PARALLELISM)
    p.add_argument("--budget", type=float, default=120.0)
    p.add_argument("--style", choices=STYLES, default=PROVIDER)
    args = p.parse_args(argv)
    run = per_resource_refresh(args.url, args.client_id, os.environ["KINDE_CLIENT_SECRET"], args.state,
                               args.workspace, parallelism=args.parallelism, budget_s=args.budget, style=args.style)
    print(json.dumps(attrs.asdict(run)))


if __name__ == "__main__":
    main()
