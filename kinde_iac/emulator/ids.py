"""Identifiers in the formats Kinde uses, and timestamps.

Kinde's newer ids embed a millisecond timestamp in their first 48 bits (UUIDv7 style, e.g.
``api_scope_0193ab57965aef77b2b687d0ef673713``); the emulator does the same so ids sort roughly by
creation time like the real ones.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import time
import uuid
from datetime import datetime, timezone


def _time_ordered_hex() -> str:
    millis = int(time.time() * 1000) & ((1 << 48) - 1)
    return f"{millis:012x}{os.urandom(10).hex()}"


def app_id() -> str:
    return uuid.uuid4().hex


def api_id() -> str:
    return uuid.uuid4().hex


def role_id() -> str:
    raw = _time_ordered_hex()
    return f"{raw[0:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:32]}"


def permission_id() -> str:
    return "perm_" + _time_ordered_hex()


def api_scope_id() -> str:
    return "api_scope_" + _time_ordered_hex()


def env_var_id() -> str:
    return "env_var_" + _time_ordered_hex()


def api_key_id() -> str:
    return "api_key_" + _time_ordered_hex()


def webhook_id() -> str:
    return "webhook_" + _time_ordered_hex()


def connection_id() -> str:
    # Kinde's example: conn_0192c16abb53b44277e597d31877ba5b
    return "conn_" + _time_ordered_hex()


def builtin_connection_id(environment: str, strategy: str) -> str:
    """A fixed id per environment and built-in connection, so it survives a reset like the
    management API and the M2M client do."""
    return "conn_" + hashlib.sha256(f"{environment}/{strategy}".encode()).hexdigest()[:32]


def business_code() -> str:
    return "bus_" + secrets.token_hex(6)[:11]


def client_secret() -> str:
    return secrets.token_urlsafe(39)[:52]


def api_key_secret() -> str:
    # "k_live_" is the form Kinde's docs show for API keys.
    return "k_live_" + secrets.token_hex(16)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
