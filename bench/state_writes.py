"""State write and lock figures, SQLite and PostgreSQL side by side in one run (issues 14 and 19).

    .venv/bin/python bench/state_writes.py [--steps 1000] [--pg-url postgresql://...]

Per journalled step (an intent committed before the API call, then the result with the resource
row and the serial in one transaction), from one process: wall and CPU time, and for SQLite the
statements run, before issue 19 (sqlite-utils on every call, synchronous=FULL) and now. Then the
lock: how long a refusal takes, how long a waiter takes to get a released lock (it polls every
0.2 s), and how long the next run takes to take over the lock of a holder killed with SIGKILL.
PostgreSQL is ``--pg-url``, else KINDE_IAC_TEST_PG_URL, else postgresql://postgres@127.0.0.1:5432/test;
the benchmark works in a schema of its own and drops it. Figures, never pass/fail.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.state_baseline import BaselineSqliteBackend
from kinde_iac.state import LockError, StateResource, StateStore
from kinde_iac.state.lock import LOCK_POLL_SECONDS

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
ROUNDS = 7


def role(i: int) -> StateResource:
    """A typical row: a role with a name, ten permissions and a scope link."""
    return StateResource(f"role.r{i}", "role", f"r{i}", f"rol_{i:012d}", (f"r{i}",),
                         {"name": f"Role {i}", "description": "Bench role",
                          "permissions": [f"orders:{n}" for n in range(10)], "scopes": ["orders-api/read"]},
                         depends_on=tuple(f"permission.orders:{n}" for n in range(10)))


def steps_cost(store: StateStore, steps: int) -> tuple[float, float]:
    """Wall and CPU seconds per step of ``steps`` journalled creates."""
    apply_id = store.begin_apply(who="bench")
    for i in range(20):  # warm the statement caches
        store.journal_result(store.journal_intent(apply_id, f"role.w{i}", "create", "", ""), outcome="ok",
                             put=role(100_000 + i))
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(steps):
        entry = store.journal_intent(apply_id, f"role.r{i}", "create", "", "")
        store.journal_result(entry, outcome="ok", kinde_id=f"rol_{i:012d}", put=role(i))
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


def sqlite_statements(store: StateStore) -> int:
    """Statements one step runs (traced on the store's connection)."""
    seen: list[str] = []
    conn = store._backend._db  # type: ignore[attr-defined]
    apply_id = store.begin_apply(who="bench")
    conn.set_trace_callback(seen.append)
    store.journal_result(store.journal_intent(apply_id, "role.traced", "create", "", ""), outcome="ok",
                         put=role(999_999))
    conn.set_trace_callback(None)
    return len(seen)


HOLDER = """
import sys
from kinde_iac.state import StateStore
store = StateStore.open(sys.argv[1], workspace="bench")
info = store.acquire_lock("apply", tie_to_process=True)
print("held", flush=True)
if sys.stdin.readline().strip() == "release":
    store.release_lock(info.id)
    print("released", flush=True)
sys.stdin.readline()
"""


@contextmanager
def holder(location: str) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen([sys.executable, "-c", HOLDER, location], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(10)


def waited_after_release(store: StateStore, child: subprocess.Popen[str]) -> float:
    """Seconds between the holder's release and a polling waiter getting the lock."""
    got: list[float] = []
    polling = threading.Event()

    def poll(seconds: float) -> None:
        polling.set()
        time.sleep(seconds)

    def wait() -> None:
        store.acquire_lock("apply", timeout=30, poll=poll)
        got.append(time.perf_counter())

    waiter = threading.Thread(target=wait)
    waiter.start()
    polling.wait(30)  # the waiter found the lock held and sleeps; release at a random point of its sleep
    time.sleep(random.uniform(0, LOCK_POLL_SECONDS))
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("release\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "released"
    released = time.perf_counter()
    waiter.join(60)
    return got[0] - released


def lock_figures(location: str) -> tuple[list[float], list[float], list[float]]:
    """Seconds: refusal of a held lock, wait after a release, takeover after SIGKILL (ROUNDS each)."""
    refused, waits, takeovers = [], [], []
    store = StateStore.open(location, workspace="bench", create=True)
    for _ in range(ROUNDS):
        with holder(location) as child:
            t0 = time.perf_counter()
            try:
                store.acquire_lock("apply")
                raise SystemExit("bench: the lock was not refused")
            except LockError:
                refused.append(time.perf_counter() - t0)
            waits.append(waited_after_release(store, child))
            _release_all(store)
        with holder(location) as child:
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            t0 = time.perf_counter()
            store.acquire_lock("apply", on_note=lambda note: None)
            takeovers.append(time.perf_counter() - t0)
            _release_all(store)
    store.close()
    return refused, waits, takeovers


def _release_all(store: StateStore) -> None:
    held = store._held_lock_id  # the bench's own store
    if held is not None:
        store.release_lock(held)


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.2f} (max {max(values) * 1000:.1f})"


def row(name: str, cost: tuple[float, float], statements: str, base: float | None) -> str:
    if not base:
        ratio = "baseline"
    else:
        ratio = f"{base / cost[0]:.1f}x faster" if cost[0] < base else f"{cost[0] / base:.1f}x slower"
    return f"  {name:<58} {cost[0] * 1000:8.3f} {cost[1] * 1000:8.3f} {statements:>11}   {ratio}"


def pg_available(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any reason is printed and PostgreSQL skipped
        return " ".join(str(exc).split())[:120]


def run(steps: int, pg_url: str, workdir: Path) -> None:
    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"\nState writes: {steps} journalled steps (intent, then result + role row + serial), one process")
    print(f"  {'backend':<58} {'wall ms':>8} {'CPU ms':>8} {'statements':>11}")
    baseline = StateStore(BaselineSqliteBackend.at(workdir / "before.db", "bench"), path=workdir / "before.db")
    before = steps_cost(baseline, steps)
    print(row("SQLite before (sqlite-utils, synchronous=FULL)", before, str(sqlite_statements(baseline)), None))
    baseline.close()
    now_store = StateStore.open(workdir / "now.db", workspace="bench", create=True)
    now = steps_cost(now_store, steps)
    print(row("SQLite now (sqlite3, synchronous=NORMAL)", now, str(sqlite_statements(now_store)), before[0]))
    now_store.close()
    why = pg_available(pg_url)
    schema = f"kiac_bench_{os.getpid()}_{secrets.token_hex(3)}"
    pg_location = f"{pg_url}{'&' if '?' in pg_url else '?'}schema={schema}"
    if why is None:
        pg_store = StateStore.open(pg_location, workspace="bench", create=True)
        cost = steps_cost(pg_store, steps)
        print(row(f"PostgreSQL ({pg_url.split('@')[-1]}, synchronous_commit on)", cost, "-", before[0]))
        pg_store.close()
    else:
        print(f"  PostgreSQL: skipped, unreachable at {pg_url} ({why})")

    print(f"\nLock (ms, median of {ROUNDS}, max in brackets; a waiter polls every 0.2 s)")
    print(f"  {'backend':<12} {'refused at once':>22} {'wait after release':>22} {'takeover after SIGKILL':>24}")
    places: list[tuple[str, str]] = [("SQLite", str(workdir / "lock.db"))]
    if why is None:
        places.append(("PostgreSQL", pg_location))
    for name, location in places:
        refused, waits, takeovers = lock_figures(location)
        print(f"  {name:<12} {ms(refused):>22} {ms(waits):>22} {ms(takeovers):>24}")
    if why is None:
        _drop(pg_url, schema)


def _drop(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/state_writes.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--pg-url", default=os.environ.get("KINDE_IAC_TEST_PG_URL") or DEFAULT_PG)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kinde-iac-state-bench-") as tmp:
        run(args.steps, args.pg_url, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
