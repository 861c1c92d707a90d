"""AIMD concurrency window and send-rate ceiling, shared 429 pause, and the max_rps token bucket, on a fake clock."""
from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import requests
import responses
from kinde_fakes import BASE, FakeClock

from kinde_iac.errors import ApiError
from kinde_iac.kinde import AdaptiveLimiter, KindeClient, RateBucket
from kinde_iac.kinde.limiter import AdaptiveRate


def limiter(clock: FakeClock, max_limit: int = 8) -> AdaptiveLimiter:
    return AdaptiveLimiter(max_limit, clock=clock, sleep=clock.sleep)


def rate_limit_once(lim: AdaptiveLimiter, wait: float = 0.0) -> None:
    permit = lim.acquire()
    lim.on_rate_limited(permit, wait)
    lim.release(permit)


def test_each_429_halves_down_to_one(clock: FakeClock) -> None:
    lim = limiter(clock)
    seen = []
    for _ in range(5):
        rate_limit_once(lim)
        seen.append(lim.current_limit)
    assert seen == [4.0, 2.0, 1.0, 1.0, 1.0]


def test_simultaneous_429s_count_once(clock: FakeClock) -> None:
    # Three requests sent under the same window all come back 429: one congestion signal.
    lim = limiter(clock)
    permits = [lim.acquire() for _ in range(3)]
    for p in permits:
        lim.on_rate_limited(p, 0.0)
        lim.release(p)
    assert lim.current_limit == 4.0


def test_success_grows_by_one_over_limit_up_to_max(clock: FakeClock) -> None:
    lim = limiter(clock, max_limit=4)
    for _ in range(3):
        rate_limit_once(lim)
    assert lim.current_limit == 1.0
    lim.on_success()
    assert lim.current_limit == 2.0
    lim.on_success()
    assert lim.current_limit == 2.5
    for _ in range(100):
        lim.on_success()
    assert lim.current_limit == 4.0


def test_window_limits_slots(clock: FakeClock) -> None:
    lim = limiter(clock, max_limit=4)
    rate_limit_once(lim)  # window 2
    held = [lim.acquire(), lim.acquire()]
    got_third = threading.Event()

    def third() -> None:
        p = lim.acquire()
        got_third.set()
        lim.release(p)

    t = threading.Thread(target=third)
    t.start()
    assert not got_third.wait(0.1)  # blocked: two in flight, window of two
    lim.release(held[0])
    assert got_third.wait(2)
    t.join(2)
    lim.release(held[1])
    assert lim.in_flight == 0


def test_release_is_idempotent(clock: FakeClock) -> None:
    lim = limiter(clock)
    p = lim.acquire()
    lim.release(p)
    lim.release(p)
    assert lim.in_flight == 0


def test_429_pauses_every_worker_until_reset(clock: FakeClock) -> None:
    lim = limiter(clock)
    rate_limit_once(lim, wait=3.0)
    # Another worker, not the one that got the 429, must wait the same pause.
    p = lim.acquire()
    assert clock.sleeps == [3.0]
    lim.release(p)
    p = lim.acquire()  # the pause is over
    assert clock.sleeps == [3.0]
    lim.release(p)


def test_pause_ends_even_if_sleep_does_not_move_the_clock() -> None:
    now = [0.0]
    slept: list[float] = []
    lim = AdaptiveLimiter(4, clock=lambda: now[0], sleep=slept.append)
    rate_limit_once(lim, wait=5.0)
    lim.release(lim.acquire())
    assert slept == [5.0]


def test_bucket_spaces_requests_at_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []
    bucket = RateBucket(2.0, clock=lambda: now[0], sleep=slept.append)
    waits = [bucket.acquire() for _ in range(4)]
    # Reservations queue: the clock never moved, so each next caller waits one more interval.
    assert waits == [0.0, 0.5, 1.0, 1.5]
    assert slept == [0.5, 1.0, 1.5]


def test_bucket_refills_with_time() -> None:
    now = [0.0]
    bucket = RateBucket(4.0, clock=lambda: now[0], sleep=lambda s: None)
    bucket.acquire()
    now[0] = 10.0  # idle a long time: refill is capped at the burst, not 40 tokens
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == 0.25


