"""Request counters for one client, shared by every thread that uses it."""
from __future__ import annotations

import threading
from typing import Any

import attrs


@attrs.define
class ClientStats:
    """Counters for one client. ``requests`` counts Management API attempts (retries included);
    token endpoint calls are counted apart in ``token_requests`` because Kinde bills them."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    by_status: dict[str, int] = attrs.Factory(dict)
    token_requests: int = 0
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False, eq=False)

    def record_attempt(self, outcome: str) -> None:
        """One HTTP attempt; ``outcome`` is the status ("200") or, with no response, the error code."""
        with self._lock:
            self.requests += 1
            self.by_status[outcome] = self.by_status.get(outcome, 0) + 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def record_token_request(self) -> None:
        with self._lock:
            self.token_requests += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": self.requests, "retries": self.retries, "rate_limited": self.rate_limited,
                    "by_status": dict(self.by_status), "token_requests": self.token_requests}
