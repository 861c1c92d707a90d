"""Range checks for the client's numeric settings, and reading them from the environment.

A timeout of 0 or nan, a negative retry budget or a window of 0 slots would otherwise surface as a
Python exception from deep inside requests or the limiter, or be accepted and misbehave (a negative
budget silently meant "no retries"); each is one readable KindeIacError instead (issue 13 point 8).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from kinde_iac.errors import KindeIacError

ENV_TIMEOUT = "KINDE_IAC_TIMEOUT"
ENV_MAX_RETRIES = "KINDE_IAC_MAX_RETRIES"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_seconds(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value) and value > 0


def tuning_problems(*, timeout: Any, max_retries: Any, max_concurrency: Any, max_rps: Any,
                    backoff_base: Any, backoff_max: Any) -> list[str]:
    """What is wrong with these settings, in words (empty when all are usable)."""
    problems = []
    if not _positive_seconds(timeout):
        problems.append(f"timeout ({ENV_TIMEOUT}) must be a finite number of seconds greater than 0, "
                        f"got {timeout!r}")
    if not (_is_count(max_retries) and max_retries >= 0):
        problems.append(f"max_retries ({ENV_MAX_RETRIES}) must be a whole number of 0 or more, got {max_retries!r}")
    if not (_is_count(max_concurrency) and max_concurrency >= 1):
        problems.append(f"max_concurrency (--parallelism) must be a whole number of at least 1, "
                        f"got {max_concurrency!r}")
    if max_rps is not None and not _positive_seconds(max_rps):
        problems.append(f"max_rps (--max-rps) must be a finite number greater than 0, got {max_rps!r}")
    for name, value in (("backoff_base", backoff_base), ("backoff_max", backoff_max)):
        if not (_is_number(value) and math.isfinite(value) and value >= 0):
            problems.append(f"{name} must be a finite number of seconds of 0 or more, got {value!r}")
    return problems


def check_tuning(*, timeout: Any, max_retries: Any, max_concurrency: Any, max_rps: Any,
                 backoff_base: Any, backoff_max: Any) -> None:
    """Raise one KindeIacError naming every unusable setting."""
    problems = tuning_problems(timeout=timeout, max_retries=max_retries, max_concurrency=max_concurrency,
                               max_rps=max_rps, backoff_base=backoff_base, backoff_max=backoff_max)
    if problems:
        raise KindeIacError("invalid Kinde client settings: " + "; ".join(problems))


def tuning_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """``KINDE_IAC_TIMEOUT`` (seconds) and ``KINDE_IAC_MAX_RETRIES`` as validated KindeClient
    keyword arguments; unset or blank variables are left out so the client's defaults apply."""
    out: dict[str, Any] = {}
    raw = (environ.get(ENV_TIMEOUT) or "").strip()
    if raw:
        try:
            timeout = float(raw)
        except ValueError:
            timeout = math.nan
        if not _positive_seconds(timeout):
            raise KindeIacError(f"{ENV_TIMEOUT}={raw!r}: expected a finite number of seconds greater than 0")
        out["timeout"] = timeout
    raw = (environ.get(ENV_MAX_RETRIES) or "").strip()
    if raw:
        try:
            retries = int(raw)
        except ValueError:
            retries = -1
        if retries < 0:
            raise KindeIacError(f"{ENV_MAX_RETRIES}={raw!r}: expected a whole number of 0 or more")
        out["max_retries"] = retries
    return out
