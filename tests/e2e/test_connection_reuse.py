"""One CLI run keeps its TCP connections open and reuses them, as against Kinde: it opens at most
one per request in flight (``--parallelism``), never one per request. The emulator counts the
connections it accepts; it is read in-process so reading it opens none."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_harness import Kinde, Workdir

CONFIG = {
    "kinde": {"environment": "development"},
    "permissions": [{"key": f"p{i}", "name": f"P{i}"} for i in range(40)],
    "roles": [{"key": f"r{i}", "name": f"R{i}", "permissions": [f"p{i}", f"p{i + 20}"]} for i in range(20)],
    "env_vars": [{"key": f"V{i}", "value": "x"} for i in range(10)],
}


def counted(kinde: Kinde) -> tuple[int, int]:
    """(requests, connections accepted) since the counters were last reset."""
    stats = kinde.emulator.app.services.stats.snapshot()
    return stats["total"], stats["connections"]


@pytest.fixture
def slow(kinde: Kinde) -> Iterator[Kinde]:
    # Latency makes requests overlap, so a pool that is used opens its connections in parallel.
    kinde.control.faults(latency_ms=10)
    yield kinde
    kinde.control.faults(latency_ms=0)


@pytest.mark.parametrize("parallelism", [1, 4])
def test_a_run_opens_at_most_one_connection_per_request_in_flight(work: Workdir, slow: Kinde,
                                                                  parallelism: int) -> None:
    args = work.ws_args(CONFIG)
    for command in ("apply", "plan", "drift"):
        slow.reset_stats()
        extra = ["--auto-approve"] if command == "apply" else []
        result = work.run(command, *args, *extra, "--parallelism", str(parallelism))
        assert result.exit_code == 0, result.output[-1000:] + result.stderr[-1000:]
        requests, connections = counted(slow)
        print(f"\n{command} --parallelism {parallelism}: {requests} requests over {connections} connections")
        assert requests >= 20
        assert 1 <= connections <= parallelism
