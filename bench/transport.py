"""What the transport alone reaches: the reference the apply floor leaves out.

The XL target's floor (requests x latency / parallelism) counts nothing but the latency the emulator
adds, yet every request also takes a round trip through the client's HTTP stack, the loopback and
the emulator's own handling. This sample measures that round trip as an apply meets it: the same
``KindeClient`` creates permissions (the bulk of every generated workspace) at the apply's
parallelism, with no engine, plan or state around it. Its cycle per request (wall x parallelism /
requests) against the latency says how close to the floor any apply can get on this machine, so a
report can tell the engine's own overhead from the round trip's.
"""
from __future__ import annotations

import itertools
import threading
import time

import attrs

from kinde_iac.kinde import KindeClient
from kinde_iac.kinde.credentials import Credentials

#: Enough creates for a steady mean at 30 ms (about 3.5 s at parallelism 10); the emulator is reset
#: after the sample, so they never reach the apply's lists.
SAMPLE_REQUESTS = 1000
KEY_PREFIX = "bench-transport:"


def cycle_s(wall_s: float, requests: int, parallelism: int) -> float:
    """Wall time one worker spends per request: what the floor assumes is the latency alone."""
    return wall_s * parallelism / requests


@attrs.frozen
class TransportRun:
    requests: int
    wall_s: float
    parallelism: int
    #: The most creates that were in flight at once (never above ``parallelism``).
    peak: int

    @property
    def cycle_s(self) -> float:
        return cycle_s(self.wall_s, self.requests, self.parallelism)


def post_sample(url: str, client_id: str, client_secret: str, *, parallelism: int,
                requests: int = SAMPLE_REQUESTS) -> TransportRun:
    """Create ``requests`` new permissions from ``parallelism`` threads sharing one client, after
    the token (untimed, as an apply has it before its first create). Raises the client's error if
    any create fails: a sample with failures would not measure the round trip."""
    numbers = itertools.count()
    guard = threading.Lock()
    in_flight = peak = 0
    errors: list[BaseException] = []

    creds = Credentials(domain=url, client_id=client_id, client_secret=client_secret)
    with KindeClient(creds, max_concurrency=parallelism) as client:
        client.get("/api/v1/environment")

        def work() -> None:
            nonlocal in_flight, peak
            while not errors and (i := next(numbers)) < requests:
                with guard:
                    in_flight += 1
                    peak = max(peak, in_flight)
                try:
                    client.post("/api/v1/permissions", json={"key": f"{KEY_PREFIX}{i:06d}", "name": f"Sample {i}"})
                except BaseException as err:  # noqa: BLE001 - re-raised below, from the caller's thread
                    errors.append(err)
                finally:
                    with guard:
                        in_flight -= 1

        threads = [threading.Thread(target=work, name=f"transport-{n}") for n in range(parallelism)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return TransportRun(requests=requests, wall_s=wall, parallelism=parallelism, peak=peak)
