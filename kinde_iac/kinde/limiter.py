"""Client-side throttling shared by every thread that uses one KindeClient.

Kinde publishes no request rate, only that a rate limiter and a concurrency limiter both answer
429 with ``RateLimit-Reset`` (NOTES section 4). So we combine an optional fixed token bucket (the
user's own ``max_rps``) with an adaptive concurrency window that backs off the way TCP does (AIMD).

Both take ``clock`` and ``sleep`` callables so tests drive them without real time passing.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class RateBucket:
    """Token bucket allowing ``rate`` acquisitions per second with bursts of up to ``burst``.

    ``acquire`` reserves a token under the lock (the level may go negative) and sleeps outside it,
    so concurrent callers queue up at 1/rate intervals instead of all waking at once and racing.
    """

    def __init__(self, rate: float, *, burst: float = 1.0, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._level = self.burst
        self._stamp = clock()

    def acquire(self) -> float:
        """Take one token, blocking until it is due; returns the seconds waited (0 if none)."""
        with self._lock:
            now = self._clock()
            self._level = min(self.burst, self._level + (now - self._stamp) * self.rate)
            self._stamp = now
            self._level -= 1.0
            wait = -self._level / self.rate if self._level < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


class AdaptiveRate:
    """AIMD on the send rate, beside the AIMD window on concurrency.

    Even one request in flight outruns a low rate limit when the server answers fast, so the window
    alone cannot stop a run hammering the limit. No ceiling until the first 429; then at most half
    the rate sent in the last second, raised by about one request per second for each second
    without a 429. One decrease per second: a burst of 429s is one signal.
    """

    WINDOW = 1.0

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._sends: deque[float] = deque()
        self._bucket: RateBucket | None = None
        self._last_decrease = float("-inf")

    @property
    def ceiling(self) -> float | None:
        with self._lock:
            return self._bucket.rate if self._bucket is not None else None

    def before_send(self) -> None:
        with self._lock:
            now = self._clock()
            self._sends.append(now)
            while self._sends and self._sends[0] < now - self.WINDOW:
                self._sends.popleft()
            bucket = self._bucket
        if bucket is not None:
            bucket.acquire()

    def on_success(self) -> None:
        with self._lock:
            if self._bucket is not None:
                self._bucket.rate += 1.0 / self._bucket.rate

    def on_rate_limited(self) -> None:
        self._decrease(create=True)

    def on_overloaded(self) -> None:
        """A 5xx or a timeout lowers a ceiling a 429 has set, but never sets one: the ceiling's job is
        to find a rate limit, which only a 429 reveals, and a lone worker's retry backoff is slower
        than any ceiling it would compute. The concurrency window is what answers overload."""
        self._decrease(create=False)

    def _decrease(self, *, create: bool) -> None:
        with self._lock:
            now = self._clock()
            if now - self._last_decrease < self.WINDOW or (self._bucket is None and not create):
                return
            self._last_decrease = now
            observed = sum(1 for t in self._sends if t >= now - self.WINDOW) / self.WINDOW
            current = self._bucket.rate if self._bucket is not None else observed
            rate = max(1.0, min(current, observed) / 2.0)
            self._bucket = RateBucket(rate, clock=self._clock, sleep=self._sleep)


class Permit:
    """Proof of holding one concurrency slot; remembers the window generation it started in and
    when it was let through (for the round-trip estimate)."""

    __slots__ = ("generation", "released", "sent_at")

    def __init__(self, generation: int, sent_at: float = 0.0) -> None:
        self.generation = generation
        self.sent_at = sent_at
        self.released = False


class AdaptiveLimiter:
    """AIMD concurrency limiter: halve on 429, 5xx or timeout, grow by 1/limit per success, never
    above ``max_limit``.

    A burst of 429s answering requests that were all in flight together is one congestion signal,
    not several: only a 429 for a request started after the last decrease halves the window again
    (TCP's "one decrease per round trip"). Otherwise eight parallel workers hitting the limit at
    once would collapse the window straight to 1.

    Overload (5xx, timeouts) halves the window the same way, with one more condition: more than one
    smoothed round trip must have passed since the last decrease. A failing backend often answers
    5xx at once, so requests started after a decrease can fail in a fraction of a normal round
    trip; without the time condition one such burst would also collapse the window to 1.
    """

    def __init__(self, max_limit: int, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        if max_limit < 1:
            raise ValueError("max_limit must be at least 1")
        self.max_limit = max_limit
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._limit = float(max_limit)
        self._in_flight = 0
        self._generation = 0
        self._paused_until = float("-inf")
        self._last_decrease = float("-inf")
        self._srtt: float | None = None  # smoothed round trip of answered requests (RFC 6298 weights)

    @property
    def current_limit(self) -> float:
        """The allowed concurrency right now (fractional; ``int()`` of it is the number of slots)."""
        with self._cond:
            return self._limit

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    @property
    def paused_until(self) -> float:
        with self._cond:
            return self._paused_until

    def acquire(self) -> Permit:
        """Take a free slot, then wait out any 429 pause before letting the caller send.

        The pause is checked last so a worker that queued for a slot before a 429 arrived still
        honours it; sleeping while holding the slot costs nothing since everyone is paused.
        """
        with self._cond:
            while self._in_flight >= max(1, int(self._limit)):
                self._cond.wait()
            self._in_flight += 1
        self._wait_for_pause()
        with self._cond:
            # The generation is read after the pause: this request is sent under the current window.
            return Permit(self._generation, self._clock())

    def release(self, permit: Permit) -> None:
        with self._cond:
            if permit.released:
                return
            permit.released = True
            self._in_flight -= 1
            self._cond.notify_all()

    @property
    def smoothed_rtt(self) -> float | None:
        with self._cond:
            return self._srtt

    def on_success(self, permit: Permit | None = None) -> None:
        """An answer short of 429/5xx: the load is acceptable, so the window grows."""
        with self._cond:
            if permit is not None:
                self._observe_rtt(permit)
            if self._limit < self.max_limit:
                self._limit = min(float(self.max_limit), self._limit + 1.0 / self._limit)
                self._cond.notify_all()

    def on_rate_limited(self, permit: Permit, wait: float) -> None:
        """Record a 429: pause every worker for ``wait`` seconds and shrink the window."""
        with self._cond:
            now = self._clock()
            self._paused_until = max(self._paused_until, now + max(0.0, wait))
            if permit.generation == self._generation:
                self._decrease(now)

    def on_overloaded(self, permit: Permit, *, answered: bool = True) -> bool:
        """Record a 5xx (``answered``) or a timeout: shrink the window like a 429, but pause no one
        (the retry's own backoff spaces that request). Returns whether the window shrank."""
        with self._cond:
            now = self._clock()
            if answered:  # a timeout measures our patience, not the round trip (Karn's rule)
                self._observe_rtt(permit)
            if permit.generation != self._generation or now - self._last_decrease <= (self._srtt or 0.0):
                return False
            self._decrease(now)
            return True

    def _decrease(self, now: float) -> None:
        self._limit = max(1.0, self._limit / 2.0)
        self._generation += 1
        self._last_decrease = now

    def _observe_rtt(self, permit: Permit) -> None:
        sample = max(0.0, self._clock() - permit.sent_at)
        self._srtt = sample if self._srtt is None else 0.875 * self._srtt + 0.125 * sample

    def _wait_for_pause(self) -> None:
        # Loop only when another 429 extended the pause while we slept; comparing deadlines rather
        # than re-reading the clock keeps this finite when a test's fake sleep does not move time.
        slept_until: float | None = None
        while True:
            with self._cond:
                deadline = self._paused_until
                remaining = deadline - self._clock()
            if remaining <= 0 or deadline == slept_until:
                return
            self._sleep(remaining)
            slept_until = deadline
