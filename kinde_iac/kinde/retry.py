"""How long to wait before trying again, and when to stop: one policy for API calls and the token."""
from __future__ import annotations

import random
from collections.abc import Callable

import requests

from kinde_iac.errors import ApiError

from .stats import ClientStats

# RateLimit-Reset is honoured as sent, but a nonsense value must not hang a run for hours.
MAX_RATE_LIMIT_WAIT_S = 300.0
# Spread workers released by the same RateLimit-Reset so they do not all hit the server at once.
RATE_LIMIT_JITTER_S = 0.5


class RetryPolicy:
    """Full-jitter exponential backoff within a budget of ``max_retries`` retryable failures."""

    def __init__(self, *, max_retries: int, base: float, cap: float, stats: ClientStats,
                 sleep: Callable[[float], None], emit: Callable[[str], None],
                 rng: random.Random | None = None) -> None:
        self.max_retries = max_retries
        self.base = base
        self.cap = cap
        self._stats = stats
        self._sleep = sleep
        self._emit = emit
        self._rng = rng or random.Random()

    def backoff_or_raise(self, last: ApiError, failures: int, attempts: int, what: str,
                         cause: BaseException | None = None) -> int:
        """Sleep before another attempt and return the new failure count, or raise ``last``
        (with the attempt count) when the budget is spent."""
        if failures >= self.max_retries:
            raise self.exhausted(last, attempts) from cause
        delay = self._rng.uniform(0, min(self.cap, self.base * 2 ** failures))
        self._stats.record_retry()
        self._emit(f"{what} on {last.method} {last.path}, retrying in {delay:.1f}s "
                   f"(attempt {attempts + 1} of {self.max_retries + 1})")
        self._sleep(delay)
        return failures + 1

    def wait(self, seconds: float, line: str) -> None:
        """Say why, then wait (a 429 outside the shared limiter, i.e. on the token endpoint)."""
        self._emit(line)
        self._sleep(seconds)

    def exhausted(self, last: ApiError, attempts: int) -> ApiError:
        return ApiError(last.status, last.code, f"{last.message} (gave up after {attempts} attempts)",
                        method=last.method, path=last.path, ambiguous=last.ambiguous)

    def rate_limit_wait(self, resp: requests.Response) -> float:
        """Seconds to wait after a 429: ``RateLimit-Reset`` (NOTES section 4) plus a little jitter."""
        try:
            reset = float(resp.headers.get("RateLimit-Reset", ""))
        except ValueError:
            reset = -1.0
        if not reset >= 0:  # also catches nan
            # No usable header: fall back to backoff, but never hammer a server that said "too many".
            reset = max(1.0, min(self.cap, self.base * 4))
        return min(reset, MAX_RATE_LIMIT_WAIT_S) + self._rng.uniform(0, RATE_LIMIT_JITTER_S)
