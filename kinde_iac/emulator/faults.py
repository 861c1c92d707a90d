"""Operational behaviour a client must survive: rate limiting, latency, 5xx and dropped connections.

All settings change at run time through ``/_emulator/faults``.
"""
from __future__ import annotations

import math
import random
import threading
import time
from typing import Any

import attrs


@attrs.frozen
class FaultSettings:
    latency_ms: float = 0.0
    fail_rate: float = 0.0  # fraction of requests answered 500 before doing anything
    drop_rate: float = 0.0  # fraction of connections closed without a response
    rate_limit: float | None = None  # requests per second; None = unlimited

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


class InvalidFaults(ValueError):
    pass


def parse_settings(current: FaultSettings, body: dict[str, Any]) -> FaultSettings:
    """``current`` with the fields present in ``body`` replaced, each checked."""
    changes: dict[str, Any] = {}
    for name in ("fail_rate", "drop_rate"):
        if name in body:
            value = _number(body[name], name)
            if not 0.0 <= value <= 1.0:
                raise InvalidFaults(f"{name} must be between 0 and 1")
            changes[name] = value
    if "latency_ms" in body:
        value = _number(body["latency_ms"], "latency_ms")
        if value < 0:
            raise InvalidFaults("latency_ms must not be negative")
        changes["latency_ms"] = value
    if "rate_limit" in body:
        raw = body["rate_limit"]
        limit = None if raw is None else _number(raw, "rate_limit")
        if limit is not None and limit < 0:
            raise InvalidFaults("rate_limit must not be negative")
        changes["rate_limit"] = limit or None  # 0 means off, like the CLI flag
    unknown = set(body) - {"fail_rate", "drop_rate", "latency_ms", "rate_limit", "seed"}
    if unknown:
        raise InvalidFaults(f"unknown fault settings: {', '.join(sorted(unknown))}")
    return attrs.evolve(current, **changes)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidFaults(f"{name} must be a number")
    return float(value)


class TokenBucket:
    """``rate`` tokens per second, burst of ``max(1, rate)``."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._stamp = time.monotonic()

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate


@attrs.frozen
class Decision:
    """What happens to one request, decided before it runs."""

    throttle_seconds: int = 0  # > 0: answer 429 with this RateLimit-Reset
    latency_s: float = 0.0
    fail: bool = False
    drop_before: bool = False
    drop_after: bool = False


class Faults:
    def __init__(self, settings: FaultSettings | None = None, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._settings = FaultSettings()
        self._bucket: TokenBucket | None = None
        self.update(settings or FaultSettings())

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def update(self, settings: FaultSettings, seed: int | None = None) -> None:
        with self._lock:
            if settings.rate_limit != self._settings.rate_limit or self._bucket is None:
                self._bucket = TokenBucket(settings.rate_limit) if settings.rate_limit else None
            self._settings = settings
            if seed is not None:
                self._random.seed(seed)

    def decide(self, *, is_write: bool) -> Decision:
        with self._lock:
            s = self._settings
            if self._bucket is not None:
                wait = self._bucket.take()
                if wait > 0:
                    return Decision(throttle_seconds=max(1, math.ceil(wait)))
            drop = s.drop_rate > 0 and self._random.random() < s.drop_rate
            # A write may be dropped after it was applied: the client cannot tell which happened,
            # exactly like a real connection lost mid-request.
            after = drop and is_write and self._random.random() < 0.5
            fail = not drop and s.fail_rate > 0 and self._random.random() < s.fail_rate
            return Decision(latency_s=s.latency_ms / 1000.0, fail=fail,
                            drop_before=drop and not after, drop_after=after)
