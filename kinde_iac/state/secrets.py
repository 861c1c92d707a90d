"""Salted hashes of secret values, the only form in which a secret reaches the state file.

Kinde never returns a secret env var's value, so the plan can only tell "changed since the last
apply" by comparing the configured value with what was applied. Keeping the value itself would
turn the state file into a secret store; a salted hash answers the one question the plan asks
("is it still the same value?") and nothing else.

Format: ``sha256$<salt: 16 random bytes, hex>$<hex of sha256(salt bytes + UTF-8 value)>``. The
salt is fresh per call so equal secrets in two workspaces (or two keys) do not hash alike and a
precomputed table is useless. The prefix names the algorithm so a stronger one can be added
without guessing what an old state holds.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets as _random

ALGORITHM = "sha256"
SALT_BYTES = 16

_HASH_RE = re.compile(r"^sha256\$([0-9a-f]{32})\$([0-9a-f]{64})$")


def _digest(salt: bytes, value: str) -> str:
    return hashlib.sha256(salt + value.encode("utf-8")).hexdigest()


def hash_secret(value: str) -> str:
    """Salted SHA-256 of ``value``, in the ``sha256$<salt>$<digest>`` format."""
    if not isinstance(value, str):
        raise TypeError(f"hash_secret expects a str, not {type(value).__name__}")
    salt = _random.token_bytes(SALT_BYTES)
    return f"{ALGORITHM}${salt.hex()}${_digest(salt, value)}"


def is_secret_hash(value: object) -> bool:
    """True when ``value`` is a string produced by :func:`hash_secret`."""
    return isinstance(value, str) and _HASH_RE.match(value) is not None


def secret_matches(value: str, hashed: str | None) -> bool:
    """Whether ``value`` is the secret that produced ``hashed``.

    Malformed or missing hashes answer False rather than raising: the caller treats "cannot tell"
    as "changed", which re-applies the secret - the safe direction.
    """
    if hashed is None or not isinstance(value, str):
        return False
    match = _HASH_RE.match(hashed) if isinstance(hashed, str) else None
    if match is None:
        return False
    salt_hex, expected = match.groups()
    # compare_digest so the time taken does not reveal how much of the digest matched.
    return hmac.compare_digest(_digest(bytes.fromhex(salt_hex), value), expected)
