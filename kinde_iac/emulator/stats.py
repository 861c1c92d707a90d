"""Request counters for ``/_emulator/stats``: tests and benchmarks count API calls (and the TCP
connections that carried them) with them."""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.open_connections = 0
        self._reset()

    def _reset(self) -> None:
        self.total = 0
        self.by_route: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.dropped = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0  # TCP connections accepted, control routes' included

    def connection_opened(self) -> None:
        with self._lock:
            self.connections += 1
            self.open_connections += 1

    def connection_closed(self) -> None:
        with self._lock:
            self.open_connections -= 1

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self, route: str, status: int | None) -> None:
        """Count one finished request; ``status`` None means the connection was dropped."""
        with self._lock:
            self.in_flight -= 1
            self.total += 1
            self.by_route[route] += 1
            if status is None:
                self.dropped += 1
            else:
                self.by_status[str(status)] += 1

    def clear(self) -> None:
        """Zero every counter. Requests still in flight stay counted in ``in_flight`` (they will
        decrement it when they finish) but ``max_in_flight`` restarts from them; likewise open
        connections stay in ``open_connections``, while ``connections`` counts new ones only."""
        with self._lock:
            in_flight = self.in_flight
            self._reset()
            self.in_flight = self.max_in_flight = in_flight

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_route": dict(sorted(self.by_route.items())),
                "by_status": dict(sorted(self.by_status.items())),
                "dropped": self.dropped,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "connections": self.connections,
                "open_connections": self.open_connections,
            }
