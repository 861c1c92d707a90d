"""The emulator the benchmark runs against: a separate process on a free 127.0.0.1 port, so its CPU
time never competes with the process being measured (under the GIL it would)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from typing_extensions import Self

LISTENING = "Kinde emulator listening on"
CLIENT_ID = "bench-m2m"
CLIENT_SECRET = "bench-secret-5d1c"  # a throwaway credential of a local emulator
ENVIRONMENT = "development"
START_TIMEOUT_S = 30.0


class Emulator:
    """``python -m kinde_iac emulator --port 0`` plus its /_emulator/ control routes."""

    def __init__(self, *, latency_ms: float, rate_limit: float | None = None) -> None:
        self.latency_ms = latency_ms
        self.base_rate_limit = rate_limit
        cmd = [sys.executable, "-m", "kinde_iac", "emulator", "--host", "127.0.0.1", "--port", "0",
               "--latency-ms", str(latency_ms), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
               "--environment", ENVIRONMENT]
        if rate_limit:
            cmd += ["--rate-limit", str(rate_limit)]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self._await_url()
        self._http = requests.Session()

    def _await_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        assert self._proc.stdout is not None
        while time.monotonic() < deadline:
            line = self._proc.stdout.readline()
            if not line:
                break
            if line.startswith(LISTENING):
                url = line[len(LISTENING):].strip()
                if not url.startswith("http://127.0.0.1:"):
                    self.stop()
                    raise RuntimeError(f"emulator is not on loopback: {url}")
                return url
        self.stop()
        raise RuntimeError("the emulator did not start")

    def env(self) -> dict[str, str]:
        """Environment for the CLI: this emulator's URL and credentials, no colour."""
        return {**os.environ, "KINDE_DOMAIN": self.url, "KINDE_CLIENT_ID": CLIENT_ID,
                "KINDE_CLIENT_SECRET": CLIENT_SECRET, "NO_COLOR": "1"}

    def _control(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        resp = self._http.request(method, f"{self.url}/_emulator/{path}", timeout=30, **kw)
        resp.raise_for_status()
        return resp.json()

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats")

    def clear_stats(self) -> None:
        self._control("DELETE", "stats")

    def reset(self) -> None:
        """Empty Kinde (only the M2M app and management API remain) and zero the counters."""
        self._control("POST", "reset")

    def set_rate_limit(self, rps: float | None) -> None:
        self._control("POST", "faults", json={"rate_limit": rps or 0})

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