def test_bucket_burst() -> None:
    bucket = RateBucket(1.0, burst=3, clock=lambda: 0.0, sleep=lambda s: None)
    assert [bucket.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


def test_bucket_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RateBucket(0)


def test_client_max_rps(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                        token_endpoint: Callable[..., None], clock: FakeClock) -> None:
    token_endpoint()
    rsps.get(BASE + "/api/v1/roles", json={"roles": []})
    client = make_client(max_rps=4)
    for _ in range(3):
        client.get("/api/v1/roles")
    assert clock.sleeps == [0.25, 0.25]


def test_client_429_shrinks_window_and_success_regrows(
        rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
        token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    rsps.get(BASE + "/api/v1/roles", status=429, headers={"RateLimit-Reset": "1"})
    rsps.get(BASE + "/api/v1/roles", json={"roles": []})
    client = make_client(max_concurrency=8)
    assert client.limiter.current_limit == 8
    client.get("/api/v1/roles")
    assert client.limiter.current_limit == 4.25  # halved, then one success adds 1/4


def test_5xx_does_not_grow_the_window(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                      token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    client = make_client(max_concurrency=8)
    rate_limit_once(client.limiter)
    rsps.get(BASE + "/api/v1/roles", status=503)
    rsps.get(BASE + "/api/v1/roles", json={"roles": []})
    client.get("/api/v1/roles")
    assert client.limiter.current_limit == 4.25  # only the 200 counted



def test_adaptive_rate_has_no_ceiling_until_a_429(clock: FakeClock) -> None:
    t = clock
    rate = AdaptiveRate(clock=t, sleep=t.sleep)
    for _ in range(50):
        rate.before_send()
        rate.on_success()
    assert rate.ceiling is None and t.sleeps == []


def test_adaptive_rate_halves_the_observed_rate_once_per_burst_then_recovers_additively(clock: FakeClock) -> None:
    t = clock
    rate = AdaptiveRate(clock=t, sleep=t.sleep)
    for _ in range(30):  # 30 sends within the last second
        t.now += 1 / 30
        rate.before_send()
    rate.on_rate_limited()
    assert rate.ceiling == 15.0
    rate.on_rate_limited()  # the rest of the same burst is one signal
    assert rate.ceiling == 15.0
    for _ in range(15):  # one second's worth of successes adds about one request per second
        rate.on_success()
    assert 15.9 < (rate.ceiling or 0) < 16.1
    # the ceiling paces sends: 10 more sends take about 10/16 s of (fake) sleeping
    before = t.now
    for _ in range(10):
        rate.before_send()
    assert 0.5 < t.now - before < 0.7
    t.now += 2  # a later 429 halves again, from what was actually sent
    for _ in range(8):
        t.now += 1 / 8
        rate.before_send()
    rate.on_rate_limited()
    assert rate.ceiling == 4.0


# -- overload: 5xx and timeouts shrink the window like a 429 (issue 13 point 9) ----------------------

def windows_at_send(rsps: responses.RequestsMock, client: KindeClient, method: str, url: str,
                    answers: list[object]) -> list[float]:
    """Serve ``answers`` in order (a status, or an exception to raise) and record the window each
    request was sent under."""
    seen: list[float] = []
    queue = list(answers)

    def reply(request: object) -> tuple[int, dict[str, str], str]:
        seen.append(client.limiter.current_limit)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, int)
        return answer, {}, '{"roles": []}'

    rsps.add_callback(method, url, callback=reply)
    return seen


def test_5xx_shrinks_the_window_on_the_fake_clock(rsps: responses.RequestsMock,
                                                  make_client: Callable[..., KindeClient],
                                                  token_endpoint: Callable[..., None], clock: FakeClock) -> None:
    token_endpoint()
    client = make_client(max_concurrency=8)
    seen = windows_at_send(rsps, client, "GET", BASE + "/api/v1/roles", [503, 502, 500, 200])
    client.get("/api/v1/roles")
    assert seen == [8.0, 4.0, 2.0, 1.0]  # each 5xx, a backoff later, halved the window again
    assert clock.sleeps == [0.25, 0.5, 1.0]  # 5xx pauses no one but the retrying request
    assert client.limiter.current_limit == 2.0  # and the one success adds 1/limit


def test_timeouts_shrink_the_window(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                    token_endpoint: Callable[..., None]) -> None:
    token_endpoint()
    client = make_client(max_concurrency=8)
    seen = windows_at_send(rsps, client, "GET", BASE + "/api/v1/roles",
                           [requests.exceptions.ReadTimeout("read timed out"),
                            requests.exceptions.ConnectTimeout("connect timed out"), 200])
    client.get("/api/v1/roles")
    assert seen == [8.0, 4.0, 2.0]
    assert client.limiter.smoothed_rtt == 0.0  # only the answered request was a round-trip sample


def test_a_dropped_connection_is_not_overload(rsps: responses.RequestsMock, make_client: Callable[..., KindeClient],
                                              token_endpoint: Callable[..., None]) -> None:
    # A pooled keep-alive connection the server closed is routine, not a sign of load.
    token_endpoint()
    client = make_client(max_concurrency=8)
    seen = windows_at_send(rsps, client, "GET", BASE + "/api/v1/roles",
                           [requests.ConnectionError(("Connection aborted.", ConnectionResetError(104, "reset"))),
                            200])
    client.get("/api/v1/roles")
    assert seen == [8.0, 8.0]


def test_an_unretried_write_5xx_shrinks_the_window(rsps: responses.RequestsMock, client: KindeClient) -> None:
    rsps.post(BASE + "/api/v1/roles", status=500)
    with pytest.raises(ApiError):
        client.post("/api/v1/roles", json={"key": "a"})
    assert client.limiter.current_limit == 4.0


def test_overload_of_requests_in_flight_together_counts_once(clock: FakeClock) -> None:
    lim = limiter(clock)
    permits = [lim.acquire() for _ in range(3)]
    clock.advance(0.2)
    shrank = [lim.on_overloaded(p) for p in permits]
    for p in permits:
        lim.release(p)
    assert shrank == [True, False, False]
    assert lim.current_limit == 4.0


def test_fast_failures_within_one_round_trip_are_one_signal(clock: FakeClock) -> None:
    lim = limiter(clock)
    for _ in range(4):  # learn a 1 s round trip
        p = lim.acquire()
        clock.advance(1.0)
        lim.on_success(p)
        lim.release(p)
    assert lim.smoothed_rtt == 1.0

    def fail_after(seconds: float) -> bool:
        p = lim.acquire()
        clock.advance(seconds)
        shrank = lim.on_overloaded(p, answered=False)  # fast 502s: no round-trip sample
        lim.release(p)
        return shrank

    assert fail_after(0.1) is True
    # Sent after the decrease, so a 429 would halve again; a 5xx 0.1 s later is the same event.
    assert [fail_after(0.1) for _ in range(3)] == [False, False, False]
    assert lim.current_limit == 4.0
    clock.advance(1.0)  # more than a round trip since the decrease: a new signal
    assert fail_after(0.1) is True
    assert lim.current_limit == 2.0


def test_overload_right_after_a_429_is_the_same_event(clock: FakeClock) -> None:
    lim = limiter(clock)
    rate_limit_once(lim)
    p = lim.acquire()
    assert lim.on_overloaded(p) is False  # no time has passed since the 429's decrease
    lim.release(p)
    assert lim.current_limit == 4.0


def test_overload_lowers_an_existing_rate_ceiling_but_never_sets_one(clock: FakeClock) -> None:
    rate = AdaptiveRate(clock=clock, sleep=clock.sleep)
    for _ in range(20):
        clock.now += 1 / 20
        rate.before_send()
    rate.on_overloaded()
    assert rate.ceiling is None  # no 429 yet: the window alone answers overload
    rate.on_rate_limited()
    assert rate.ceiling == 10.0
    clock.now += 2
    for _ in range(8):
        clock.now += 1 / 8
        rate.before_send()
    rate.on_overloaded()
    assert rate.ceiling == 4.0
    rate.on_overloaded()  # once per second, as for 429s
    assert rate.ceiling == 4.0
