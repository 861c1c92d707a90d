"""Shared fakes and constants for the client tests (imported by conftest and the test modules)."""
from __future__ import annotations

from typing import Any

import responses

BASE = "https://acme.kinde.com"
TOKEN_URL = BASE + "/oauth2/token"
# Sentinels: if either string shows up in any message, repr or event line, a test fails.
SECRET = "sentinel-SECRET-5f1e9c"
TOKEN = "sentinel-TOKEN-a77b02"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


class MaxRng:
    """Makes every jittered delay take its upper bound, so backoff sequences are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


def api_calls(rsps: responses.RequestsMock) -> list[Any]:
    return [c for c in rsps.calls if not c.request.url.startswith(TOKEN_URL)]


def token_calls(rsps: responses.RequestsMock) -> list[Any]:
    return [c for c in rsps.calls if c.request.url.startswith(TOKEN_URL)]
